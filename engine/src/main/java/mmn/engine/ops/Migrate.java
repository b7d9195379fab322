package mmn.engine.ops;

import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Sites;

/**
 * migrate as a step program: mm/migrate.c migrate_pages (MIGRATE_SYNC), page by page:
 * isolate it (a reference), unmap every mapping into a migration entry
 * ({@link TryToUnmapOne}), copy to a new frame, replace the migration entries by PTEs to
 * the new frame (remove_migration_ptes: no flush, no notifier but the remap site) and
 * drop the isolation reference, which frees the old frame.
 *
 * <pre>
 *   start, clear, unlock, end   try_to_unmap_one, per mapping (Sites.MIGRATE_*)
 *   copy                        a new frame; migrate_page_move_mapping, migrate_page_copy
 *   remap                       remove_migration_pte, per mapping (Sites.MIGRATE_REMAP)
 *   free                        putback: the old frame's last reference
 * </pre>
 */
final class Migrate extends RmapFrame {
    private static final int BEGIN = 0, NEXT_PAGE = 1, UNMAP = 2, COPY = 3, REMAP = 4, FREE = 5;

    private final Range r;
    /** The moving page's new frame. */
    private int fresh;
    private TryToUnmapOne unmapOne;

    Migrate(String space, Range r) {
        super(space);
        this.r = r;
    }

    @Override
    public String name() {
        return "migrate";
    }

    private int old() {
        return pfn();
    }

    @Override
    public String step(Kernel k) {
        Rmap rmap = k.vmm.rmap;
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN:
                    begin(k, s, r);
                    pc = NEXT_PAGE;
                    continue;
                case NEXT_PAGE: {
                    if (page == pages.length) {
                        return returnOp(k);
                    }
                    k.mem.get(old()); // isolate_lru_page
                    walk(k);
                    unmapOne = null;
                    pc = UNMAP;
                    continue;
                }
                case UNMAP: { // try_to_unmap: every mapping into a migration entry
                    if (unmapOne == null) {
                        if (map == mapVas.length) {
                            pc = COPY;
                            continue;
                        }
                        unmapOne = new TryToUnmapOne(mapSpaces[map], mapVas[map], old(), -1, Rmap.MIGRATION, false);
                    }
                    String p = unmapOne.step(k);
                    if (p != null) return p;
                    unmapOne = null;
                    map++;
                    continue;
                }
                case COPY: {
                    run.step("copy");
                    int old = old();
                    fresh = k.mem.alloc(FrameKind.USER); // the new page's own reference, dropped after remap
                    rmap.pageCacheReplace(old, fresh); // migrate_page_move_mapping
                    k.mem.setValue(fresh, k.mem.value(old)); // migrate_page_copy
                    k.copiedOut.add(old);
                    k.trace.event("copy", "pfn " + old + " copied to pfn " + fresh);
                    map = 0;
                    pc = REMAP;
                    return run.reach("copy");
                }
                case REMAP: { // remove_migration_ptes
                    if (map == mapVas.length) {
                        pc = FREE;
                        continue;
                    }
                    run.step("remap");
                    Space sp = k.spaces.get(mapSpaces[map]);
                    long va = mapVas[map];
                    run.lockPtl(sp);
                    long pte = sp.pageTable.get(va);
                    if (Pte.isMigration(pte) && Pte.pfn(pte) == old()) {
                        k.fire(sp, Sites.MIGRATE_REMAP, Range.page(va));
                        long wr = pte & Pte.WRITE;
                        k.mem.get(fresh);
                        k.mem.addMap(fresh);
                        sp.pageTable.set(va, Pte.make(fresh, Pte.PRESENT | Pte.YOUNG | wr | (wr != 0 ? Pte.DIRTY : 0)));
                    }
                    run.unlockPtl(sp);
                    map++;
                    return run.reach("remap");
                }
                case FREE:
                    k.mem.put(fresh);
                    run.step("free");
                    k.mem.put(old()); // putback: the isolation reference was the last one
                    k.copiedOut.remove(old());
                    page++;
                    pc = NEXT_PAGE;
                    return run.reach("free");
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Migrate c = copyRmap(new Migrate(space, r));
        c.fresh = fresh;
        c.unmapOne = unmapOne == null ? null : unmapOne.copy();
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashRmap(h);
        h.put(r.start()).put(r.end()).put(fresh);
        if (unmapOne == null) h.put(-1);
        else unmapOne.hashInto(h);
    }
}
