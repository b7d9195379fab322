package mmn.engine.ops;

import mmn.engine.check.Trace;
import mmn.engine.mem.Addr;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.PageTable;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * The unmap machinery of mm/memory.c and the mmu_gather's flushes (mm/memory.c up to
 * 4.18, mm/mmu_gather.c after): unmap_single_vma, zap_pte_range (with zap_huge_pmd),
 * free_pgtables, tlb_flush_mmu_tlbonly and tlb_flush_mmu_free. The batch itself is
 * {@link MmuGather}. Its loops are resumable (cursors a frame holds) so that the step
 * programs that drive them ({@link Munmap}, {@link Dontneed}, {@link ExitMmap},
 * {@link OomReap}) can stop at a forced flush and go on from a copy of the world.
 */
final class Zap {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    Zap(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /** tlb_flush_mmu_tlbonly: CPU flush of the gathered range, then whatever the profile fires there. */
    void tlbFlushMmuTlbOnly(MmuGather tlb, String site) {
        if (tlb.range == null && !tlb.fullmm) return; // nothing gathered (!tlb->end)
        Range r = tlb.flushRange();
        run.cpuFlush(tlb.space, r);
        w.fire(tlb.space, site, r);
        tlb.range = null;
    }

    /** tlb_flush_mmu_free: the batch's pages get their last put; page-table pages are freed. */
    void tlbFlushMmuFree(MmuGather tlb) {
        int n = tlb.pages.size(), t = tlb.tables.size();
        Trace.Fields f = w.trace.keeping() ? new Trace.Fields().count(n + t).pfns(concat(tlb.pages, tlb.tables)) : null;
        for (int pfn : tlb.pages) w.mem.put(pfn);
        for (int pfn : tlb.tables) w.mem.free(pfn);
        tlb.pages.clear();
        tlb.tables.clear();
        tlb.hugeTail = 0;
        w.trace.event("free", "mmu_gather freed " + n + " pages and " + t + " page-table pages", f);
    }

    private static java.util.List<Integer> concat(java.util.Collection<Integer> a, java.util.Collection<Integer> b) {
        java.util.List<Integer> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * Where zap_pte_range stopped in a range: the populated addresses it found when it
     * began (nothing can map a page there meanwhile: the VMAs are detached, or the mmap
     * lock is held) and the next one. A step program keeps it in its frame.
     */
    static final class ZapCursor {
        private final long[] addrs;
        private int next;

        ZapCursor(List<Long> populated) {
            addrs = new long[populated.size()];
            for (int i = 0; i < addrs.length; i++) addrs[i] = populated.get(i);
        }

        private ZapCursor(long[] addrs, int next) {
            this.addrs = addrs;
            this.next = next;
        }

        boolean done() {
            return next >= addrs.length;
        }

        ZapCursor copy() {
            return new ZapCursor(addrs, next); // the addresses never change: shared
        }

        void hashInto(StateHasher h) {
            h.put(addrs.length - next);
            for (int i = next; i < addrs.length; i++) h.put(addrs[i]);
        }
    }

    /**
     * One PTE table of the zap, under its PTL, from where {@code at} stopped: returns
     * true when a full batch forced a flush, which ends at the phase point "batch-flush"
     * (reached, not yet told to anyone: the caller runs what is injected there, then
     * steps back into its own phase).
     */
    boolean zapTable(Space s, MmuGather tlb, ZapCursor at) {
        long[] addrs = at.addrs;
        int i = at.next;
        long table = addrs[i] & -Addr.PMD_SIZE;
        run.lockPtl(s);
        boolean force = false;
        while (i < addrs.length && (addrs[i] & -Addr.PMD_SIZE) == table) {
            long va = addrs[i++];
            long pte = s.pageTable.get(va);
            if (Pte.none(pte)) continue;
            s.pageTable.set(va, Pte.NONE);
            if (Pte.isSwap(pte)) {
                w.swap.free(Pte.pfn(pte));
                continue;
            }
            if (Pte.isMigration(pte) || Pte.isFile(pte)) continue;
            int pfn = Pte.pfn(pte);
            if (pfn == PhysMem.ZERO_PFN) {
                tlb.range = Range.page(va).union(tlb.range); // tlb_remove_tlb_entry only
                continue;
            }
            if (Pte.huge(pte)) {
                // zap_huge_pmd: the deposited PTE table is freed at once (nothing links it), the
                // 512 subpages join the batch (the model zaps a whole huge PMD even for a partial range)
                Integer dep = s.deposits.remove(va);
                if (dep != null) w.mem.free(dep);
                for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
                    w.mem.removeMap(pfn + k);
                    if (tlb.removePage(pfn + k, va + ((long) k << Addr.PAGE_SHIFT))) force = true;
                }
                if (force) break;
                continue;
            }
            w.mem.removeMap(pfn);
            Vma vma = s.findVma(va);
            if (vma != null && !vma.anon && vma.shared && Pte.dirty(pte)) force = true; // dirty shared file page
            if (tlb.removePage(pfn, va)) force = true;
            if (force) break;
        }
        at.next = i;
        if (force) {
            run.step("batch-flush");
            tlbFlushMmuTlbOnly(tlb, Sites.ZAP_FORCE_FLUSH);
        }
        run.unlockPtl(s);
        if (!force) return false;
        tlbFlushMmuFree(tlb);
        run.reach("batch-flush");
        return true;
    }

    /**
     * unmap_vmas as a resumable loop, for step programs: each VMA's range (clipped to
     * the operation's), zap_pte_range table by table from a {@link ZapCursor}. The ranges
     * and hugetlb flags are taken when the loop begins, so the frame holds no VMA object
     * a copy of the world would have to rebind.
     */
    static final class UnmapVmas {
        private final long[] start, end;
        private final boolean[] hugetlb;
        private int vma;
        private ZapCursor zap;
        /** __unmap_hugepage_range's progress in a hugetlb VMA (null: not in one). */
        private Hugetlb.UnmapCursor huge;

        UnmapVmas(List<Vma> vmas, Range clip) {
            int n = vmas.size();
            start = new long[n];
            end = new long[n];
            hugetlb = new boolean[n];
            for (int i = 0; i < n; i++) {
                Vma v = vmas.get(i);
                start[i] = clip == null ? v.start : Math.max(v.start, clip.start());
                end[i] = clip == null ? v.end : Math.min(v.end, clip.end());
                hugetlb[i] = v.hugetlb;
            }
        }

        private UnmapVmas(UnmapVmas o) {
            start = o.start; // fixed once the loop began: shared
            end = o.end;
            hugetlb = o.hugetlb;
            vma = o.vma;
            zap = o.zap == null ? null : o.zap.copy();
            huge = o.huge == null ? null : o.huge.copy();
        }

        UnmapVmas copy() {
            return new UnmapVmas(this);
        }

        void hashInto(StateHasher h) {
            h.put(start.length).put(vma);
            for (int i = 0; i < start.length; i++) h.put(start[i]).put(end[i]).put(hugetlb[i]);
            if (zap == null) h.put(-1);
            else zap.hashInto(h);
            if (huge != null) huge.hashInto(h.put(0x4e6e)); // nothing otherwise: a key without hugetlb is as before
        }
    }

    /**
     * Runs the unmap_vmas loop on from where it stopped: the phase point that paused it
     * ("batch-flush" for a forced flush, "unshare" for a hugetlb PMD page unshared; the
     * caller steps back into its own phase at its next step), or null when every VMA is
     * zapped.
     */
    String unmapVmas(Space s, MmuGather tlb, UnmapVmas u) {
        while (true) {
            if (u.zap == null) {
                if (u.vma == u.start.length) return null;
                Range r = new Range(u.start[u.vma], u.end[u.vma]);
                if (u.hugetlb[u.vma]) {
                    if (u.huge == null) u.huge = new Hugetlb.UnmapCursor(r);
                    String p = vmm.hugetlb.unmapHugepageOn(s, tlb, u.huge);
                    if (p != null) return p;
                    u.huge = null;
                    u.vma++;
                    continue;
                }
                u.zap = new ZapCursor(s.pageTable.populated(r));
            }
            if (u.zap.done()) {
                u.zap = null;
                u.vma++;
                continue;
            }
            if (zapTable(s, tlb, u.zap)) return "batch-flush";
        }
    }

    /** free_pgtables' progress: the tables it unlinked (all at once, as the walk does) and the next to batch. */
    static final class TableCursor {
        private final List<PageTable.UnlinkedTable> tables;
        private int next;

        TableCursor(List<PageTable.UnlinkedTable> tables) {
            this.tables = tables;
        }

        boolean done() {
            return next >= tables.size();
        }

        TableCursor copy() {
            TableCursor c = new TableCursor(tables); // immutable once unlinked: shared
            c.next = next;
            return c;
        }

        void hashInto(StateHasher h) {
            h.put(tables.size() - next);
            for (int i = next; i < tables.size(); i++) {
                PageTable.UnlinkedTable t = tables.get(i);
                h.put(t.level()).put(t.va()).put(t.pfn());
            }
        }
    }

    /** One unlinked table into the batch; a full batch flushes and frees, ending at phase point "batch-flush" (true). */
    boolean freeNextTable(MmuGather tlb, TableCursor at) {
        PageTable.UnlinkedTable t = at.tables.get(at.next++);
        w.trace.event("unlink", Addr.levelName(t.level()) + " table pfn " + t.pfn() + " for " + t.covers());
        if (!tlb.removeTable(t.pfn(), t.va())) return false;
        run.step("batch-flush");
        tlbFlushMmuTlbOnly(tlb, Sites.PGTABLE_FORCE_FLUSH);
        tlbFlushMmuFree(tlb);
        run.reach("batch-flush");
        return true;
    }

}
