package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.check.Trace;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;

/**
 * What every operation runs on: the operation and its micro-steps (a step names where
 * violations are reported; a phase ends a step, is traced, and runs the device actions
 * injected after it), the page-table lock, the CPU TLB flush and the clear-flush-notify
 * sequence. The operations depend on this and on the kernel's state, not on each other.
 */
final class OpRunner {
    private final Kernel w;

    OpRunner(Kernel w) {
        this.w = w;
    }

    /** The operation and phase an operation interrupted (an operation injected at another's phase). */
    private final java.util.ArrayDeque<String[]> outer = new java.util.ArrayDeque<>();

    void beginOp(String name, Space s) {
        if (s.exited) throw new EngineException(s.name + " has exited; no further operations on it");
        outer.push(new String[] {w.operation, w.phase});
        w.operation = name;
        w.phase = null;
    }

    /** A micro-step begins: violations found inside it are reported against its phase. */
    void step(String name) {
        w.phase = name;
    }

    /** A micro-step ended: announce it and run the actions injected after it. */
    void phase(String name, PhaseListener l) {
        reach(name);
        l.after(name);
    }

    /**
     * A micro-step ended at a phase point, announced: a step program returns here and its
     * driver (a scripted run, or the explorer) decides what runs next.
     */
    String reach(String name) {
        w.phase = name;
        if (w.trace.keeping()) w.trace.event("step", w.operation + ": " + name, new Trace.Fields().result(name));
        return name;
    }

    void endOp() {
        String[] o = outer.isEmpty() ? new String[] {w.operation, null} : outer.pop();
        w.operation = o[0] == null ? w.operation : o[0];
        w.phase = o[1];
    }

    void lockPtl(Space s) {
        s.ptlDepth++;
    }

    void unlockPtl(Space s) {
        s.ptlDepth--;
    }

    /**
     * ptep_clear_flush_notify (pmdp_invalidate, huge_ptep_clear_flush for the bigger
     * entries): the entry cleared under the PTL, the CPU TLB flushed for r, then what the
     * profile fires at the site (3.19-6.5: invalidate_range; earlier kernels: nothing
     * here, the caller's start/end bracket the change).
     */
    void clearFlushNotify(Space s, long va, Range r, String site) {
        s.pageTable.set(va, Pte.NONE);
        cpuFlush(s, r);
        w.fire(s, site, r);
    }

    /** flush_tlb_range / flush_tlb_page on the CPU side. */
    void cpuFlush(Space s, Range r) {
        int n = r.equals(Range.ALL) ? s.cpuTlb.flushAll() : s.cpuTlb.flush(r);
        if (w.trace.keeping()) w.trace.event("flush", "cpu(" + s.name + ") " + r + ": " + n + " entries",
                new Trace.Fields().device("cpu").space(s.name).range(r).count(n));
    }
}
