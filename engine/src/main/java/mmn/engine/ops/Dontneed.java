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
 * madvise(MADV_DONTNEED) as a step program: mm/madvise.c -> zap_page_range (page tables
 * and VMAs stay).
 *
 * <pre>
 *   start   mmu_notifier_invalidate_range_start  (Sites.ZAP_START; hugetlb widens the range)
 *   clear   unmap_single_vma per VMA, zap_pte_range per PTE table (batch-flush when full)
 *   end     mmu_notifier_invalidate_range_end    (Sites.ZAP_END)
 *   flush   tlb_finish_mmu: the last flush        (Sites.GATHER_FINISH)
 *   free    tlb_finish_mmu: the gathered pages freed
 * </pre>
 */
final class Dontneed extends ZapFrame {
    private static final int BEGIN = 0, CLEAR = 1, ZAP = 2, ZAP_AGAIN = 3, END = 4, FINISH_FLUSH = 5, FINISH_FREE = 6, RETURN = 7;

    private final Range r;
    /** The notifier's range: r, widened for hugetlb PMD sharing. */
    private Range nr;

    Dontneed(String space, Range r) {
        super(space);
        this.r = r;
    }

    @Override
    public String name() {
        return "dontneed";
    }

    @Override
    public String step(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            String p;
            switch (pc) {
                case BEGIN: {
                    run.beginOp("dontneed", s);
                    List<Vma> vmas = new ArrayList<>();
                    for (Vma v : s.vmas.values()) if (r.overlaps(v.start, v.end)) vmas.add(v);
                    if (vmas.isEmpty()) throw new EngineException("madvise(MADV_DONTNEED) on " + r + ": no VMA there (-ENOMEM)");
                    nr = r;
                    for (Vma v : vmas) {
                        if (!v.hugetlb) continue;
                        if (!k.profile.hugetlbDontneed())
                            throw new EngineException("madvise(MADV_DONTNEED) on the hugetlb VMA " + v.range() + ": -EINVAL in " + k.profile.name
                                    + " (can_madv_dontneed_vma refuses VM_HUGETLB before 5.18)", "munmap it, or use linux-6.5 and later");
                        vmm.hugetlb.checkHugetlbCut(s, r, "madvise(MADV_DONTNEED)");
                        // zap_page_range_single (6.5) / hugetlb_zap_begin (6.8): the notifier range widened for PMD sharing
                        nr = nr.union(vmm.hugetlb.adjustRangeIfPmdSharingPossible(v, new Range(Math.max(v.start, r.start()), Math.min(v.end, r.end()))));
                    }
                    unmap = new Zap.UnmapVmas(vmas, r);
                    tlb = new MmuGather(s, r, false, k.gatherBatch);
                    run.step("start");
                    k.fire(s, Sites.ZAP_START, nr);
                    pc = CLEAR;
                    return run.reach("start");
                }
                case CLEAR:
                    run.step("clear");
                    pc = ZAP;
                    continue;
                case ZAP:
                    if ((p = zapOn(k, ZAP_AGAIN)) != null) return p;
                    pc = END;
                    return run.reach("clear");
                case ZAP_AGAIN:
                    resume(k, "clear", ZAP);
                    continue;
                case END:
                    run.step("end");
                    k.fire(s, Sites.ZAP_END, nr);
                    pc = FINISH_FLUSH;
                    return run.reach("end");
                case FINISH_FLUSH:
                    return finishFlush(k, FINISH_FREE);
                case FINISH_FREE:
                    finishFree(k);
                    pc = RETURN;
                    return run.reach("free");
                case RETURN:
                    return returnOp(k);
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Dontneed c = copyZap(new Dontneed(space, r), k);
        c.nr = nr;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashZap(h);
        h.put(r.start()).put(r.end());
        if (nr != null) h.put(nr.start()).put(nr.end());
    }
}
