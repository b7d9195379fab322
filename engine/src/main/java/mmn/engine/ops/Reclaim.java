package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Sites;
import java.util.ArrayList;
import java.util.List;

/**
 * reclaim as a step program: mm/vmscan.c shrink_page_list for each anon page in r:
 * add_to_swap, unmap every mapping into a swap entry ({@link TryToUnmapOne}), flush the
 * batched CPU TLB flush where the profile batches it (4.3+ TTU_BATCH_FLUSH), write the
 * page out, then __remove_mapping frees it unless it was mapped again meanwhile. The
 * model reclaims as if page_check_references had found the page old: the aging pass is
 * the separate `age` operation. Up to 4.15 try_to_unmap_one still tests the young bits:
 * a young mapping stops the walk, the page is reactivated (activate_locked) and stays in
 * the swap cache, and nothing is written or freed.
 *
 * <pre>
 *   start, young, clear, unlock, end   try_to_unmap_one, per mapping (Sites.RECLAIM_*)
 *   flush       try_to_unmap_flush_dirty, per space (Sites.RECLAIM_FLUSH)
 *   writeback   pageout
 *   free        __remove_mapping
 * </pre>
 */
final class Reclaim extends RmapFrame {
    private static final int BEGIN = 0, NEXT_PAGE = 1, UNMAP = 2, FLUSH = 3, WRITEBACK = 4, FREE = 5;

    private final Range r;
    private boolean batched;
    /** The page in hand's swap slot; whether every mapping was unmapped so far. */
    private int slot;
    private boolean unmapped;
    private TryToUnmapOne unmapOne;

    Reclaim(String space, Range r) {
        super(space);
        this.r = r;
    }

    @Override
    public String name() {
        return "reclaim";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN:
                    begin(k, s, r);
                    batched = k.profile.batchedUnmapFlush;
                    pc = NEXT_PAGE;
                    continue;
                case NEXT_PAGE: {
                    if (page == pages.length) {
                        return returnOp(k);
                    }
                    int pfn = pfn();
                    if (k.pageCache.contains(pfn))
                        throw new EngineException("reclaim " + s.name + " " + r + ": pfn " + pfn + " is a file page; the model swaps out anonymous pages only",
                                "reclaim a page of an anon mapping");
                    k.mem.get(pfn); // isolate_lru_page
                    slot = k.swap.allocSlot();
                    k.swap.addToCache(slot, pfn); // add_to_swap: the swap cache holds a reference
                    k.mem.get(pfn);
                    walk(k);
                    unmapped = true;
                    unmapOne = null;
                    pc = UNMAP;
                    continue;
                }
                case UNMAP: {
                    if (unmapOne == null) {
                        if (map == mapVas.length) {
                            pc = FLUSH;
                            continue;
                        }
                        unmapOne = new TryToUnmapOne(mapSpaces[map], mapVas[map], pfn(), slot, Rmap.SWAP_OUT, batched);
                    }
                    String p = unmapOne.step(k);
                    if (p != null) return p;
                    boolean young = unmapOne.young;
                    unmapOne = null;
                    map++;
                    if (young) { // rmap_walk stops at the first mapping that fails
                        unmapped = false;
                        pc = FLUSH;
                    }
                    continue;
                }
                case FLUSH: {
                    run.step("flush");
                    List<String> spaces = new ArrayList<>();
                    for (int i = 0; i < mapSpaces.length; i++) if (!spaces.contains(mapSpaces[i])) spaces.add(mapSpaces[i]);
                    for (String name : spaces) {
                        Space sp = k.spaces.get(name);
                        if (batched) run.cpuFlush(sp, Range.ALL); // try_to_unmap_flush_dirty (or, on failure, shrink_page_list's final try_to_unmap_flush)
                        k.fire(sp, Sites.RECLAIM_FLUSH, Range.ALL);
                    }
                    pc = WRITEBACK;
                    return run.reach("flush");
                }
                case WRITEBACK: {
                    int pfn = pfn();
                    if (!unmapped) {
                        // activate_locked: the page stays in the swap cache (vm_swap_full is false) and goes back to the LRU
                        k.trace.event("reclaim", "pfn " + pfn + " was young: try_to_unmap failed, the page is reactivated and stays in the swap cache");
                        k.mem.put(pfn); // putback: the isolation reference
                        page++;
                        pc = NEXT_PAGE;
                        continue;
                    }
                    run.step("writeback");
                    k.swap.writeOut(slot, k.mem.value(pfn)); // pageout
                    k.copiedOut.add(pfn);
                    pc = FREE;
                    return run.reach("writeback");
                }
                case FREE: {
                    int pfn = pfn();
                    run.step("free");
                    // __remove_mapping: the reference freeze fails if the page was faulted back in
                    if (k.mem.mapcount(pfn) == 0 && k.mem.refcount(pfn) == 2) {
                        k.swap.removeFromCache(slot);
                        k.mem.put(pfn);
                        k.mem.put(pfn);
                    } else {
                        k.trace.event("reclaim", "pfn " + pfn + " was mapped again: __remove_mapping fails, the page stays in the swap cache");
                        k.mem.put(pfn);
                    }
                    k.copiedOut.remove(pfn);
                    page++;
                    pc = NEXT_PAGE;
                    return run.reach("free");
                }
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Reclaim c = copyRmap(new Reclaim(space, r));
        c.batched = batched;
        c.slot = slot;
        c.unmapped = unmapped;
        c.unmapOne = unmapOne == null ? null : unmapOne.copy();
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashRmap(h);
        h.put(r.start()).put(r.end()).put(batched).put(slot).put(unmapped);
        if (unmapOne == null) h.put(-1);
        else unmapOne.hashInto(h);
    }
}
