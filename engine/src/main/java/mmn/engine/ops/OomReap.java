package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.ArrayList;
import java.util.List;

/**
 * oom-reap as a step program: mm/oom_kill.c __oom_reap_task_mm. Where the profile has no
 * reaper (before 4.6) this is an error. 4.14/4.15 skip an mm with subscribers altogether
 * (4.6-4.13 reaped it with no start/end; 4.16-4.18 skip only blockable notifiers).
 * Otherwise, per anonymous or private VMA (hugetlb skipped), with its own gather:
 *
 * <pre>
 *   start   a non-blocking mmu_notifier_invalidate_range_start (Sites.OOM_REAP_START;
 *           6.5+: may fail with -EAGAIN, then the VMA is skipped and end is not called)
 *   clear   zap_pte_range per PTE table (batch-flush when full)
 *   end     mmu_notifier_invalidate_range_end (Sites.OOM_REAP_END)
 *   flush   tlb_finish_mmu: the flush (Sites.GATHER_FINISH)
 *   free    tlb_finish_mmu: the pages freed
 * </pre>
 * VMAs and page tables stay.
 */
final class OomReap extends ZapFrame {
    private static final int BEGIN = 0, NEXT_VMA = 1, CLEAR = 2, ZAP = 3, ZAP_AGAIN = 4, END = 5, FLUSH = 6, FREE = 7;

    /** The VMAs to reap, as [start, end) pairs taken when the reaper began, and the next one. */
    private long[] ranges;
    private int next;
    /** zap_pte_range over the current VMA: where it stopped. */
    private Zap.ZapCursor zap;

    OomReap(String space) {
        super(space);
    }

    @Override
    public String name() {
        return "oom-reap";
    }

    private Range current() {
        return new Range(ranges[2 * next], ranges[2 * next + 1]);
    }

    @Override
    public String step(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN: {
                    if (!k.profile.hasSite(Sites.OOM_REAP_START))
                        throw new EngineException(k.profile.name + " has no OOM reaper (it arrived in 4.6)", "use exit, or a later profile");
                    run.beginOp("oom-reap", s);
                    if (k.profile.oomReaperSkipsSubscribed && k.notifier.hasSubscribers(s)) {
                        k.trace.event("oom", s.name + " has mmu notifiers: the OOM reaper skips it (mm_has_notifiers) and sets MMF_OOM_SKIP");
                        return returnOp(k);
                    }
                    List<Long> rs = new ArrayList<>();
                    for (Vma v : s.vmas.values()) {
                        if (v.shared && !v.anon) continue; // only anonymous or private memory is reaped
                        if (v.hugetlb) continue; // __oom_reap_task_mm skips VM_HUGETLB
                        rs.add(v.start);
                        rs.add(v.end);
                    }
                    ranges = rs.stream().mapToLong(Long::longValue).toArray();
                    next = 0;
                    pc = NEXT_VMA;
                    continue;
                }
                case NEXT_VMA: {
                    if (2 * next == ranges.length) {
                        return returnOp(k);
                    }
                    Range r = current();
                    tlb = new MmuGather(s, r, false, k.gatherBatch);
                    run.step("start");
                    if (!k.fireStartNonblock(s, Sites.OOM_REAP_START, r)) {
                        k.trace.event("oom", "non-blocking start failed for " + r + ": this VMA is skipped, no end");
                        next++;
                        continue;
                    }
                    pc = CLEAR;
                    return run.reach("start");
                }
                case CLEAR:
                    run.step("clear");
                    zap = new Zap.ZapCursor(s.pageTable.populated(current()));
                    pc = ZAP;
                    continue;
                case ZAP:
                    while (!zap.done()) {
                        if (vmm.zap.zapTable(s, tlb, zap)) {
                            pc = ZAP_AGAIN;
                            return "batch-flush";
                        }
                    }
                    zap = null;
                    pc = END;
                    return run.reach("clear");
                case ZAP_AGAIN:
                    resume(k, "clear", ZAP);
                    continue;
                case END:
                    run.step("end");
                    k.fire(s, Sites.OOM_REAP_END, current());
                    pc = FLUSH;
                    return run.reach("end");
                case FLUSH:
                    return finishFlush(k, FREE);
                case FREE:
                    finishFree(k);
                    next++;
                    pc = NEXT_VMA;
                    return run.reach("free");
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        OomReap c = copyZap(new OomReap(space), k);
        c.ranges = ranges; // fixed once taken: shared
        c.next = next;
        c.zap = zap == null ? null : zap.copy();
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashZap(h);
        h.put(next);
        if (ranges == null) h.put(-1);
        else {
            h.put(ranges.length);
            for (long x : ranges) h.put(x);
        }
        if (zap == null) h.put(-1);
        else zap.hashInto(h);
    }
}
