package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.DriverFault;
import mmn.engine.device.KvmDevice;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.TranslationCache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a search hit its bound, for the person who has to decide what to do: one schedule
 * that reached the bound (the first of the last level: the lexicographically smallest
 * among the longest), and the parts of the state that kept changing along it, e.g. a
 * driver fault's retries growing while nothing else moves (a loop the state key does not
 * close). {@code changing}: each part with its first and last value and how often it
 * changed, most often first.
 */
public record BoundReport(List<String> changing, Counterexample schedule) {
    /** Parts changing fewer times than this along the schedule are not listed. */
    static final int MIN_CHANGES = 3;

    public String render() {
        StringBuilder b = new StringBuilder();
        if (changing.isEmpty()) b.append("  no single part of the state kept changing along the schedule below: the space is wide, not looping\n");
        else b.append("  kept changing along the schedule below:\n");
        for (String c : changing) b.append("    ").append(c).append('\n');
        b.append(schedule.render("one schedule that reached the bound"));
        return b.toString();
    }

    /**
     * Named parts of the world a person can relate to (public accessors only): fault
     * counters, driver faults in flight, notifier sequences, cache sizes, frames in use.
     */
    static Map<String, Long> probe(World w) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("frames in use", (long) w.memory().usedFrames());
        for (String n : w.deviceNames()) {
            Device d = w.device(n);
            m.put(n + ": faults taken", d.faults());
            m.put(n + ": faults in this operation", d.opFaults());
            for (TranslationCache c : d.caches()) m.put(c.label() + ": entries", (long) c.size());
            for (DriverFault f : d.faultsInFlight()) {
                m.put(n + ": " + f + " retries", (long) f.retries());
                m.put(n + ": " + f + " next step", (long) f.nextStepIndex());
            }
            if (d instanceof KvmDevice k) {
                m.put(n + ": mmu_invalidate_seq", k.mmuSeq());
                m.put(n + ": mmu_invalidate_in_progress", (long) k.count());
            }
            if (d instanceof MirrorDevice md && md.interval() != null) m.put(n + ": interval seq", md.interval().seq());
            if (d instanceof AtsDevice a) m.put(n + ": page requests in flight", (long) a.pendingRequests().size());
        }
        return m;
    }

    /**
     * The parts whose value changed at least MIN_CHANGES times along the probes: first
     * those that only grew (a counter no loop brings back: what keeps states apart), then
     * those that went up and down (program counters going round a loop), most changes first.
     */
    static List<String> changing(List<Map<String, Long>> probes) {
        record Part(String name, long first, long last, int changes, boolean grows) {}
        Map<String, Long> first = new LinkedHashMap<>();
        Map<String, Long> prev = new LinkedHashMap<>();
        Map<String, Integer> changes = new LinkedHashMap<>();
        Map<String, Boolean> grows = new LinkedHashMap<>();
        for (Map<String, Long> p : probes) {
            for (Map.Entry<String, Long> e : p.entrySet()) {
                first.putIfAbsent(e.getKey(), e.getValue());
                Long was = prev.put(e.getKey(), e.getValue());
                if (was != null && !was.equals(e.getValue())) {
                    changes.merge(e.getKey(), 1, Integer::sum);
                    grows.merge(e.getKey(), e.getValue() > was, Boolean::logicalAnd);
                }
            }
        }
        List<Part> parts = new ArrayList<>();
        changes.forEach((k, n) -> {
            if (n >= MIN_CHANGES) parts.add(new Part(k, first.get(k), prev.get(k), n, grows.get(k)));
        });
        parts.sort((a, b) -> a.grows() != b.grows() ? (a.grows() ? -1 : 1) : Integer.compare(b.changes(), a.changes()));
        List<String> out = new ArrayList<>();
        for (Part p : parts) {
            out.add(p.name() + ": " + p.first() + " -> " + p.last() + (p.grows() ? ", only grew" : "") + " (changed " + p.changes() + " times)");
        }
        return out;
    }
}
