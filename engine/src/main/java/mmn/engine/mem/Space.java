package mmn.engine.mem;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * mm_struct: VMAs, the page table, the page-table lock and the CPU TLB. Its mmu_notifier
 * subscriptions (mm->notifier_subscriptions) are kept by the notifier core.
 */
public final class Space {
    public final String name;
    public final TreeMap<Long, Vma> vmas = new TreeMap<>();
    public PageTable pageTable;
    public TranslationCache cpuTlb;
    /** Nesting of invalidate_range_start without its end (the core's own bookkeeping). */
    public int activeInvalidations;
    /** mmu_notifier_release ran (exit_mmap): the list is empty for good. */
    public boolean released;
    public boolean exited;
    /** Depth of the page-table lock held by the running operation. */
    public int ptlDepth;
    /** mmap_lock held for write by the running operation (khugepaged's collapse): faults wait. */
    public boolean mmapWriteLocked;
    /** pgtable_trans_huge_deposit: 2M-aligned address of a huge PMD -> the PTE table kept for its split. */
    public final TreeMap<Long, Integer> deposits = new TreeMap<>();

    public Space(String name) {
        this.name = name;
    }

    /**
     * Equality stays identity (a copy of a space is another space); the hash is the name's,
     * so a fresh copy (a restore makes one per space) does not pay for an identity hash in
     * every map keyed by spaces.
     */
    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    public String name() {
        return name;
    }

    public PageTable pageTable() {
        return pageTable;
    }

    public TranslationCache cpuTlb() {
        return cpuTlb;
    }

    public List<Vma> vmas() {
        return new ArrayList<>(vmas.values());
    }

    public boolean ptlHeld() {
        return ptlDepth > 0;
    }

    public boolean exited() {
        return exited;
    }

    /** find_vma: the VMA containing va, or null. */
    public Vma findVma(long va) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(va);
        if (e == null || va >= e.getValue().end) return null;
        return e.getValue();
    }

    /** The end of the VMA before va (free_pgtables' floor), or 0. */
    public long floorFor(long va) {
        Map.Entry<Long, Vma> e = vmas.lowerEntry(va);
        return e == null ? 0 : e.getValue().end;
    }

    /** The start of the VMA at or after va (free_pgtables' ceiling), or TASK_SIZE. */
    public long ceilingFor(long va) {
        Map.Entry<Long, Vma> e = vmas.ceilingEntry(va);
        return e == null ? Addr.TASK_SIZE : e.getValue().start;
    }

    /** Splits VMAs so that r's bounds fall on VMA boundaries (split_vma). */
    public void splitAt(Range r) {
        for (long cut : new long[] {r.start(), r.end()}) {
            Vma v = findVma(cut);
            if (v != null && v.start < cut) {
                Vma lo = v.slice(v.start, cut);
                Vma hi = v.slice(cut, v.end);
                vmas.put(lo.start, lo);
                vmas.put(hi.start, hi);
            }
        }
    }

    /** The VMAs inside r (after {@link #splitAt}). */
    public List<Vma> vmasIn(Range r) {
        List<Vma> out = new ArrayList<>();
        for (Vma v : vmas.subMap(r.start(), true, r.end(), false).values()) out.add(v);
        return out;
    }

    /** A deep copy over mem (a copy of this space's memory); the copy's page table has no listener yet. */
    public Space copyFor(PhysMem mem) {
        Space n = new Space(name);
        for (Vma v : vmas.values()) n.vmas.put(v.start, v.copy());
        n.pageTable = pageTable.copyFor(mem, n);
        n.cpuTlb = cpuTlb.copyFor(n);
        n.activeInvalidations = activeInvalidations;
        n.released = released;
        n.exited = exited;
        n.ptlDepth = ptlDepth;
        n.mmapWriteLocked = mmapWriteLocked;
        n.deposits.putAll(deposits);
        return n;
    }

    /**
     * Makes this space (a restored world's, of o's name, over the same memory object) a
     * copy of o in place: what the last step left alone (the VMAs, the deposits) is
     * compared, not copied; the TLB shares o's entries.
     */
    public void assignFrom(Space o) {
        if (!sameVmas(o)) {
            vmas.clear();
            for (Vma v : o.vmas.values()) vmas.put(v.start, v.copy());
        }
        if (pageTable == null || o.pageTable == null) throw new IllegalStateException("assignFrom: " + name + " has no page table");
        pageTable.assignFrom(o.pageTable);
        cpuTlb.assignFrom(o.cpuTlb);
        activeInvalidations = o.activeInvalidations;
        released = o.released;
        exited = o.exited;
        ptlDepth = o.ptlDepth;
        mmapWriteLocked = o.mmapWriteLocked;
        if (!deposits.equals(o.deposits)) {
            deposits.clear();
            deposits.putAll(o.deposits);
        }
    }

    private boolean sameVmas(Space o) {
        if (vmas.size() != o.vmas.size()) return false;
        var mine = vmas.values().iterator();
        for (Vma v : o.vmas.values()) if (!mine.next().sameAs(v)) return false;
        return true;
    }

    public void hashInto(StateHasher h) {
        h.put(name).put(vmas.size());
        for (Vma v : vmas.values()) v.hashInto(h);
        if (pageTable != null) pageTable.hashInto(h);
        cpuTlb.hashInto(h);
        h.put(activeInvalidations).put(released).put(exited).put(ptlDepth);
        for (Map.Entry<Long, Integer> e : deposits.entrySet()) h.put(e.getKey()).put(e.getValue());
    }
}
