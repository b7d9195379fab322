package mmn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything the engine did, in order: hooks fired, micro-steps (phases), flushes,
 * faults, checks and violations. Deterministic: the same script and seed give the same
 * trace byte for byte.
 */
public final class Trace {
    public record Event(int seq, int statement, String operation, String phase, String type, String text) {
        public String toJson() {
            return "{\"seq\":" + seq + ",\"statement\":" + statement + ",\"operation\":" + Json.str(operation)
                    + ",\"phase\":" + Json.str(phase) + ",\"type\":" + Json.str(type) + ",\"text\":" + Json.str(text) + "}";
        }
    }

    private final World w;
    private final List<Event> events = new ArrayList<>();
    private int statementFirstEvent;
    private boolean keep = true;
    private int limit = 1_000_000;

    Trace(World w) {
        this.w = w;
    }

    /** Keep no events (the explorer's inner runs); hooks of the current statement are still tracked. */
    public void setKeep(boolean keep) {
        this.keep = keep;
    }

    /** Whether events other than hooks are kept (callers skip building their text when not). */
    boolean keeping() {
        return keep;
    }

    void event(String type, String text) {
        if (!keep && !type.equals("hook")) return;
        if (events.size() >= limit) return;
        events.add(new Event(events.size() + 1, w.statementNo, w.operation, w.phase, type, text));
    }

    void statementStarted() {
        statementFirstEvent = events.size();
    }

    /** Hooks, phase steps and device accesses of the current statement: the sequence a report shows. */
    List<String> hooksThisStatement() {
        List<String> out = new ArrayList<>();
        for (int i = statementFirstEvent; i < events.size(); i++) {
            Event e = events.get(i);
            // the device accesses belong to the story: a refill between two hooks is the race
            switch (e.type()) {
                case "hook": out.add(e.text()); break;
                case "step": out.add("[" + e.text() + "]"); break;
                case "access": if (!e.text().startsWith("cpu(")) out.add("  " + e.text()); break;
                default: break;
            }
        }
        return out;
    }

    public List<Event> events() {
        return List.copyOf(events);
    }

    public List<Event> since(int seq) {
        return List.copyOf(events.subList(Math.min(seq, events.size()), events.size()));
    }

    public int size() {
        return events.size();
    }

    void truncate(int size) {
        while (events.size() > size) events.remove(events.size() - 1);
    }

    public String toJson() {
        StringBuilder b = new StringBuilder("[\n");
        for (int i = 0; i < events.size(); i++) {
            b.append("  ").append(events.get(i).toJson()).append(i + 1 < events.size() ? ",\n" : "\n");
        }
        return b.append("]\n").toString();
    }
}
