package mmn.engine.ops;

import mmn.engine.PhaseListener;
import mmn.engine.mem.Space;

/** mm/oom_kill.c: the OOM reaper (4.6+); the reap itself is the step program {@link OomReap}. */
public final class OomReaper {
    private final Kernel w;

    public OomReaper(Kernel w) {
        this.w = w;
    }

    /** __oom_reap_task_mm on s, run whole. */
    public void oomReap(Space s, PhaseListener l) {
        w.runOp(new OomReap(s.name), l);
    }

    /** oom-reap not yet begun, as a frame to step (hugetlb VMAs are skipped: always steppable). */
    public OpFrame oomReapFrame(Space s) {
        return new OomReap(s.name);
    }
}
