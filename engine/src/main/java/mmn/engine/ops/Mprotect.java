package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * mprotect as a step program: mm/mprotect.c mprotect_fixup -> change_protection. The
 * notifier window closes before the CPU flush, so the device hears of the downgrade
 * before the CPU does.
 *
 * <pre>
 *   start   the VMAs split and given the new protection; invalidate_range_start (Sites.MPROTECT_START)
 *   change  change_pte_range over every PTE table, each under its PTL (6.0+: each
 *           demoted PTE's range gathered, tlb_flush_pte_range / change_huge_pmd's 2M)
 *   end     invalidate_range_end (Sites.MPROTECT_END)
 *   flush   flush_tlb_range of the range (before 6.0), or tlb_finish_mmu of what was
 *           gathered (6.0+, nothing if no PTE needed it); Sites.MPROTECT_FLUSH
 * </pre>
 * A range of hugetlb VMAs goes through hugetlb_change_protection instead, once per VMA,
 * each a step program of its own ({@link Hugetlb.ChangeProtection}) this one steps.
 */
final class Mprotect extends OpFrame {
    private static final int BEGIN = 0, CHANGE = 1, END = 2, FLUSH = 3, RETURN = 4, HUGETLB = 5;

    private final String space;
    private final Range r;
    private final int prot;
    /** 6.0+: the mmu_gather's range, widened by tlb_flush_pte_range (null: nothing gathered). */
    private Range gathered;
    /** hugetlb: the VMAs' starts, the next to change, and hugetlb_change_protection's frame for the current one. */
    private long[] hugetlb;
    private int nextHugetlb;
    private OpFrame callee;

    Mprotect(String space, Range r, int prot) {
        this.space = space;
        this.r = r;
        this.prot = prot;
    }

    @Override
    public String name() {
        return "mprotect";
    }

    @Override
    public String step(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        switch (pc) {
            case BEGIN: {
                run.beginOp("mprotect", s);
                vmm.hugetlb.checkHugetlbCut(s, r, "mprotect");
                vmm.hugetlb.hugetlbSplitUnshare(s, r);
                s.splitAt(r);
                List<Vma> vmas = s.vmasIn(r);
                if (vmas.isEmpty()) throw new EngineException("mprotect on " + r + ": no VMA there (-ENOMEM)");
                for (Vma v : vmas) v.prot = prot;
                long hugetlb = vmas.stream().filter(v -> v.hugetlb).count();
                if (hugetlb > 0) {
                    if (hugetlb < vmas.size())
                        throw new EngineException("mprotect " + r + " spans hugetlb and other VMAs; the model takes one kind per call",
                                "one mprotect per VMA");
                    // change_protection -> hugetlb_change_protection, once per VMA (mprotect_fixup)
                    this.hugetlb = vmas.stream().mapToLong(v -> v.start).toArray();
                    pc = HUGETLB;
                    return changeHugetlb(k);
                }
                return fireAt(k, "start", s, Sites.MPROTECT_START, r, CHANGE);
            }
            case CHANGE: {
                run.step("change");
                List<Long> addrs = s.pageTable.populated(r);
                int i = 0;
                while (i < addrs.size()) {
                    long table = addrs.get(i) & -Addr.PMD_SIZE;
                    run.lockPtl(s);
                    while (i < addrs.size() && (addrs.get(i) & -Addr.PMD_SIZE) == table) {
                        long va = addrs.get(i++);
                        long pte = s.pageTable.get(va);
                        if (!Pte.mapsPage(pte)) continue;
                        Vma v = s.findVma(va);
                        long changed = Vmm.changePte(pte, v, prot);
                        s.pageTable.set(va, changed);
                        if (vmm.pteNeedsFlush(pte, changed)) {
                            // change_pte_range: tlb_flush_pte_range of the page; a huge PMD's change_huge_pmd:
                            // tlb_flush_pmd_range(tlb, addr, HPAGE_PMD_SIZE), the whole 2M (mm/huge_memory.c, 6.0+)
                            Range page = Pte.huge(pte) ? new Range(va & -Addr.PMD_SIZE, (va & -Addr.PMD_SIZE) + Addr.PMD_SIZE) : Range.page(va);
                            gathered = gathered == null ? page : gathered.union(page);
                        }
                    }
                    run.unlockPtl(s);
                }
                pc = END;
                return run.reach("change");
            }
            case END:
                return fireAt(k, "end", s, Sites.MPROTECT_END, r, FLUSH);
            case FLUSH:
                run.step("flush");
                if (!k.profile.mprotectGathers()) {
                    run.cpuFlush(s, r);
                    k.fire(s, Sites.MPROTECT_FLUSH, r);
                } else if (gathered != null) {
                    // do_mprotect_pkey -> tlb_finish_mmu: the gathered range only, and nothing if no PTE needed a flush
                    run.cpuFlush(s, gathered);
                    k.fire(s, Sites.MPROTECT_FLUSH, gathered);
                }
                pc = RETURN;
                return run.reach("flush");
            case RETURN:
                return returnOp(k);
            case HUGETLB:
                return changeHugetlb(k);
            default:
                throw returned();
        }
    }

    /** hugetlb_change_protection of each VMA in turn, stepped: its next phase point, or the return after the last. */
    private String changeHugetlb(Kernel k) {
        while (true) {
            if (callee == null) {
                if (nextHugetlb == hugetlb.length) return returnOp(k);
                callee = new Hugetlb.ChangeProtection(space, hugetlb[nextHugetlb++], prot);
            }
            String p = callee.step(k);
            if (p != null) return p;
            callee = null;
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Mprotect c = new Mprotect(space, r, prot);
        c.pc = pc;
        c.gathered = gathered;
        c.hugetlb = hugetlb; // never written after BEGIN: shared
        c.nextHugetlb = nextHugetlb;
        c.callee = callee == null ? null : callee.copyFor(k);
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(r.start()).put(r.end()).put(prot);
        if (gathered == null) h.put(-1);
        else h.put(gathered.start()).put(gathered.end());
        if (hugetlb != null) { // nothing otherwise: a key without hugetlb is as before
            h.put(hugetlb.length).put(nextHugetlb);
            for (long v : hugetlb) h.put(v);
            if (callee == null) h.put(-1);
            else callee.hashInto(h);
        }
    }
}
