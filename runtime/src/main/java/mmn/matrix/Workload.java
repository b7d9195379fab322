package mmn.matrix;

import mmn.engine.mem.Addr;
import mmn.engine.profile.Operations;
import java.util.List;

/**
 * The standard workload of one cell, as .mmn text: a space with one mapping of the
 * cell's kind, its pages faulted in by the CPU and cached by the device, then the
 * operation on the first page (or 2M page) with the device reading and writing that
 * page, either at one named phase or as two explore threads.
 */
final class Workload {
    static final String SPACE = "A";

    final String op;
    final Mapping mapping;
    final String device;

    Workload(String op, Mapping mapping, String device) {
        this.op = op;
        this.mapping = mapping;
        this.device = device;
    }

    /** The space and its mapping: before the driver, whose notifier needs the space. */
    String prelude() {
        return "space " + SPACE + "\n" + mapping.mapLine + "\n";
    }

    /**
     * Pages faulted in by the CPU, then cached by the device. A THP is collapsed and a
     * cow's fork done before the device caches anything, so the setup itself cannot
     * leave the device stale.
     */
    String setup() {
        String x = hex(mapping.base);
        StringBuilder b = new StringBuilder();
        b.append("touch A ").append(x).append(' ').append(mapping.warm).append(" write\n");
        if (mapping == Mapping.THP && !op.equals("collapse")) b.append("collapse A ").append(x).append('\n');
        if (op.equals("cow")) b.append("fork A B\n");
        b.append("dma ").append(device).append(" A ").append(x).append(' ').append(mapping.warm).append(" read\n");
        return b.toString();
    }

    /** The operation statement, without a phase block. */
    String operation() {
        String x = hex(mapping.base);
        String r = x + " " + mapping.unit;
        switch (op) {
            case "munmap": case "dontneed": case "migrate": case "reclaim": case "age": case "remap":
                return op + " A " + r;
            case "mprotect": return "mprotect A " + r + " r";
            case "cow": case "uprobe": case "split": case "collapse": return op + " A " + x;
            case "exit": case "oom-reap": return op + " A";
            case "fork": return "fork A C";
            case "ksm": return "ksm A " + x + " A " + hex(mapping.base + Addr.PAGE_SIZE);
            case "mremap": return "mremap A " + r + " to " + hex(mapping.moveTo);
            default: throw new IllegalArgumentException("no workload for operation " + op);
        }
    }

    /** The device reads then writes the operation's first page, right after {@code phase}. */
    String atPhase(String phase) {
        return operation() + " { after " + phase + " { " + access("read") + "; " + access("write") + " } }\n";
    }

    /** Every interleaving of the operation with one reading and one writing device thread. */
    String explore() {
        return "explore { " + operation() + " } with { " + access("read") + " } with { " + access("write") + " }\n";
    }

    /**
     * The explore with the reading thread only: for an operation whose precondition
     * the writing thread can take away (a device write to a COW page runs do_wp_page
     * itself, after which `cow` has nothing to copy).
     */
    String exploreReading() {
        return "explore { " + operation() + " } with { " + access("read") + " }\n";
    }

    private String access(String rw) {
        return "dma " + device + " A " + hex(mapping.base) + " " + rw;
    }

    List<String> phases() {
        return Operations.phases(op);
    }

    /** The operations a matrix covers: every one the language runs (not the accesses). */
    static List<String> operations() {
        return Operations.names().stream().filter(o -> !o.equals("touch") && !o.equals("dma")).toList();
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
