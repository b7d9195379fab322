package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
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
    boolean hugePmdUnshare(Space s, long va) {
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
            hugetlbCow(s, base);
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

    /** hugetlb_cow for a fault (a write to a read-only huge entry): the steps of {@link WpPage}, run through, nothing announced. */
    void hugetlbCow(Space s, long base) {
        WpPage c = new WpPage(s.name, base, false, w.phase);
        while (c.step(w) != null) {
            // unannounced: runs to the end in one call
        }
    }

    /**
     * hugetlb_cow (hugetlb_wp in 6.x) as a step program: the `cow` operation runs it as its
     * callee on a hugetlb page (its phases announced), a fault runs it through. The sole
     * owner of an anonymous page gets it writable in place (set_huge_ptep_writable, no
     * notifier); otherwise copy, then start; under the PTL huge_ptep_clear_flush
     * (+ invalidate_range where the profile has it), set_huge_pte_at(new) with no
     * change_pte; unlock; end; the old page's put.
     *
     * <pre>
     *   reuse   the sole owner's entry made writable in place (then done)
     *   copy    a reference on the old page, the new one allocated and copied
     *   start   invalidate_range_start of the 2M (Sites.HUGETLB_COW_START)
     *   clear   under the PTL, if the entry is still the one copied (pte_same):
     *           huge_ptep_clear_flush (Sites.HUGETLB_COW_CLEAR); else the copy is dropped,
     *           end runs, and the fault returns
     *   set     set_huge_pte_at of the new page, the old unmapped
     *   unlock  the PTL released
     *   end     invalidate_range_end (Sites.HUGETLB_COW_END)
     *   put     the fault's reference on the old page dropped: it may be freed here
     * </pre>
     */
    static final class WpPage extends OpFrame {
        private static final int BEGIN = 0, START = 1, CLEAR = 2, SET = 3, UNLOCK = 4, END = 5, PUT = 6, DONE = 7;
        private final String space;
        private final long base;
        /** Whether the phases are announced (the `cow` operation) or run through (a fault). */
        private final boolean phased;
        /** The phase the caller was in: it is back in it when this returns. */
        private final String outer;
        private int old = -1, fresh = -1;

        WpPage(String space, long base, boolean phased, String outer) {
            this.space = space;
            this.base = base;
            this.phased = phased;
            this.outer = outer;
        }

        @Override
        public String name() {
            return "cow";
        }

        private String at(OpRunner run, String phase) {
            return phased ? run.reach(phase) : phase;
        }

        /** The next phase point, or null once the fault is done (the caller goes on, in its own phase again). */
        @Override
        public String step(Kernel k) {
            OpRunner run = k.vmm.run;
            Space s = k.spaces.get(space);
            Range hr = new Range(base, base + Addr.PMD_SIZE);
            switch (pc) {
                case BEGIN: {
                    Vma vma = s.findVma(base);
                    long pte = s.pageTable.get(base);
                    old = Pte.pfn(pte);
                    if (vma.shared || (vma.anon && k.mem.mapcount(old) == 1 && k.mem.refcount(old) == 1)) {
                        if (phased) run.step("reuse");
                        run.lockPtl(s);
                        s.pageTable.set(base, pte | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
                        run.unlockPtl(s);
                        pc = DONE;
                        return at(run, "reuse");
                    }
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.mem.get(old + i); // get_page(old_page)
                    fresh = k.mem.allocHuge();
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.mem.setValue(fresh + i, k.mem.value(old + i)); // copy_user_huge_page
                    pc = START;
                    return at(run, "copy");
                }
                case START:
                    if (phased) run.step("start");
                    k.fire(s, Sites.HUGETLB_COW_START, hr);
                    pc = CLEAR;
                    return at(run, "start");
                case CLEAR: {
                    if (phased) run.step("clear");
                    run.lockPtl(s);
                    long cur = s.pageTable.get(base);
                    if (!Pte.present(cur) || Pte.pfn(cur) != old || Pte.writable(cur)) {
                        // !pte_same under the PTL: a fault (a device's) got here first; out_release_all
                        run.unlockPtl(s);
                        k.fire(s, Sites.HUGETLB_COW_END, hr);
                        for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) {
                            k.mem.put(fresh + i);
                            k.mem.put(old + i);
                        }
                        k.trace.event("fault", s.name + " hugetlb_cow " + Addr.hex(base) + ": the entry changed while copying, nothing to do");
                        return done(k);
                    }
                    run.clearFlushNotify(s, base, hr, Sites.HUGETLB_COW_CLEAR);
                    pc = SET;
                    return at(run, "clear");
                }
                case SET:
                    if (phased) run.step("set");
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.checker.beforeRepoint(s, base + ((long) i << Addr.PAGE_SHIFT), old + i, fresh + i);
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.mem.addMap(fresh + i);
                    s.pageTable.set(base, Pte.make(fresh, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG | Pte.HUGE));
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) {
                        k.mem.removeMap(old + i); // page_remove_rmap(old_page)
                        k.mem.put(old + i);       // the mapping's reference; the fault's keeps it alive
                    }
                    pc = UNLOCK;
                    return at(run, "set");
                case UNLOCK:
                    run.unlockPtl(s);
                    pc = END;
                    return at(run, "unlock");
                case END:
                    if (phased) run.step("end");
                    k.fire(s, Sites.HUGETLB_COW_END, hr);
                    pc = PUT;
                    return at(run, "end");
                case PUT:
                    if (phased) run.step("put");
                    for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) k.mem.put(old + i); // put_page(old_page): may free it, after end
                    pc = DONE;
                    return at(run, "put");
                case DONE:
                    return done(k);
                default:
                    throw returned();
            }
        }

        private String done(Kernel k) {
            if (phased) k.phase = outer;
            return calleeReturns();
        }

        @Override
        protected OpFrame copyFor(Kernel k) {
            WpPage c = new WpPage(space, base, phased, outer);
            c.pc = pc;
            c.old = old;
            c.fresh = fresh;
            return c;
        }

        @Override
        protected void hashInto(StateHasher h) {
            h.put(pc).put(space).put(base).put(phased).put(old).put(fresh);
        }
    }

    /**
     * __unmap_hugepage_range over one hugetlb VMA's part of the range, as a resumable loop
     * (unmap_vmas steps it, {@link Zap#unmapVmas}): per 2M entry under the PTL,
     * huge_pmd_unshare skips a shared PMD page's whole span (phase point "unshare");
     * otherwise huge_ptep_get_and_clear and the page into the gather (one slot); a full
     * batch flushes and frees after the PTL is dropped (phase point "batch-flush"). 3.16-4.15
     * bracket this with their own start/end and do not flush after an unshare; 5.x+ leave
     * the notifier to the caller and flush the unshared span before returning.
     */
    static final class UnmapCursor {
        private final long start, end;
        /** The next 2M entry to look at. */
        private long next;
        /** What huge_pmd_unshare dropped so far (start == end: nothing). */
        private long unsharedStart, unsharedEnd;
        private boolean begun;

        UnmapCursor(Range r) {
            start = r.start();
            end = r.end();
            next = start;
        }

        UnmapCursor copy() {
            UnmapCursor c = new UnmapCursor(new Range(start, end));
            c.next = next;
            c.unsharedStart = unsharedStart;
            c.unsharedEnd = unsharedEnd;
            c.begun = begun;
            return c;
        }

        private Range unshared() {
            return unsharedStart == unsharedEnd ? null : new Range(unsharedStart, unsharedEnd);
        }

        void hashInto(StateHasher h) {
            h.put(start).put(end).put(next).put(unsharedStart).put(unsharedEnd).put(begun);
        }
    }

    /** __unmap_hugepage_range on from where {@code u} stopped: the phase point it paused at, or null when the range is done. */
    String unmapHugepageOn(Space s, MmuGather tlb, UnmapCursor u) {
        Range r = new Range(u.start, u.end);
        if (!u.begun) {
            w.fire(s, Sites.HUGETLB_UNMAP_START, r);
            u.begun = true;
        }
        for (long a = u.next; a < u.end; a += Addr.PMD_SIZE) {
            run.lockPtl(s);
            if (hugePmdUnshare(s, a)) {
                run.unlockPtl(s);
                long pud = a & -Addr.PUD_SIZE;
                Range unshared = new Range(pud, pud + Addr.PUD_SIZE).union(u.unshared());
                u.unsharedStart = unshared.start();
                u.unsharedEnd = unshared.end();
                u.next = pud + Addr.PUD_SIZE;
                return run.reach("unshare");
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
                run.step("batch-flush");
                vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.HUGETLB_UNMAP_FORCE_FLUSH);
                vmm.zap.tlbFlushMmuFree(tlb);
                u.next = a + Addr.PMD_SIZE;
                return run.reach("batch-flush");
            }
        }
        u.next = u.end;
        if (u.unshared() != null && w.profile.hugetlbUnshareFlush()) {
            // tlb_flush_pmd_range(PUD span) + tlb_flush_mmu_tlbonly before i_mmap_rwsem is dropped
            tlb.range = u.unshared().union(tlb.range);
            vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.HUGETLB_UNSHARE_FLUSH);
        }
        w.fire(s, Sites.HUGETLB_UNMAP_END, r);
        return null;
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
     * hugetlb_change_protection over one hugetlb VMA, a step program mprotect runs as its
     * callee: start over the range (widened for PMD sharing from 4.19); under i_mmap_rwsem,
     * per entry: huge_pmd_unshare skips a shared span (phase point "unshare"), else the
     * entry gets the new protection; flush_hugetlb_tlb_range (the widened range if a PMD
     * was unshared) before the lock drops; then end.
     *
     * <pre>
     *   start    invalidate_range_start (Sites.HUGETLB_PROT_START)
     *   change   every 2M entry under the PTL ("unshare" pauses it after an unshared span)
     *   flush    the CPU flush (Sites.HUGETLB_PROT_FLUSH)
     *   end      invalidate_range_end (Sites.HUGETLB_PROT_END)
     * </pre>
     */
    static final class ChangeProtection extends OpFrame {
        private static final int START = 0, CHANGE = 1, FLUSH = 2, END = 3, DONE = 4;
        private final String space;
        /** The VMA, by its start (looked up at each step: a copy of the world has its own). */
        private final long vma;
        private final int prot;
        /** The next 2M entry to change. */
        private long next = -1;
        private boolean sharedPmd;

        ChangeProtection(String space, long vma, int prot) {
            this.space = space;
            this.vma = vma;
            this.prot = prot;
        }

        @Override
        public String name() {
            return "mprotect";
        }

        /** The next phase point, or null once end has run (the caller goes on). */
        @Override
        public String step(Kernel k) {
            OpRunner run = k.vmm.run;
            Space s = k.spaces.get(space);
            Vma v = s.vmas.get(vma);
            Range r = v.range();
            Range nr = k.vmm.hugetlb.adjustRangeIfPmdSharingPossible(v, r);
            switch (pc) {
                case START:
                    next = r.start();
                    return fireAt(k, "start", s, Sites.HUGETLB_PROT_START, nr, CHANGE);
                case CHANGE:
                    run.step("change");
                    for (long a = next; a < r.end(); a += Addr.PMD_SIZE) {
                        run.lockPtl(s);
                        if (k.vmm.hugetlb.hugePmdUnshare(s, a)) {
                            run.unlockPtl(s);
                            sharedPmd = true;
                            next = (a & -Addr.PUD_SIZE) + Addr.PUD_SIZE;
                            return run.reach("unshare");
                        }
                        long pte = s.pageTable.get(a);
                        if (Pte.huge(pte) && Pte.mapsPage(pte)) s.pageTable.set(a, Vmm.changePte(pte, v, prot) | Pte.HUGE);
                        run.unlockPtl(s);
                    }
                    next = r.end();
                    pc = FLUSH;
                    return run.reach("change");
                case FLUSH: {
                    run.step("flush");
                    Range fr = sharedPmd ? nr : r;
                    run.cpuFlush(s, fr);
                    k.fire(s, Sites.HUGETLB_PROT_FLUSH, fr);
                    pc = END;
                    return run.reach("flush");
                }
                case END:
                    return fireAt(k, "end", s, Sites.HUGETLB_PROT_END, nr, DONE);
                case DONE:
                    return calleeReturns();
                default:
                    throw returned();
            }
        }

        @Override
        protected OpFrame copyFor(Kernel k) {
            ChangeProtection c = new ChangeProtection(space, vma, prot);
            c.pc = pc;
            c.next = next;
            c.sharedPmd = sharedPmd;
            return c;
        }

        @Override
        protected void hashInto(StateHasher h) {
            h.put(pc).put(space).put(vma).put(prot).put(next).put(sharedPmd);
        }
    }

    /**
     * copy_hugetlb_page_range of one hugetlb VMA, a step program fork runs as its callee:
     * for a private VMA (cow) a window on the parent and each writable entry
     * write-protected in place (huge_ptep_set_wrprotect; 3.19 adds an invalidate_range per
     * entry); the child's entry names the same page. A shared VMA may find its PMD page
     * shared already (huge_pmd_share), then there is nothing to copy.
     *
     * <pre>
     *   start   private VMAs only: invalidate_range_start on the parent (Sites.HUGETLB_FORK_START)
     *   copy    every 2M entry under the parent's PTL
     *   end     private VMAs only: invalidate_range_end (Sites.HUGETLB_FORK_END)
     * </pre>
     */
    static final class CopyPageRange extends OpFrame {
        private static final int START = 0, COPY = 1, END = 2, DONE = 3;
        private final String parent, child;
        /** The VMA, by its start in both spaces (the child's copy is made before this runs). */
        private final long vma;

        CopyPageRange(String parent, String child, long vma) {
            this.parent = parent;
            this.child = child;
            this.vma = vma;
        }

        @Override
        public String name() {
            return "fork";
        }

        /** The next phase point, or null once the VMA is copied (the caller goes on). */
        @Override
        public String step(Kernel k) {
            OpRunner run = k.vmm.run;
            Space p = k.spaces.get(parent);
            Vma v = p.vmas.get(vma);
            boolean cow = !v.shared;
            Range r = v.range();
            switch (pc) {
                case START:
                    pc = COPY;
                    if (cow) return fireAt(k, "start", p, Sites.HUGETLB_FORK_START, r, COPY);
                    // fall through: a shared VMA opens no window
                case COPY:
                    run.step("copy");
                    k.vmm.hugetlb.copyEntries(p, k.spaces.get(child), v, cow);
                    pc = cow ? END : DONE;
                    return run.reach("copy");
                case END:
                    return fireAt(k, "end", p, Sites.HUGETLB_FORK_END, r, DONE);
                case DONE:
                    return calleeReturns();
                default:
                    throw returned();
            }
        }

        @Override
        protected OpFrame copyFor(Kernel k) {
            CopyPageRange c = new CopyPageRange(parent, child, vma);
            c.pc = pc;
            return c;
        }

        @Override
        protected void hashInto(StateHasher h) {
            h.put(pc).put(parent).put(child).put(vma);
        }
    }

    /** copy_hugetlb_page_range's loop over the parent's 2M entries, each under the parent's PTL. */
    private void copyEntries(Space parent, Space child, Vma v, boolean cow) {
        Range r = v.range();
        Vma cv = child.vmas.get(v.start);
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
    }
}
