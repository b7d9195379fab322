package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * collapse as a step program: khugepaged on the 2M range at va (mm/khugepaged.c, in
 * mm/huge_memory.c before 4.8).
 *
 * <p>Anonymous VMA: khugepaged_scan_pmd (young bits, then ->test_young for a PTE that is
 * not young; a range nobody referenced, with no writable PTE, or with a shared page is
 * left alone: the operation returns with no phase point), then collapse_huge_page under
 * the mmap lock held for write (faults wait):
 * <pre>
 *   start      invalidate_range_start (Sites.COLLAPSE_START)
 *   clear-pmd  under the PMD lock: the PMD that points at the PTE table cleared,
 *              pmdp_collapse_flush (Sites.COLLAPSE_PMD_CLEAR)
 *   end        invalidate_range_end (Sites.COLLAPSE_END)
 *   copy       each small page copied into the huge page and freed (no hook)
 *   set        the huge PMD set, the PTE table kept as its deposit; the mmap lock released
 * </pre>
 * File VMA (4.8+): the small pages are zapped (unmap_mapping_range, with its own hooks),
 * then retract_page_tables clears the PMD and frees the PTE table (no start/end before
 * the fix, kernel-reference §7 #9):
 * <pre>
 *   unmap      MADV_DONTNEED of the range, whole (no phase points of its own)
 *   start, clear-pmd, end   as above, with Sites.RETRACT_START, RETRACT_PMD_CLEAR, RETRACT_END
 *   free-table pte_free (4.15: right after the flush; 6.5 after end; 6.8 pte_free_defer)
 * </pre>
 */
final class Collapse extends OpFrame {
    private static final int BEGIN = 0, RETRACT = 1, CLEAR_PMD = 2, END = 3, COPY = 4, SET = 5, FREE_TABLE = 6, RETURN = 7;

    private final String space;
    private final long base;
    /** Whether the VMA is file-backed (retract_page_tables), fixed at the first step. */
    private boolean file;
    /** The huge page (anon) and the PTE table taken out of the PMD. */
    private int huge, table;

    Collapse(String space, long va) {
        this.space = space;
        this.base = va & -Addr.PMD_SIZE;
    }

    @Override
    public String name() {
        return "collapse";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        Range r = new Range(base, base + Addr.PMD_SIZE);
        switch (pc) {
            case BEGIN: {
                run.beginOp("collapse", s);
                Split.hugeRange(s, base, "collapse");
                Vma v = s.findVma(base);
                if (s.pageTable.isHuge(base)) throw new EngineException("collapse " + s.name + " " + Addr.hex(base) + ": already a huge page");
                file = !v.anon;
                if (file) {
                    if (!k.profile.hasSite(Sites.RETRACT_START))
                        throw new EngineException(k.profile.name + "'s khugepaged collapses anonymous memory only (file and shmem collapse came in 4.8)",
                                "use an anon huge mapping, or linux-4.15 and later");
                    run.step("unmap");
                    if (!s.pageTable.populated(r).isEmpty()) k.vmm.dontneed(s, r, PhaseListener.NONE); // unmap_mapping_range of each small page
                    pc = RETRACT;
                    return run.reach("unmap");
                }
                String why = scan(k, s, r);
                if (why != null) {
                    k.trace.event("khugepaged", "not collapsing " + r + ": " + why);
                    return returnOp(k);
                }
                huge = k.mem.allocHuge(); // khugepaged_alloc_page
                s.mmapWriteLocked = true;
                return windowStart(k, s, r);
            }
            case RETRACT:
                if (s.pageTable.tableAt(base, 1) < 0) {
                    k.trace.event("khugepaged", "no page table to retract at " + r);
                    return returnOp(k);
                }
                s.mmapWriteLocked = true; // mmap write-trylock (4.15, 6.5); 6.8 holds i_mmap only
                return windowStart(k, s, r);
            case CLEAR_PMD:
                run.step("clear-pmd");
                run.lockPtl(s);
                table = s.pageTable.detachPteTable(base);
                run.cpuFlush(s, r);
                k.fire(s, file ? Sites.RETRACT_PMD_CLEAR : Sites.COLLAPSE_PMD_CLEAR, r);
                run.unlockPtl(s);
                pc = END;
                return run.reach("clear-pmd");
            case END:
                run.step("end");
                k.fire(s, file ? Sites.RETRACT_END : Sites.COLLAPSE_END, r);
                pc = file ? FREE_TABLE : COPY;
                return run.reach("end");
            case COPY: {
                run.step("copy");
                long[] ptes = k.mem.table(table);
                for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) {
                    long pte = ptes[i];
                    if (pte == Pte.NONE) continue;
                    int pfn = Pte.pfn(pte);
                    k.mem.setValue(huge + i, k.mem.value(pfn));
                    s.pageTable.setDetached(table, base + ((long) i << Addr.PAGE_SHIFT), Pte.NONE); // no flush, no notifier
                    k.mem.removeMap(pfn);
                    k.mem.put(pfn); // free_page_and_swap_cache
                }
                pc = SET;
                return run.reach("copy");
            }
            case SET:
                run.step("set");
                run.lockPtl(s);
                s.deposits.put(base, table); // pgtable_trans_huge_deposit: the same table
                for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.mem.addMap(huge + i);
                s.pageTable.set(base, Pte.make(huge, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG | Pte.HUGE));
                run.unlockPtl(s);
                s.mmapWriteLocked = false;
                pc = RETURN;
                return run.reach("set");
            case FREE_TABLE:
                run.step("free-table");
                k.mem.free(table);
                s.mmapWriteLocked = false;
                pc = RETURN;
                return run.reach("free-table");
            case RETURN:
                return returnOp(k);
            default:
                throw returned();
        }
    }

    /** khugepaged_scan_pmd: why the range is left alone, or null to collapse it. */
    private static String scan(Kernel k, Space s, Range r) {
        boolean referenced = false, writable = false;
        int present = 0;
        for (long a : s.pageTable.populated(r)) {
            long pte = s.pageTable.get(a);
            if (!Pte.present(pte)) return "a swap or migration entry at " + Addr.hex(a);
            int pfn = Pte.pfn(pte);
            if (pfn != PhysMem.ZERO_PFN && k.mem.mapcount(pfn) != 1) return "pfn " + pfn + " is shared";
            present++;
            writable |= Pte.writable(pte);
            referenced |= Pte.young(pte) || k.fireYoung(s, Sites.COLLAPSE_SCAN_YOUNG, Range.page(a));
        }
        if (present == 0) return "no page is mapped";
        if (!writable) return "no writable PTE";
        if (!referenced) return "nothing referenced the range (young bits and test_young)";
        return null;
    }

    /** The window both paths open around taking the PTE table out of the PMD: its start. */
    private String windowStart(Kernel k, Space s, Range r) {
        OpRunner run = k.vmm.run;
        run.step("start");
        k.fire(s, file ? Sites.RETRACT_START : Sites.COLLAPSE_START, r);
        pc = CLEAR_PMD;
        return run.reach("start");
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Collapse c = new Collapse(space, base);
        c.pc = pc;
        c.file = file;
        c.huge = huge;
        c.table = table;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(base).put(file).put(huge).put(table);
    }
}
