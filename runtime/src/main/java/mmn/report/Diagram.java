package mmn.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One sequence diagram: a statement that raised a violation or failed an expectation,
 * or an explore's counterexample. {@code rows} are its events in order, each with the
 * counterexample step it belongs to (0 for a plain statement); {@code focus} the
 * violation it shows (null for a failed expectation without one).
 */
public record Diagram(String id, String title, TraceDoc.At at, List<Row> rows, TraceDoc.Violation focus, String verdict) {

    /** An event and the counterexample step it ran in ("3. T1 dma gpu A 0x400000 read"), or null. */
    public record Row(TraceDoc.Event event, String step) {}

    /** The diagrams of a file: one per statement with a finding, one per explore counterexample, in script order. */
    public static List<Diagram> of(TraceDoc.FileRun f, int fileNo) {
        List<Diagram> out = new ArrayList<>();
        Map<Integer, List<TraceDoc.Event>> byStatement = new TreeMap<>();
        for (TraceDoc.Event e : f.events()) {
            if (e.statement() != null) byStatement.computeIfAbsent(e.statement(), k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<Integer, List<TraceDoc.Event>> st : byStatement.entrySet()) {
            List<TraceDoc.Event> evs = st.getValue();
            TraceDoc.Event firstViolation = evs.stream().filter(e -> e.kind().equals("violation")).findFirst().orElse(null);
            TraceDoc.Event failedExpect = evs.stream().filter(e -> e.kind().equals("expect") && "failed".equals(e.result()))
                    .findFirst().orElse(null);
            if (firstViolation == null && failedExpect == null) continue;
            List<Row> rows = evs.stream().map(e -> new Row(e, null)).toList();
            TraceDoc.Event head = firstViolation != null ? firstViolation : failedExpect;
            TraceDoc.At at = evs.stream().filter(e -> e.at() != null && !e.kind().equals("expect")).map(TraceDoc.Event::at)
                    .findFirst().orElse(head.at());
            String title = firstViolation != null ? firstViolation.text() : "FAILED " + failedExpect.text() + ": " + failedExpect.why();
            long n = evs.stream().filter(e -> e.kind().equals("violation")).count();
            if (n > 1) title += " (+" + (n - 1) + " more)";
            out.add(new Diagram("f" + fileNo + "-s" + st.getKey(), title, at, rows, firstViolation == null ? null : asViolation(firstViolation),
                    firstViolation != null ? "violation" : "failed"));
        }
        int x = 0;
        for (TraceDoc.Explore e : f.explores()) {
            x++;
            if (e.counterexample() == null) continue;
            List<Row> rows = new ArrayList<>();
            for (TraceDoc.Step s : e.counterexample().steps()) {
                String step = s.n() + ". " + s.thread() + " " + s.label();
                if (s.events().isEmpty()) rows.add(new Row(null, step));
                for (TraceDoc.Event ev : s.events()) rows.add(new Row(ev, step));
            }
            TraceDoc.Violation v = e.counterexample().violation();
            out.add(new Diagram("f" + fileNo + "-x" + x, "explore counterexample: " + v.kind() + (v.device() != null ? " on " + v.device() : "")
                    + " (" + e.counterexample().steps().size() + " steps)", e.at(), rows, v, "held".equals(e.result()) ? "expected" : "violation"));
        }
        return out;
    }

    private static TraceDoc.Violation asViolation(TraceDoc.Event e) {
        return new TraceDoc.Violation(e.result(), null, e.operation(), e.phase(), e.device(), e.entry(), e.pfn(), e.gen(), e.why());
    }

    /** Lanes left to right: the operation, the notifier hooks, then one per device in order of appearance. */
    public List<String> lanes() {
        List<String> lanes = new ArrayList<>(List.of(OPERATION, HOOKS));
        for (Row r : rows) {
            String d = r.event() == null ? null : r.event().device();
            if (d != null && !lanes.contains(d)) lanes.add(d);
        }
        return lanes;
    }

    public static final String OPERATION = "operation";
    public static final String HOOKS = "notifier hooks";

    /** The lane an event is drawn in. */
    static String laneOf(TraceDoc.Event e) {
        if (e.kind().equals("hook")) return HOOKS;
        if (e.device() != null) return e.device();
        return OPERATION;
    }

    /**
     * The device event the violation is about, or -1: in a counterexample, the device's
     * access or fault-path step in the step that raised it (a driver's install after its
     * PTE read went stale); else the device's last access before the violation (the one
     * that refilled or used a stale translation).
     */
    int violatingRow() {
        if (focus == null || focus.device() == null) return -1;
        int violation = firstViolationRow();
        if (violation == rows.size()) return -1;
        String step = rows.get(violation).step();
        if (step != null) {
            for (int d = 1; d < rows.size(); d++) { // nearest first, before before after
                for (int i : new int[] {violation - d, violation + d}) {
                    if (i < 0 || i >= rows.size() || !step.equals(rows.get(i).step())) continue;
                    if (isDeviceUse(rows.get(i).event())) return i;
                }
            }
        }
        for (int i = violation - 1; i >= 0; i--) {
            TraceDoc.Event e = rows.get(i).event();
            if (e != null && e.kind().equals("access") && focus.device().equals(e.device())) return i;
        }
        return -1;
    }

    private boolean isDeviceUse(TraceDoc.Event e) {
        return e != null && focus.device().equals(e.device()) && (e.kind().equals("access") || e.kind().equals("fault"));
    }

    int firstViolationRow() {
        for (int i = 0; i < rows.size(); i++) {
            TraceDoc.Event e = rows.get(i).event();
            if (e != null && e.kind().equals("violation")) return i;
        }
        return rows.size();
    }

    /** Whether the event gave the violation's frame back (a free whose batch holds it). */
    boolean freesFocusFrame(TraceDoc.Event e) {
        return focus != null && focus.pfn() != null && e.kind().equals("free") && e.pfns() != null && e.pfns().contains(focus.pfn());
    }
}
