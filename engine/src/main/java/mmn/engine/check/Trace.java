package mmn.engine.check;

import mmn.engine.StepMeter;
import mmn.engine.mem.Range;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the engine did, in order: hooks fired, micro-steps (phases), flushes,
 * faults, checks and violations. Each event carries its text (what a person reads) and
 * typed {@link Fields} (what a tool reads: device, space, range, pfn, hit level...).
 * Deterministic: the same script and seed give the same trace byte for byte. The JSON
 * form is written by the front ends (mmn.report, docs/trace-format.md), not here.
 */
public final class Trace {
    /** Where a statement is in its script; null for statements with no source (explore replays, embeddings). */
    public record Where(String file, int line, int col) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + col;
        }
    }

    /**
     * One event. {@code type} is the kind (hook, step, access, flush, fault, violation,
     * expect, decl...); {@code at} the statement it belongs to; {@code fields} the typed
     * details, never null (unset fields are null).
     */
    public record Event(int seq, int statement, Where at, String operation, String phase, String type, String text, Fields fields) {}

    /**
     * Typed details of an event; each setter returns this, so a call site says only what
     * it knows. Unset fields stay null and are left out of the JSON.
     */
    public static final class Fields {
        public String hook;
        /** The kernel call site the hook fired from (a Sites name: "mm/memory.c zap_page_range ..."). */
        public String site;
        /** The kernel source path of that call site, as the profile cites it ("mm/memory.c unmap_vmas -> ..."). */
        public String cite;
        public String device;
        public String space;
        public Long start;
        public Long end;
        public Long address;
        public Boolean write;
        public Integer pfn;
        public Integer gen;
        /** Where a device access found its translation: iotlb, atc, walk, tlb... */
        public String level;
        /** ok, invalid, failed, abandoned, stalled; held/failed for an expect; a violation's kind. */
        public String result;
        /** A violation's stale cache entry. */
        public String entry;
        /** A violation's or an expectation's reason. */
        public String why;
        public Integer count;
        /** Frames a free gave back (mmu_gather's batch). */
        public List<Integer> pfns;

        public Fields hook(String v) { hook = v; return this; }
        public Fields site(String v) { site = v; return this; }
        public Fields cite(String v) { cite = v; return this; }
        public Fields device(String v) { device = v; return this; }
        public Fields space(String v) { space = v; return this; }
        public Fields range(Range r) {
            if (r != null) {
                start = r.start();
                end = r.end();
            }
            return this;
        }
        public Fields address(long v) { address = v; return this; }
        public Fields write(boolean v) { write = v; return this; }
        public Fields pfn(int v) { if (v >= 0) pfn = v; return this; }
        public Fields gen(int v) { gen = v; return this; }
        /** A frame and its generation (its incarnation: bumped on every free), when there is a frame. */
        public Fields frame(int pfn, int gen) {
            if (pfn >= 0) {
                this.pfn = pfn;
                this.gen = gen;
            }
            return this;
        }
        public Fields level(String v) { level = v; return this; }
        public Fields result(String v) { result = v; return this; }
        public Fields entry(String v) { entry = v; return this; }
        public Fields why(String v) { why = v; return this; }
        public Fields count(int v) { count = v; return this; }
        public Fields pfns(List<Integer> v) { pfns = List.copyOf(v); return this; }

        /** The set fields, in declaration order (tests compare traces by it). */
        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            Object[][] all = {{"hook", hook}, {"site", site}, {"cite", cite}, {"device", device}, {"space", space}, {"start", start}, {"end", end},
                    {"address", address}, {"write", write}, {"pfn", pfn}, {"gen", gen}, {"level", level}, {"result", result},
                    {"entry", entry}, {"why", why}, {"count", count}, {"pfns", pfns}};
            for (Object[] f : all) if (f[1] != null) b.append(b.length() > 1 ? ", " : "").append(f[0]).append('=').append(f[1]);
            return b.append('}').toString();
        }
    }

    private static final Fields NONE = new Fields();

    /**
     * Where the engine is when an event happens: the statement, its place in the script,
     * the operation and phase running. Each event is stamped with it.
     */
    public interface Position {
        int statementNo();

        Where statementAt();

        String operation();

        String phase();

        /** The budget every event counts against. */
        StepMeter meter();
    }

    private final Position w;
    private final List<Event> events = new ArrayList<>();
    private int statementFirstEvent;
    private boolean keep = true;
    private int limit = 1_000_000;
    /**
     * Events before the first one held: a world restored to a snapshot taken when its
     * trace was longer than this world's (an explorer worker's fresh world) numbers its
     * next event as the snapshot's world would have, whatever this world did before.
     */
    private int offset;

    public Trace(Position w) {
        this.w = w;
    }

    /**
     * Keep no events, hooks included: the explorer's inner runs, whose trace nothing reads
     * (a counterexample is rendered by replaying its schedule with everything kept).
     * Events still count against the step budget.
     */
    public void setKeep(boolean keep) {
        this.keep = keep;
    }

    /** An event not recorded: counted against the budget, as {@link #event} would. */
    public void skipped() {
        w.meter().step();
    }

    /** Whether events are kept (callers skip building their text when not). */
    public boolean keeping() {
        return keep;
    }

    /** Whether the trace holds as many events as it keeps: later ones are counted, not kept (a hot path skips building their text). */
    public boolean full() {
        return events.size() >= limit;
    }

    public void event(String type, String text) {
        event(type, text, NONE);
    }

    public void event(String type, String text, Fields f) {
        w.meter().step();
        if (!keep) return;
        add(type, text, w.statementAt(), f);
    }

    /**
     * An event a front end records: an expectation's result (type "expect") at the
     * expectation's own place. Kept only while the trace keeps events.
     */
    public void record(String type, String text, Where at, Fields f) {
        if (keep) add(type, text, at, f);
    }

    private void add(String type, String text, Where at, Fields f) {
        if (events.size() >= limit) return;
        events.add(new Event(offset + events.size() + 1, w.statementNo(), at, w.operation(), w.phase(), type, text, f == null ? NONE : f));
    }

    public void statementStarted() {
        statementFirstEvent = events.size();
    }

    /** Hooks, phase steps and device accesses of the current statement: the sequence a report shows. */
    public List<String> hooksThisStatement() {
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
        int from = Math.max(0, Math.min(seq - offset, events.size()));
        return List.copyOf(events.subList(from, events.size()));
    }

    public int size() {
        return offset + events.size();
    }

    public void truncate(int size) {
        if (size < offset || size > offset + events.size()) { // not a prefix of what is held: start again at size
            events.clear();
            offset = size;
            statementFirstEvent = 0;
            return;
        }
        while (offset + events.size() > size) events.remove(events.size() - 1);
    }
}
