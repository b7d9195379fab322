package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.TreeMap;

/**
 * mm/hugetlb.c: hugetlb_fault, hugetlb_no_page, hugetlb_cow (hugetlb_wp in 6.x),
 * huge_pmd_share / huge_pmd_unshare, adjust_range_if_pmd_sharing_possible,
 * __unmap_hugepage_range, hugetlb_vm_op_split's hugetlb_unshare_pmds,
 * hugetlb_change_protection and copy_hugetlb_page_range.
 */
final class Hugetlb {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    Hugetlb(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /** The page-cache key of a hugetlbfs file: its pages are 2M, indexed in huge pages. */
    private static String hugetlbfs(String file) {
        return "hugetlbfs:" + file;
    }

    /**
     * vma_shareable / page_table_shareable: a shared file mapping that covers the whole
     * PUD-aligned 1 GiB around va may share its PMD page with other processes.
     */
    private static boolean pmdShareable(Vma v, long va) {
        long b = va & -Addr.PUD_SIZE;
        return v.hugetlb && v.shared && !v.anon && v.start <= b && b + Addr.PUD_SIZE <= v.end;
    }

    /**
     * adjust_range_if_pmd_sharing_possible (4.19): widen r to every PUD-aligned span of a
     * shareable VMA it touches, because huge_pmd_unshare drops a whole span and the
     * caller only learns that under the PTL, after the notifier range was sent.
     */
    Range adjustRangeIfPmdSharingPossible(Vma v, Range r) {
        if (!w.profile.hugetlbPmdShareWidening() || !v.hugetlb || !v.shared || v.anon) return r;
        long start = r.start(), end = r.end();
        for (long a = r.start() & -Addr.PUD_SIZE; a < r.end(); a += Addr.PUD_SIZE) {
            if (v.start <= a && a + Addr.PUD_SIZE <= v.end) {
                start = Math.min(start, a);
                end = Math.max(end, a + Addr.PUD_SIZE);
            }
        }
        return new Range(start, end);
    }

    /**
     * huge_pmd_share (from huge_pte_alloc): if another process maps the same file pages
     * at a PUD-aligned, shareable address and has a PMD page there, point our PUD entry
     * at that page and take a count on it instead of allocating our own.
     */
    private void hugePmdShare(Space s, Vma vma, long va) {
        long pud = va & -Addr.PUD_SIZE;
        if (!pmdShareable(vma, pud) || s.pageTable.tableAt(pud, 2) >= 0) return;
        long idx = vma.fileIndex(pud);
        for (Space o : w.spaces.values()) {
            if (o == s || o.exited || o.pageTable == null || o.pageTable.root() < 0) continue;
            for (Vma ov : o.vmas.values()) {
                // page_table_shareable: same file, same flags (an mprotected VMA no longer shares)
                if (!ov.hugetlb || !ov.shared || ov.anon || !vma.file.equals(ov.file) || ov.prot != vma.prot || idx < ov.pgoff) continue;
                long oa = ov.start + ((idx - ov.pgoff) << Addr.PAGE_SHIFT);
                if ((oa & (Addr.PUD_SIZE - 1)) != 0 || !pmdShareable(ov, oa)) continue;
                int pmd = o.pageTable.tableAt(oa, 2);
                if (pmd < 0) continue;
                w.mem.get(pmd);
                s.pageTable.sharePmd(pud, pmd);
                w.trace.event("fault", s.name + " huge_pmd_share: PMD page pfn " + pmd + " of " + o.name + " for "
                        + new Range(pud, pud + Addr.PUD_SIZE) + " (count " + w.mem.refcount(pmd) + ")");
                return;
            }
        }
    }

    /**
     * huge_pmd_unshare: if va's PMD page is shared (its count above one), clear this
     * process's PUD entry and drop the count: the whole 1 GiB span is gone from this
     * space (its pages refault later), the other sharers keep it. Caller holds the PTL.
     */
    private boolean hugePmdUnshare(Space s, long va) {
        int pmd = s.pageTable.tableAt(va, 2);
        if (pmd < 0 || w.mem.refcount(pmd) <= 1) return false;
        s.pageTable.unsharePmd(va);
        w.mem.put(pmd);
        long pud = va & -Addr.PUD_SIZE;
        w.trace.event("unshare", s.name + " huge_pmd_unshare: PMD page pfn " + pmd + " for " + new Range(pud, pud + Addr.PUD_SIZE)
                + " dropped (count now " + w.mem.refcount(pmd) + ")");
        return true;
    }

    /** hugetlb_fault: hugetlb_no_page for a missing 2M page, hugetlb_cow for a write to a read-only one. */
    void hugetlbFault(Space s, Vma vma, long va, boolean write) {
        long base = va & -Addr.PMD_SIZE;
        if (!Pte.mapsPage(s.pageTable.get(base))) hugePmdShare(s, vma, base); // huge_pte_alloc
        long pte = s.pageTable.get(base);
        if (!Pte.present(pte)) {
            hugetlbNoPage(s, vma, base, write);
        } else if (write && !Pte.writable(pte)) {
            hugetlbCow(s, vma, base, pte, PhaseListener.NONE);
        } else {
            vmm.markAccessed(s, base, write);
        }
    }

    /**
     * hugetlb_no_page: a shared mapping maps the file's (or, anonymous, a fresh) huge
     * page, writable if the VMA is; a private one maps a read fault read-only and gets
     * its own copy on a write fault (hugetlb_cow right after, folded in here).
     */
    private void hugetlbNoPage(Space s, Vma vma, long base, boolean write) {
        int cached = -1;
        if (!vma.anon) {
            TreeMap<Long, Integer> pages = w.pageCache.pagesOf(hugetlbfs(vma.file));
            long idx = vma.fileIndex(base) >>> (Addr.PMD_SHIFT - Addr.PAGE_SHIFT);
            Integer c = pages.get(idx);
            if (c == null) {
                c = w.mem.allocHuge(); // the page cache holds the allocation's reference
                for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.setValue(c + k, ((long) vma.file.hashCode() << 20) ^ (idx << 9 | k));
                pages.put(idx, c);
            }
            cached = c;
        }
        int pfn;
        long flags = Pte.PRESENT | Pte.YOUNG | Pte.HUGE;
        if (vma.shared) {
            if (cached >= 0) {
                pfn = cached;
                for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.get(pfn + k);
            } else {
                pfn = w.mem.allocHuge();
            }
            if (vma.allows(true)) flags |= Pte.WRITE | (write ? Pte.DIRTY : 0);
        } else if (write || cached < 0) {
            pfn = w.mem.allocHuge();
            if (cached >= 0) for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.setValue(pfn + k, w.mem.value(cached + k));
            if (write) flags |= Pte.WRITE | Pte.DIRTY;
        } else {
            pfn = cached;
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.get(pfn + k);
        }
        run.lockPtl(s);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.addMap(pfn + k);
        s.pageTable.set(base, Pte.make(pfn, flags));
        run.unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(base) + " hugetlb_no_page: " + Pte.describe(Pte.make(pfn, flags)));
    }

    /**
     * hugetlb_cow (hugetlb_wp in 6.x): the sole owner of an anonymous page gets it
     * writable in place (set_huge_ptep_writable, no notifier); otherwise copy, then
     * start; under the PTL huge_ptep_clear_flush (+ invalidate_range where the profile
     * has it), set_huge_pte_at(new) with no change_pte; unlock; end; the old page's put.
     */
    void hugetlbCow(Space s, Vma vma, long base, long pte, PhaseListener l) {
        int old = Pte.pfn(pte);
        boolean phased = l != PhaseListener.NONE;
        String outer = w.phase;
        if (vma.shared || (vma.anon && w.mem.mapcount(old) == 1 && w.mem.refcount(old) == 1)) {
            if (phased) run.step("reuse");
            run.lockPtl(s);
            s.pageTable.set(base, pte | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
            run.unlockPtl(s);
            if (phased) run.phase("reuse", l);
            if (phased) w.phase = outer;
            return;
        }
        Range hr = new Range(base, base + Addr.PMD_SIZE);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.get(old + k); // get_page(old_page)
        int fresh = w.mem.allocHuge();
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.setValue(fresh + k, w.mem.value(old + k)); // copy_user_huge_page
        if (phased) run.phase("copy", l);
        if (phased) run.step("start");
        w.fire(s, Sites.HUGETLB_COW_START, hr);
        if (phased) run.phase("start", l);
        if (phased) run.step("clear");
        run.lockPtl(s);
        long cur = s.pageTable.get(base);
        if (!Pte.present(cur) || Pte.pfn(cur) != old || Pte.writable(cur)) {
            // !pte_same under the PTL: a fault (a device's, injected) got here first; out_release_all
            run.unlockPtl(s);
            w.fire(s, Sites.HUGETLB_COW_END, hr);
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
                w.mem.put(fresh + k);
                w.mem.put(old + k);
            }
            w.trace.event("fault", s.name + " hugetlb_cow " + Addr.hex(base) + ": the entry changed while copying, nothing to do");
            if (phased) w.phase = outer;
            return;
        }
        run.clearFlushNotify(s, base, hr, Sites.HUGETLB_COW_CLEAR);
        if (phased) run.phase("clear", l);
        if (phased) run.step("set");
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.checker.beforeRepoint(s, base + ((long) k << Addr.PAGE_SHIFT), old + k, fresh + k);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.addMap(fresh + k);
        s.pageTable.set(base, Pte.make(fresh, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG | Pte.HUGE));
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            w.mem.removeMap(old + k); // page_remove_rmap(old_page)
            w.mem.put(old + k);       // the mapping's reference; the fault's keeps it alive
        }
        if (phased) run.phase("set", l);
        run.unlockPtl(s);
        if (phased) run.phase("unlock", l);
        if (phased) run.step("end");
        w.fire(s, Sites.HUGETLB_COW_END, hr);
        if (phased) run.phase("end", l);
        if (phased) run.step("put");
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.put(old + k); // put_page(old_page): may free it, after end
        if (phased) run.phase("put", l);
        if (phased) w.phase = outer;
    }

    /**
     * __unmap_hugepage_range over r (part of one hugetlb VMA): per 2M entry under the
     * PTL, huge_pmd_unshare skips a shared PMD page's whole span; otherwise
     * huge_ptep_get_and_clear and the page into the gather (one slot); a full batch
     * flushes and frees after the PTL is dropped. 3.16-4.15 bracket this with their own
     * start/end and do not flush after an unshare; 5.x+ leave the notifier to the
     * caller and flush the unshared span before returning.
     */
    void unmapHugepageRange(Space s, MmuGather tlb, Range r, PhaseListener l) {
        w.fire(s, Sites.HUGETLB_UNMAP_START, r);
        Range unshared = null;
        for (long a = r.start(); a < r.end(); a += Addr.PMD_SIZE) {
            run.lockPtl(s);
            if (hugePmdUnshare(s, a)) {
                run.unlockPtl(s);
                long pud = a & -Addr.PUD_SIZE;
                unshared = new Range(pud, pud + Addr.PUD_SIZE).union(unshared);
                String outer = w.phase;
                run.phase("unshare", l);
                run.step(outer);
                a = pud + Addr.PUD_SIZE - Addr.PMD_SIZE;
                continue;
            }
            long pte = s.pageTable.get(a);
            if (!Pte.huge(pte) || !Pte.mapsPage(pte)) {
                run.unlockPtl(s);
                continue;
            }
            s.pageTable.set(a, Pte.NONE); // huge_ptep_get_and_clear, tlb_remove_huge_tlb_entry
            int pfn = Pte.pfn(pte);
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.removeMap(pfn + k); // page_remove_rmap
            boolean force = tlb.removeHugePage(pfn, a);
            run.unlockPtl(s);
            if (force) {
                String outer = w.phase;
                run.step("batch-flush");
                vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.HUGETLB_UNMAP_FORCE_FLUSH);
                vmm.zap.tlbFlushMmuFree(tlb);
                run.phase("batch-flush", l);
                run.step(outer);
            }
        }
        if (unshared != null && w.profile.hugetlbUnshareFlush()) {
            // tlb_flush_pmd_range(PUD span) + tlb_flush_mmu_tlbonly before i_mmap_rwsem is dropped
            tlb.range = unshared.union(tlb.range);
            vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.HUGETLB_UNSHARE_FLUSH);
        }
        w.fire(s, Sites.HUGETLB_UNMAP_END, r);
    }

    /** A hugetlb VMA is cut only at 2M boundaries (hugetlb_vm_op_split: -EINVAL otherwise). */
    void checkHugetlbCut(Space s, Range r, String op) {
        for (long cut : new long[] {r.start(), r.end()}) {
            Vma v = s.findVma(cut);
            if (v != null && v.hugetlb && (cut & (Addr.PMD_SIZE - 1)) != 0)
                throw new EngineException(op + " " + r + ": " + Addr.hex(cut) + " is inside a 2M page of the hugetlb VMA " + v.range() + " (-EINVAL)",
                        "use 2M-aligned bounds");
        }
    }

    /**
     * hugetlb_vm_op_split -> hugetlb_unshare_pmds (6.3+; a site the older profiles lack):
     * before a hugetlb VMA is cut inside a PUD-aligned span it covers, unshare that
     * span's PMD page, with its own start, a CPU flush under i_mmap_rwsem, and end.
     */
    void hugetlbSplitUnshare(Space s, Range r) {
        if (!w.profile.hasSite(Sites.HUGETLB_SPLIT_UNSHARE_START)) return;
        for (long cut : new long[] {r.start(), r.end()}) {
            Vma v = s.findVma(cut);
            if (v == null || !v.hugetlb || !v.shared || v.anon || v.start >= cut || (cut & (Addr.PUD_SIZE - 1)) == 0) continue;
            long floor = cut & -Addr.PUD_SIZE;
            Range span = new Range(floor, floor + Addr.PUD_SIZE);
            if (floor < v.start || span.end() > v.end) continue;
            w.fire(s, Sites.HUGETLB_SPLIT_UNSHARE_START, span);
            run.lockPtl(s);
            hugePmdUnshare(s, floor);
            run.unlockPtl(s);
            run.cpuFlush(s, span);
            w.fire(s, Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, span);
            w.fire(s, Sites.HUGETLB_SPLIT_UNSHARE_END, span);
        }
    }

    /**
     * hugetlb_change_protection over one hugetlb VMA: start over the range (widened for
     * PMD sharing from 4.19); under i_mmap_rwsem, per entry: huge_pmd_unshare skips a
     * shared span, else the entry gets the new protection; flush_hugetlb_tlb_range
     * (the widened range if a PMD was unshared) before the lock drops; then end.
     */
    void hugetlbChangeProtection(Space s, Vma v, int prot, PhaseListener l) {
        Range r = v.range();
        Range nr = adjustRangeIfPmdSharingPossible(v, r);
        run.step("start");
        w.fire(s, Sites.HUGETLB_PROT_START, nr);
        run.phase("start", l);
        run.step("change");
        boolean sharedPmd = false;
        for (long a = r.start(); a < r.end(); a += Addr.PMD_SIZE) {
            run.lockPtl(s);
            if (hugePmdUnshare(s, a)) {
                run.unlockPtl(s);
                sharedPmd = true;
                run.phase("unshare", l);
                run.step("change");
                a = (a & -Addr.PUD_SIZE) + Addr.PUD_SIZE - Addr.PMD_SIZE;
                continue;
            }
            long pte = s.pageTable.get(a);
            if (Pte.huge(pte) && Pte.mapsPage(pte)) s.pageTable.set(a, Vmm.changePte(pte, v, prot) | Pte.HUGE);
            run.unlockPtl(s);
        }
        run.phase("change", l);
        run.step("flush");
        Range fr = sharedPmd ? nr : r;
        run.cpuFlush(s, fr);
        w.fire(s, Sites.HUGETLB_PROT_FLUSH, fr);
        run.phase("flush", l);
        run.step("end");
        w.fire(s, Sites.HUGETLB_PROT_END, nr);
        run.phase("end", l);
    }

    /**
     * copy_hugetlb_page_range: for a private VMA (cow) a window on the parent and each
     * writable entry write-protected in place (huge_ptep_set_wrprotect; 3.19 adds an
     * invalidate_range per entry); the child's entry names the same page. A shared VMA
     * may find its PMD page shared already (huge_pmd_share), then there is nothing to copy.
     */
    void copyHugetlbPageRange(Space parent, Space child, Vma v, Vma cv, PhaseListener l) {
        boolean cow = !v.shared;
        Range r = v.range();
        if (cow) {
            run.step("start");
            w.fire(parent, Sites.HUGETLB_FORK_START, r);
            run.phase("start", l);
        }
        run.step("copy");
        for (long va : parent.pageTable.populated(r)) {
            long pte = parent.pageTable.get(va);
            if (!Pte.huge(pte) || !Pte.mapsPage(pte)) continue;
            if (!cow) {
                hugePmdShare(child, cv, va);
                if (child.pageTable.tableAt(va, 2) >= 0 && child.pageTable.tableAt(va, 2) == parent.pageTable.tableAt(va, 2)) continue;
            }
            run.lockPtl(parent);
            if (cow && Pte.writable(pte)) {
                pte = Pte.wrprotect(pte);
                parent.pageTable.set(va, pte);
                w.fire(parent, Sites.HUGETLB_FORK_WRPROTECT, r);
            }
            int pfn = Pte.pfn(pte);
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
                w.mem.get(pfn + k);
                w.mem.addMap(pfn + k);
            }
            child.pageTable.set(va, pte);
            run.unlockPtl(parent);
        }
        run.phase("copy", l);
        if (cow) {
            run.step("end");
            w.fire(parent, Sites.HUGETLB_FORK_END, r);
            run.phase("end", l);
        }
    }
}
