package mmn.engine.ops;

import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;

/**
 * try_to_unmap_one (try_to_migrate_one in 6.x) for one mapping, as a sub-program that
 * migrate's frame holds and reclaim drives whole: [start], PTL, [the young test],
 * clear (and flush the CPU, unless the flush is batched), install the migration or swap
 * entry, drop the mapping's reference (the caller's keeps the page), unlock, [end].
 * {@code slot} < 0 means a migration entry. Where the young test finds the page young
 * (the PTE's bit or any subscriber's ->clear_flush_young answer) the PTE stays and the
 * unmap is abandoned (3.16/3.19 SWAP_FAIL; 4.15 ret = false: end still fires): the
 * rmap walk stops there ({@link #young}).
 *
 * <pre>
 *   start   invalidate_range_start of the page (sites.start)
 *   young   ptep_clear_flush_young_notify (3.16-4.15 reclaim: sites.young)
 *   clear   the PTE cleared, the CPU flushed, the entry installed (sites.clear, sites.entry)
 *   unlock  the PTL released; invalidate_page where the tree has it (sites.unlock)
 *   end     invalidate_range_end (sites.end)
 * </pre>
 */
final class TryToUnmapOne {
    private static final int START = 0, CLEAR = 1, AFTER_YOUNG = 2, CLEAR_REST = 3, UNLOCK = 4, END = 5, DONE = 6;

    private final String space;
    private final long va;
    private final int pfn, slot;
    private final Rmap.UnmapSites sites;
    private final boolean batched;
    private int pc;
    /** The PTE as read under the PTL, and what the step found: still this page's; young; unmapped. */
    private long pte;
    private boolean mapped, unmapped;
    boolean young;

    TryToUnmapOne(String space, long va, int pfn, int slot, Rmap.UnmapSites sites, boolean batched) {
        this.space = space;
        this.va = va;
        this.pfn = pfn;
        this.slot = slot;
        this.sites = sites;
        this.batched = batched;
    }

    /** Runs to the next phase point (its name), or returns null when the mapping is done. */
    String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        Range page = Range.page(va);
        while (true) {
            switch (pc) {
                case START:
                    run.step("start");
                    k.fire(s, sites.start(), page);
                    pc = CLEAR;
                    return run.reach("start");
                case CLEAR:
                    run.step("clear");
                    run.lockPtl(s);
                    pte = s.pageTable.get(va);
                    mapped = Pte.mapsPage(pte) && Pte.pfn(pte) == pfn; // page_vma_mapped_walk may find it gone
                    young = false;
                    pc = CLEAR_REST;
                    if (mapped && k.vmm.rmap.testsYoung(sites)) {
                        // ptep_clear_flush_young_notify: x86 ptep_clear_flush_young test-and-clears the bit (no CPU flush), then the subscribers
                        run.step("young");
                        boolean cpu = Pte.young(pte);
                        if (cpu) s.pageTable.set(va, Pte.mkold(pte));
                        young = k.fireYoung(s, sites.young(), page) | cpu;
                        if (young) k.trace.event("reclaim", "pfn " + pfn + " at " + s.name + " " + Addr.hex(va) + " is young ("
                                + (cpu ? "PTE" : "a subscriber") + "): try_to_unmap_one gives up, the page stays mapped");
                        pc = AFTER_YOUNG;
                        return run.reach("young");
                    }
                    continue;
                case AFTER_YOUNG:
                    run.step("clear");
                    pc = CLEAR_REST;
                    continue;
                case CLEAR_REST:
                    unmapped = mapped && !young;
                    if (unmapped) {
                        s.pageTable.set(va, Pte.NONE);
                        if (!batched) run.cpuFlush(s, page);
                        // a queued (batched) flush is for the whole mm: arch_tlbbatch_add_pending passes 0..-1
                        k.fire(s, sites.clear(), batched ? Range.ALL : page);
                        long entry = slot < 0 ? Pte.make(pfn, Pte.MIGRATION | (pte & Pte.WRITE)) : Pte.make(slot, Pte.SWAP);
                        s.pageTable.set(va, entry);
                        if (sites.entry() != null) k.fire(s, sites.entry(), page);
                        k.mem.removeMap(pfn);
                        k.mem.put(pfn); // the mapping's reference; the caller's isolation reference remains
                    }
                    pc = UNLOCK;
                    if (!young) return run.reach("clear");
                    continue;
                case UNLOCK:
                    run.unlockPtl(s);
                    run.step("unlock");
                    if (unmapped) k.fire(s, sites.unlock(), page, va, Pte.NONE);
                    pc = END;
                    return run.reach("unlock");
                case END:
                    run.step("end");
                    k.fire(s, sites.end(), page);
                    pc = DONE;
                    return run.reach("end");
                default:
                    return null;
            }
        }
    }

    TryToUnmapOne copy() {
        TryToUnmapOne c = new TryToUnmapOne(space, va, pfn, slot, sites, batched);
        c.pc = pc;
        c.pte = pte;
        c.mapped = mapped;
        c.unmapped = unmapped;
        c.young = young;
        return c;
    }

    void hashInto(StateHasher h) {
        h.put(pc).put(space).put(va).put(pfn).put(slot).put(batched).put(pte).put(mapped).put(unmapped).put(young);
        h.put(sites.start()); // which flavour (migration or swap-out): its sites differ
    }
}
