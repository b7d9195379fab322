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
    static final UnmapSites SWAP_OUT = new UnmapSites(Sites.RECLAIM_START, Sites.RECLAIM_YOUNG, Sites.RECLAIM_CLEAR,
            Sites.RECLAIM_SWAP_ENTRY, Sites.RECLAIM_UNLOCK, Sites.RECLAIM_END);

    /**
     * Whether reclaim's try_to_unmap_one tests and clears the young bits before it unmaps:
     * 3.16-4.15 (shrink_page_list passes no TTU_IGNORE_ACCESS), where the profile's row
     * fires ->clear_flush_young; the 6.x trees have no such test.
     */
    boolean testsYoung(UnmapSites sites) {
        return sites.young() != null && w.profile.row(sites.young()).hooks().contains(Hook.CLEAR_FLUSH_YOUNG);
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

    /** reclaim over r ({@link Reclaim}, a step program). */
    public void reclaim(Space s, Range r, PhaseListener l) {
        w.runOp(new Reclaim(s.name, r), l);
    }

    /** reclaim not yet begun, as a frame to step. */
    public OpFrame reclaimFrame(Space s, Range r) {
        return new Reclaim(s.name, r);
    }

    /** age over r ({@link Age}, a step program). */
    public void age(Space s, Range r, PhaseListener l) {
        w.runOp(new Age(s.name, r), l);
    }

    /** age not yet begun, as a frame to step. */
    public OpFrame ageFrame(Space s, Range r) {
        return new Age(s.name, r);
    }
}
