package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * mm/oom_kill.c: the OOM reaper's __oom_reap_task_mm (4.6+).
 */
public final class OomReaper {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    public OomReaper(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /**
     * oom-reap: __oom_reap_task_mm. Where the profile has no reaper (before 4.6) this is an
     * error. 4.14/4.15 skip an mm with subscribers altogether (4.6-4.13 reaped it with no
     * start/end; 4.16-4.18 skip only blockable notifiers); otherwise, per anon or
     * private VMA: gather, a non-blocking start (6.5+: may fail with -EAGAIN, then the VMA
     * is skipped and end is not called), zap, end, tlb_finish_mmu. VMAs and page tables
     * stay. Phases: start, clear, end, flush, free, batch-flush (per VMA).
     */
    public void oomReap(Space s, PhaseListener l) {
        if (!w.profile.hasSite(Sites.OOM_REAP_START))
            throw new EngineException(w.profile.name + " has no OOM reaper (it arrived in 4.6)", "use exit, or a later profile");
        run.beginOp("oom-reap", s);
        if (w.profile.oomReaperSkipsSubscribed && w.notifier.hasSubscribers(s)) {
            w.trace.event("oom", s.name + " has mmu notifiers: the OOM reaper skips it (mm_has_notifiers) and sets MMF_OOM_SKIP");
            run.endOp();
            return;
        }
        for (Vma v : List.copyOf(s.vmas.values())) {
            if (v.shared && !v.anon) continue; // only anonymous or private memory is reaped
            if (v.hugetlb) continue; // __oom_reap_task_mm skips VM_HUGETLB
            Range r = v.range();
            MmuGather tlb = new MmuGather(s, r, false, w.gatherBatch);
            run.step("start");
            if (!w.fireStartNonblock(s, Sites.OOM_REAP_START, r)) {
                w.trace.event("oom", "non-blocking start failed for " + r + ": this VMA is skipped, no end");
                continue;
            }
            run.phase("start", l);
            run.step("clear");
            vmm.zap.zap(s, tlb, r, l);
            run.phase("clear", l);
            run.step("end");
            w.fire(s, Sites.OOM_REAP_END, r);
            run.phase("end", l);
            run.step("flush");
            vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
            run.phase("flush", l);
            run.step("free");
            vmm.zap.tlbFlushMmuFree(tlb);
            run.phase("free", l);
        }
        run.endOp();
    }
}
