package mmn.engine.mem;

import java.util.ArrayList;
import java.util.List;

/**
 * struct mmu_gather: teardown batches the pages it unmaps (data pages and page-table
 * pages alike on x86, via tlb_remove_page) and the range they cover. When the batch
 * is full the zap must flush and free in the middle (a forced flush); otherwise
 * everything waits for tlb_finish_mmu. Which pages are freed before or after
 * invalidate_range_end depends on this, which is why naive end-only flushing breaks.
 */
public final class MmuGather {
    public final Space space;
    public final boolean fullmm;
    final int capacity;
    /** The range to flush (__tlb_adjust_range widens it); null when nothing was gathered. */
    public Range range;
    public final List<Integer> pages = new ArrayList<>();
    public final List<Integer> tables = new ArrayList<>();
    /** 3.16 flushes the range given to tlb_gather_mmu; 3.19 tracks what was gathered. */
    final Range fixedRange;

    public MmuGather(Space space, Range r, boolean fullmm, int capacity) {
        this.space = space;
        this.fullmm = fullmm;
        this.capacity = Math.max(1, capacity);
        this.fixedRange = r;
    }

    /** A copy bound to {@code s} (the same space in a copied world): a step program's frame owns its gather. */
    public MmuGather copyFor(Space s) {
        MmuGather c = new MmuGather(s, fixedRange, fullmm, capacity);
        c.range = range;
        c.pages.addAll(pages);
        c.tables.addAll(tables);
        c.hugeTail = hugeTail;
        return c;
    }

    /** The batch and its range, for the state key of a frame that owns this gather. */
    public void hashInto(StateHasher h) {
        h.put(fullmm).put(capacity).put(hugeTail);
        if (range == null) h.put(-1);
        else h.put(range.start()).put(range.end());
        h.put(pages.size());
        for (int p : pages) h.put(p);
        h.put(tables.size());
        for (int t : tables) h.put(t);
    }

    /** Frames of gathered huge pages beyond their first: one batch slot holds a whole huge page. */
    public int hugeTail;

    int batched() {
        return pages.size() + tables.size() - hugeTail;
    }

    /**
     * tlb_remove_huge_tlb_entry + tlb_remove_page_size (__tlb_remove_page in 3.x) for a
     * hugetlb page: one slot, its 512 frames freed together; the range widened by 2M.
     */
    public boolean removeHugePage(int base, long va) {
        long b = va & -Addr.PMD_SIZE;
        range = new Range(b, b + Addr.PMD_SIZE).union(range);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) pages.add(base + k);
        hugeTail += Addr.PTRS_PER_TABLE - 1;
        return batched() >= capacity;
    }

    /** tlb_remove_tlb_entry + __tlb_remove_page: returns true when the batch is full. */
    public boolean removePage(int pfn, long va) {
        widen(va);
        pages.add(pfn);
        return batched() >= capacity;
    }

    /** pte_free_tlb and friends: the table joins the same batch; range widened by one page at addr. */
    public boolean removeTable(int pfn, long va) {
        widen(va);
        tables.add(pfn);
        return batched() >= capacity;
    }

    private void widen(long va) {
        Range p = Range.page(va);
        range = p.union(range);
    }

    /** The range this flush covers: the whole mm for a fullmm gather. */
    public Range flushRange() {
        return fullmm ? Range.ALL : range;
    }
}
