package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * Transparent huge pages: mm/khugepaged.c (mm/huge_memory.c before 4.8) collapse,
 * khugepaged_scan_pmd, collapse_huge_page and retract_page_tables; mm/huge_memory.c
 * __split_huge_pmd (__split_huge_page_pmd and the splitting pass in 3.x).
 */
public final class Thp {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    public Thp(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    private Range hugeRange(Space s, long va, String op) {
        long base = va & -Addr.PMD_SIZE;
        Range r = new Range(base, base + Addr.PMD_SIZE);
        Vma v = s.findVma(base);
        if (v == null || !v.huge || v.start > base || v.end < r.end())
            throw new EngineException(op + " " + s.name + " " + Addr.hex(base) + ": needs a huge-eligible VMA covering the whole 2M range " + r,
                    "map " + s.name + " " + Addr.hex(base) + " +2M rw anon huge");
        return r;
    }

    /**
     * collapse: khugepaged on the 2M range at va. Anonymous VMA: khugepaged_scan_pmd
     * (young bits, then ->test_young for a PTE that is not young; a range nobody
     * referenced, with no writable PTE, or with a shared page is left alone), then
     * collapse_huge_page under the mmap lock held for write (faults wait): start; clear
     * the PMD that points at the PTE table and flush; end; copy each small page into the
     * huge page and free it (no hook); set the huge PMD, the PTE table kept as its deposit.
     * File VMA: the small pages are zapped (unmap_mapping_range, with its own hooks), then
     * retract_page_tables clears the PMD and frees the PTE table (4.8+; no start/end before
     * the fix, kernel-reference §7 #9). Phases: start, clear-pmd, end, copy, set (anon);
     * unmap, start, clear-pmd, end, free-table (file).
     */
    public void collapse(Space s, long va, PhaseListener l) {
        run.beginOp("collapse", s);
        Range r = hugeRange(s, va, "collapse");
        long base = r.start();
        Vma v = s.findVma(base);
        if (s.pageTable.isHuge(base)) throw new EngineException("collapse " + s.name + " " + Addr.hex(base) + ": already a huge page");
        if (!v.anon) {
            retract(s, r, l);
            run.endOp();
            return;
        }
        boolean referenced = false, writable = false;
        int present = 0;
        String why = null;
        for (long a : s.pageTable.populated(r)) {
            long pte = s.pageTable.get(a);
            if (!Pte.present(pte)) { why = "a swap or migration entry at " + Addr.hex(a); break; }
            int pfn = Pte.pfn(pte);
            if (pfn != PhysMem.ZERO_PFN && w.mem.mapcount(pfn) != 1) { why = "pfn " + pfn + " is shared"; break; }
            present++;
            writable |= Pte.writable(pte);
            referenced |= Pte.young(pte) || w.fireYoung(s, Sites.COLLAPSE_SCAN_YOUNG, Range.page(a));
        }
        if (why == null && present == 0) why = "no page is mapped";
        if (why == null && !writable) why = "no writable PTE";
        if (why == null && !referenced) why = "nothing referenced the range (young bits and test_young)";
        if (why != null) {
            w.trace.event("khugepaged", "not collapsing " + r + ": " + why);
            run.endOp();
            return;
        }
        int huge = w.mem.allocHuge(); // khugepaged_alloc_page
        s.mmapWriteLocked = true;
        int table = clearPmdWindow(s, r, base, Sites.COLLAPSE_START, Sites.COLLAPSE_PMD_CLEAR, Sites.COLLAPSE_END, l);
        run.step("copy");
        long[] ptes = w.mem.table(table);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            long pte = ptes[k];
            if (pte == Pte.NONE) continue;
            int pfn = Pte.pfn(pte);
            w.mem.setValue(huge + k, w.mem.value(pfn));
            s.pageTable.setDetached(table, base + ((long) k << Addr.PAGE_SHIFT), Pte.NONE); // no flush, no notifier
            w.mem.removeMap(pfn);
            w.mem.put(pfn); // free_page_and_swap_cache
        }
        run.phase("copy", l);
        run.step("set");
        run.lockPtl(s);
        s.deposits.put(base, table); // pgtable_trans_huge_deposit: the same table
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.addMap(huge + k);
        s.pageTable.set(base, Pte.make(huge, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG | Pte.HUGE));
        run.unlockPtl(s);
        s.mmapWriteLocked = false;
        run.phase("set", l);
        run.endOp();
    }

    /** The file side of collapse: unmap the small pages, then retract_page_tables. */
    private void retract(Space s, Range r, PhaseListener l) {
        if (!w.profile.hasSite(Sites.RETRACT_START))
            throw new EngineException(w.profile.name + "'s khugepaged collapses anonymous memory only (file and shmem collapse came in 4.8)",
                    "use an anon huge mapping, or linux-4.15 and later");
        long base = r.start();
        run.step("unmap");
        if (!s.pageTable.populated(r).isEmpty()) vmm.dontneed(s, r, PhaseListener.NONE); // unmap_mapping_range of each small page
        run.phase("unmap", l);
        if (s.pageTable.tableAt(base, 1) < 0) {
            w.trace.event("khugepaged", "no page table to retract at " + r);
            return;
        }
        s.mmapWriteLocked = true; // mmap write-trylock (4.15, 6.5); 6.8 holds i_mmap only
        int table = clearPmdWindow(s, r, base, Sites.RETRACT_START, Sites.RETRACT_PMD_CLEAR, Sites.RETRACT_END, l);
        run.step("free-table");
        w.mem.free(table); // pte_free (4.15: right after the flush; 6.5 after end; 6.8 pte_free_defer)
        s.mmapWriteLocked = false;
        run.phase("free-table", l);
    }

    /**
     * split: __split_huge_pmd on the huge PMD at va. 3.16/3.19 open and close a window
     * before anything changes, then a separate splitting pass has its own; the map pass
     * that writes the PTEs fires nothing. From 4.5 one window surrounds it (only_end in
     * 4.15/6.5). Under the PMD lock: withdraw the deposited table, write 512 PTEs to the
     * same subpages, pmdp_invalidate (CPU flush; 6.6+ the secondary flush too), populate
     * the PMD. Nothing is freed. Phases: start, split, end.
     */
    public void split(Space s, long va, PhaseListener l) {
        run.beginOp("split", s);
        Range r = hugeRange(s, va, "split");
        long base = r.start();
        long pmd = s.pageTable.get(base);
        if (!Pte.huge(pmd) || !Pte.present(pmd))
            throw new EngineException("split " + s.name + " " + Addr.hex(base) + ": no huge page is mapped there", "collapse it first");
        run.step("start");
        w.fire(s, Sites.SPLIT_START, r);
        w.fire(s, Sites.SPLIT_EARLY_END, r);
        w.fire(s, Sites.SPLITTING_START, r);
        w.fire(s, Sites.SPLITTING_END, r);
        run.phase("start", l);
        run.step("split");
        run.lockPtl(s);
        Integer dep = s.deposits.remove(base);
        int table = dep != null ? dep : w.mem.alloc(FrameKind.PAGE_TABLE);
        int pfn = Pte.pfn(pmd);
        long flags = Pte.PRESENT | (pmd & (Pte.WRITE | Pte.DIRTY | Pte.YOUNG));
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            s.pageTable.setDetached(table, base + ((long) k << Addr.PAGE_SHIFT), Pte.make(pfn + k, flags));
        }
        run.clearFlushNotify(s, base, r, Sites.SPLIT_INVALIDATE); // pmdp_invalidate
        s.pageTable.populatePmd(base, table);
        run.phase("split", l);
        run.unlockPtl(s);
        run.step("end");
        w.fire(s, Sites.SPLIT_END, r);
        run.phase("end", l);
        run.endOp();
    }

    /**
     * The window both khugepaged paths open around taking the PTE table out of the PMD
     * (collapse_huge_page, retract_page_tables): start, pmdp_collapse_flush under the
     * PMD lock, end; each site's hooks are the profile's. Returns the detached table.
     */
    private int clearPmdWindow(Space s, Range r, long base, String startSite, String clearSite, String endSite, PhaseListener l) {
        run.step("start");
        w.fire(s, startSite, r);
        run.phase("start", l);
        run.step("clear-pmd");
        run.lockPtl(s);
        int table = s.pageTable.detachPteTable(base);
        run.cpuFlush(s, r);
        w.fire(s, clearSite, r);
        run.unlockPtl(s);
        run.phase("clear-pmd", l);
        run.step("end");
        w.fire(s, endSite, r);
        run.phase("end", l);
        return table;
    }
}
