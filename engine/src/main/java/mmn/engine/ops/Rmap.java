package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Sites;
import java.util.ArrayList;
import java.util.List;

/**
 * mm/rmap.c and its callers: the rmap walk (rmap_walk_anon / rmap_walk_file),
 * try_to_unmap_one (try_to_migrate_one in 6.x) for migration (mm/migrate.c
 * migrate_pages, remove_migration_ptes) and reclaim (mm/vmscan.c shrink_page_list,
 * __remove_mapping), and page aging (page_referenced_one).
 */
public final class Rmap {
    private final Kernel w;
    private final OpRunner run;

    public Rmap(Kernel w, OpRunner run) {
        this.w = w;
        this.run = run;
    }

    /** One PTE mapping a page, found by the rmap walk. */
    record Mapping(Space space, long va) {}

    /**
     * The rmap walk (rmap_walk_anon / rmap_walk_file): every PTE in every space that maps
     * the frame, spaces in declaration order, addresses ascending, from the reverse map
     * ({@link ReverseMap}: the mappings of this frame, not a scan of every space).
     */
    List<Mapping> rmap(int pfn) {
        List<Mapping> out = w.reverseMap.mappings(pfn);
        assert out.equals(scan(pfn)) : "reverse map of pfn " + pfn + " " + out + " differs from the page tables " + scan(pfn);
        return out;
    }

    /** The same answer by scanning every VMA's PTEs (what the walk did before the reverse map; tests assert they agree). */
    private List<Mapping> scan(int pfn) {
        List<Mapping> out = new ArrayList<>();
        for (Space sp : w.spaces.values()) {
            if (sp.exited || sp.pageTable.root() < 0) continue;
            for (Vma v : sp.vmas.values()) {
                for (long va : sp.pageTable.populated(v.range())) {
                    long pte = sp.pageTable.get(va);
                    if (Pte.mapsPage(pte) && !Pte.huge(pte) && Pte.pfn(pte) == pfn) out.add(new Mapping(sp, va));
                }
            }
        }
        return out;
    }

    /** The distinct frames mapped by 4 KiB PTEs in r (the zero page is never migrated or reclaimed). */
    List<Integer> pagesIn(Space s, Range r, String op) {
        List<Integer> out = new ArrayList<>();
        for (long va : s.pageTable.populated(r)) {
            long pte = s.pageTable.get(va);
            if (!Pte.mapsPage(pte)) continue;
            if (Pte.huge(pte)) {
                Vma v = s.findVma(va);
                boolean hugetlb = v != null && v.hugetlb();
                throw new EngineException(op + " " + s.name + " " + Addr.hex(va) + ": a " + (hugetlb ? "hugetlb" : "transparent huge")
                        + " page is mapped there; the model moves 4 KiB pages only",
                        hugetlb ? "hugetlb pages cannot be split; " + op + " of hugetlb pages is not modelled yet"
                                : "split " + s.name + " " + Addr.hex(va & -Addr.PMD_SIZE) + " first");
            }
            int pfn = Pte.pfn(pte);
            if (pfn != PhysMem.ZERO_PFN && !out.contains(pfn)) out.add(pfn);
        }
        if (out.isEmpty()) throw new EngineException(op + " " + s.name + " " + r + ": no page is mapped there", "touch it first");
        return out;
    }

    /** The call sites of one try_to_unmap_one flavour; {@code young} is null where the caller passes TTU_IGNORE_ACCESS. */
    record UnmapSites(String start, String young, String clear, String entry, String unlock, String end) {}

    /** migrate_pages passes TTU_MIGRATION|TTU_IGNORE_MLOCK|TTU_IGNORE_ACCESS in every tree: no young test. */
    static final UnmapSites MIGRATION = new UnmapSites(Sites.MIGRATE_START, null, Sites.MIGRATE_CLEAR, null,
            Sites.MIGRATE_UNLOCK, Sites.MIGRATE_END);
    private static final UnmapSites SWAP_OUT = new UnmapSites(Sites.RECLAIM_START, Sites.RECLAIM_YOUNG, Sites.RECLAIM_CLEAR,
            Sites.RECLAIM_SWAP_ENTRY, Sites.RECLAIM_UNLOCK, Sites.RECLAIM_END);

    /**
     * Whether reclaim's try_to_unmap_one tests and clears the young bits before it unmaps:
     * 3.16-4.15 (shrink_page_list passes no TTU_IGNORE_ACCESS), where the profile's row
     * fires ->clear_flush_young; the 6.x trees have no such test.
     */
    boolean testsYoung(UnmapSites sites) {
        return sites.young() != null && w.profile.row(sites.young()).hooks().contains(Hook.CLEAR_FLUSH_YOUNG);
    }

    /** try_to_unmap_one for one mapping, run whole ({@link TryToUnmapOne}); false where the page was young (the walk stops). */
    private boolean tryToUnmapOne(Mapping m, int pfn, int slot, UnmapSites sites, boolean batched, PhaseListener l) {
        TryToUnmapOne u = new TryToUnmapOne(m.space().name, m.va(), pfn, slot, sites, batched);
        for (String p = u.step(w); p != null; p = u.step(w)) l.after(p);
        return !u.young;
    }

    /** migrate_pages over r ({@link Migrate}, a step program). */
    public void migrate(Space s, Range r, PhaseListener l) {
        w.runOp(new Migrate(s.name, r), l);
    }

    /** migrate not yet begun, as a frame to step (it refuses huge pages before its first step: always steppable). */
    public OpFrame migrateFrame(Space s, Range r) {
        return new Migrate(s.name, r);
    }

    /** migrate_page_move_mapping for a page-cache page: the cache's slot and reference move to the new frame. */
    void pageCacheReplace(int old, int fresh) {
        if (w.pageCache.replace(old, fresh)) {
            w.mem.get(fresh);
            w.mem.put(old);
        }
    }

    /**
     * reclaim (shrink_page_list for one anon page): add_to_swap, unmap every mapping into
     * swap entries (try_to_unmap_one), flush the batched CPU TLB flush where the profile
     * batches it (4.3+ TTU_BATCH_FLUSH), write the page out, then __remove_mapping frees it
     * unless it was mapped again meanwhile. The model reclaims as if page_check_references
     * had found the page old: the aging pass is the separate `age` operation. Up to 4.15
     * try_to_unmap_one still tests the young bits: a young mapping stops the walk, the
     * page is reactivated (activate_locked) and stays in the swap cache, and nothing is
     * written or freed.
     * Phases: start, young, clear, unlock, end (per mapping), flush, writeback, free.
     */
    public void reclaim(Space s, Range r, PhaseListener l) {
        run.beginOp("reclaim", s);
        boolean batched = w.profile.batchedUnmapFlush;
        for (int pfn : pagesIn(s, r, "reclaim")) {
            if (isPageCache(pfn))
                throw new EngineException("reclaim " + s.name + " " + r + ": pfn " + pfn + " is a file page; the model swaps out anonymous pages only",
                        "reclaim a page of an anon mapping");
            w.mem.get(pfn); // isolate_lru_page
            int slot = w.swap.allocSlot();
            w.swap.addToCache(slot, pfn); // add_to_swap: the swap cache holds a reference
            w.mem.get(pfn);
            List<Mapping> maps = rmap(pfn);
            boolean unmapped = true;
            for (Mapping m : maps) {
                if (!tryToUnmapOne(m, pfn, slot, SWAP_OUT, batched, l)) {
                    unmapped = false; // rmap_walk stops at the first mapping that fails
                    break;
                }
            }
            run.step("flush");
            for (Space sp : spacesOf(maps)) {
                if (batched) run.cpuFlush(sp, Range.ALL); // try_to_unmap_flush_dirty (or, on failure, shrink_page_list's final try_to_unmap_flush)
                w.fire(sp, Sites.RECLAIM_FLUSH, Range.ALL);
            }
            run.phase("flush", l);
            if (!unmapped) {
                // activate_locked: the page stays in the swap cache (vm_swap_full is false) and goes back to the LRU
                w.trace.event("reclaim", "pfn " + pfn + " was young: try_to_unmap failed, the page is reactivated and stays in the swap cache");
                w.mem.put(pfn); // putback: the isolation reference
                continue;
            }
            run.step("writeback");
            w.swap.writeOut(slot, w.mem.value(pfn)); // pageout
            w.copiedOut.add(pfn);
            run.phase("writeback", l);
            run.step("free");
            // __remove_mapping: the reference freeze fails if the page was faulted back in
            if (w.mem.mapcount(pfn) == 0 && w.mem.refcount(pfn) == 2) {
                w.swap.removeFromCache(slot);
                w.mem.put(pfn);
                w.mem.put(pfn);
            } else {
                w.trace.event("reclaim", "pfn " + pfn + " was mapped again: __remove_mapping fails, the page stays in the swap cache");
                w.mem.put(pfn);
            }
            w.copiedOut.remove(pfn);
            run.phase("free", l);
        }
        run.endOp();
    }

    private static List<Space> spacesOf(List<Mapping> maps) {
        List<Space> out = new ArrayList<>();
        for (Mapping m : maps) if (!out.contains(m.space())) out.add(m.space());
        return out;
    }

    private boolean isPageCache(int pfn) {
        return w.pageCache.contains(pfn);
    }

    /**
     * age: page_referenced for each page mapped in r: per mapping (rmap walk), under the
     * PTL, ptep_clear_flush_young (test and clear the young bit; x86 does no CPU flush)
     * then ->clear_flush_young; the page counts as referenced if either saw it young.
     * Nothing is freed and no start/end is fired. Phases: clear-young, unlock (per mapping).
     */
    public void age(Space s, Range r, PhaseListener l) {
        run.beginOp("age", s);
        for (int pfn : pagesIn(s, r, "age")) {
            boolean referenced = false;
            for (Mapping m : rmap(pfn)) {
                Space sp = m.space();
                Range page = Range.page(m.va());
                run.step("clear-young");
                run.lockPtl(sp);
                long pte = sp.pageTable.get(m.va());
                boolean young = Pte.young(pte);
                if (young) {
                    sp.pageTable.set(m.va(), Pte.mkold(pte));
                    w.fire(sp, Sites.AGE_FLUSH_YOUNG, page); // arm64 flushes a young PTE (and from 6.6 notifies)
                }
                boolean secondary = w.fireYoung(sp, Sites.AGE_NOTIFY, page);
                referenced |= young || secondary;
                run.phase("clear-young", l);
                run.unlockPtl(sp);
                run.step("unlock");
                run.phase("unlock", l);
            }
            w.trace.event("age", "pfn " + pfn + (referenced ? " referenced" : " not referenced"));
        }
        run.endOp();
    }
}
