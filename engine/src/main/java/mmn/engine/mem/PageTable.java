package mmn.engine.mem;

import java.util.ArrayList;
import java.util.List;

/**
 * A space's 4-level radix page table whose tables live in frames of {@link PhysMem}.
 * Level 4 is the PGD, level 1 the PTE table. A PMD entry with {@link Pte#HUGE} is a
 * 2 MiB leaf. Leaf writes go through {@link #set} so the checker sees every change.
 */
public final class PageTable {
    /** Hears every leaf change; the checker marks the page for its boundary check. */
    public interface Listener {
        void leafChanged(PageTable pt, long va, long oldPte, long newPte);
    }

    private final PhysMem mem;
    private final Space space;
    private int root;
    private Listener listener;

    public PageTable(PhysMem mem, Space space) {
        this.mem = mem;
        this.space = space;
        this.root = mem.alloc(FrameKind.PAGE_TABLE);
    }

    public PageTable(PhysMem mem, Space space, int root) {
        this.mem = mem;
        this.space = space;
        this.root = root;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    public Space space() {
        return space;
    }

    public int root() {
        return root;
    }

    /** The leaf entry mapping va: a PTE, a huge PMD, or NONE when no table reaches it. */
    public long get(long va) {
        if (root < 0) return Pte.NONE;
        int t = root;
        for (int level = 4; level >= 1; level--) {
            long[] tab = mem.table(t);
            if (tab == null) return Pte.NONE;
            long e = tab[Addr.index(va, level)];
            if (level == 1) return e;
            if (level == 2 && Pte.huge(e)) return e;
            if (!Pte.present(e)) return Pte.NONE;
            t = Pte.pfn(e);
        }
        return Pte.NONE;
    }

    /** The table frame at {@code level} on va's path, or -1 if the path stops above it. */
    public int tableAt(long va, int level) {
        if (root < 0) return -1;
        int t = root;
        for (int l = 4; l > level; l--) {
            long e = mem.table(t)[Addr.index(va, l)];
            if (!Pte.present(e) || (l == 2 && Pte.huge(e))) return -1;
            t = Pte.pfn(e);
        }
        return t;
    }

    /** Whether a huge PMD maps va. */
    public boolean isHuge(long va) {
        int pmd = tableAt(va, 2);
        return pmd >= 0 && Pte.huge(mem.table(pmd)[Addr.index(va, 2)]);
    }

    /** __pte_alloc and friends: makes the tables down to the PTE level exist. */
    public int allocTables(long va) {
        int t = root;
        for (int level = 4; level > 1; level--) {
            long[] tab = mem.table(t);
            int i = Addr.index(va, level);
            if (!Pte.present(tab[i])) {
                int n = mem.alloc(FrameKind.PAGE_TABLE);
                tab = mem.tableForWrite(t);
                tab[i] = Pte.make(n, Pte.PRESENT | Pte.WRITE);
            }
            t = Pte.pfn(tab[i]);
        }
        return t;
    }

    /** set_pte_at: writes the leaf for va (a PTE, or the PMD when {@code huge}). */
    public void set(long va, long pte) {
        boolean huge = Pte.huge(pte) || isHuge(va);
        int t = huge ? tableAtOrAlloc(va, 2) : allocTables(va);
        int level = huge ? 2 : 1;
        long[] tab = mem.table(t);
        int i = Addr.index(va, level);
        long old = tab[i];
        if (old != pte) mem.tableForWrite(t)[i] = pte;
        if (old != pte && listener != null) listener.leafChanged(this, huge ? va & ~(Addr.PMD_SIZE - 1) : va, old, pte);
    }

    private int tableAtOrAlloc(long va, int level) {
        int t = root;
        for (int l = 4; l > level; l--) {
            long[] tab = mem.table(t);
            int i = Addr.index(va, l);
            if (!Pte.present(tab[i])) {
                int n = mem.alloc(FrameKind.PAGE_TABLE);
                tab = mem.tableForWrite(t);
                tab[i] = Pte.make(n, Pte.PRESENT | Pte.WRITE);
            }
            t = Pte.pfn(tab[i]);
        }
        return t;
    }

    /**
     * Clears the PMD entry that points to va's PTE table (pmdp_collapse_flush) and returns
     * the table's frame, which stays allocated; every PTE it held is reported changed.
     */
    public int detachPteTable(long va) {
        int pmd = tableAt(va, 2);
        long[] tab = mem.tableForWrite(pmd);
        int i = Addr.index(va, 2);
        int pte = Pte.pfn(tab[i]);
        tab[i] = Pte.NONE;
        long base = va & -Addr.PMD_SIZE;
        long[] ptes = mem.table(pte);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            if (ptes[k] != Pte.NONE && listener != null) listener.leafChanged(this, base + ((long) k << Addr.PAGE_SHIFT), ptes[k], Pte.NONE);
        }
        return pte;
    }

    /** Writes an entry of a PTE table that no PMD points to (a withdrawn deposit). */
    public void setDetached(int table, long va, long pte) {
        mem.tableForWrite(table)[Addr.index(va, 1)] = pte;
    }

    /** pmd_populate: the PMD of va now points at the PTE table; its entries are reported changed. */
    public void populatePmd(long va, int table) {
        int pmd = tableAtOrAlloc(va, 2);
        mem.tableForWrite(pmd)[Addr.index(va, 2)] = Pte.make(table, Pte.PRESENT | Pte.WRITE);
        long base = va & -Addr.PMD_SIZE;
        long[] ptes = mem.table(table);
        if (listener != null) listener.leafChanged(this, base, Pte.NONE, ptes[0]);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            if (ptes[k] != Pte.NONE && listener != null) listener.leafChanged(this, base + ((long) k << Addr.PAGE_SHIFT), Pte.NONE, ptes[k]);
        }
    }

    /**
     * huge_pmd_share: va's PUD entry now points at another process's PMD page (its count
     * was taken by the caller); the huge leaves it holds appear in this space.
     */
    public void sharePmd(long va, int pmd) {
        int pud = tableAtOrAlloc(va, 3);
        mem.tableForWrite(pud)[Addr.index(va, 3)] = Pte.make(pmd, Pte.PRESENT | Pte.WRITE);
        reportPmdLeaves(va, pmd, true);
    }

    /**
     * huge_pmd_unshare: clears va's PUD entry (the caller drops the PMD page's count);
     * every huge leaf of the 1 GiB span vanishes from this space, none from the others.
     */
    public int unsharePmd(long va) {
        int pud = tableAt(va, 3);
        int i = Addr.index(va, 3);
        int pmd = Pte.pfn(mem.table(pud)[i]);
        mem.tableForWrite(pud)[i] = Pte.NONE;
        reportPmdLeaves(va, pmd, false);
        return pmd;
    }

    private void reportPmdLeaves(long va, int pmd, boolean appear) {
        if (listener == null) return;
        long base = va & -Addr.PUD_SIZE;
        long[] tab = mem.table(pmd);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            if (tab[k] == Pte.NONE) continue;
            long at = base + ((long) k << Addr.PMD_SHIFT);
            listener.leafChanged(this, at, appear ? Pte.NONE : tab[k], appear ? tab[k] : Pte.NONE);
        }
    }

    /** Leaf addresses in range whose entry is not none, in address order (walks only existing tables). */
    public List<Long> populated(Range r) {
        List<Long> out = new ArrayList<>();
        if (root >= 0) collect(root, 4, 0, r, out);
        return out;
    }

    private void collect(int t, int level, long base, Range r, List<Long> out) {
        long[] tab = mem.table(t);
        if (tab == null) return;
        long span = 1L << Addr.shiftOf(level);
        int from = (int) Math.max(0, (r.start() - base) >> Addr.shiftOf(level));
        for (int i = from; i < Addr.PTRS_PER_TABLE; i++) {
            long va = base + i * span;
            if (va >= r.end()) break;
            if (!r.overlaps(va, va + span)) continue;
            long e = tab[i];
            if (e == Pte.NONE) continue;
            if (level == 1 || (level == 2 && Pte.huge(e))) {
                out.add(va);
            } else if (Pte.present(e)) {
                collect(Pte.pfn(e), level - 1, va, r, out);
            }
        }
    }

    /** A page-table page that free_pgtables unlinked: its level, the VA it mapped, its frame. */
    public record UnlinkedTable(int level, long va, int pfn) {
        public Range covers() {
            return new Range(va, va + (1L << Addr.shiftOf(level + 1)));
        }
    }

    /**
     * free_pgtables / free_pgd_range: unlinks every table that maps only addresses inside
     * [floor, ceiling) and intersects r; returns them bottom-up so the caller can batch
     * them in the mmu_gather. The PGD itself stays unless {@code includeRoot}.
     */
    public List<UnlinkedTable> unlinkTables(Range r, long floor, long ceiling, boolean includeRoot) {
        List<UnlinkedTable> out = new ArrayList<>();
        unlink(root, 4, 0, r, floor, ceiling, out);
        if (includeRoot) {
            out.add(new UnlinkedTable(4, 0, root));
            root = -1;
        }
        return out;
    }

    private void unlink(int t, int level, long base, Range r, long floor, long ceiling, List<UnlinkedTable> out) {
        long[] tab = mem.table(t);
        long span = 1L << Addr.shiftOf(level);
        for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) {
            long va = base + i * span;
            if (va >= r.end()) break;
            if (!r.overlaps(va, va + span)) continue;
            long e = tab[i];
            if (!Pte.present(e) || level == 1 || (level == 2 && Pte.huge(e))) continue;
            int child = Pte.pfn(e);
            unlink(child, level - 1, va, r, floor, ceiling, out);
            // the child table maps [va, va+span): free it only if nothing outside the
            // unmapped hole can still need it (the kernel's floor/ceiling rounding)
            if (va >= floor && va + span <= ceiling) {
                tab = mem.tableForWrite(t);
                tab[i] = Pte.NONE;
                out.add(new UnlinkedTable(level - 1, va, child));
            }
        }
    }

    void hashInto(StateHasher h) {
        h.put(root);
    }

    /** Makes this table (a restored world's, over the same memory object) o's copy: the root is all it holds besides the frames. */
    public void assignFrom(PageTable o) {
        root = o.root;
    }

    public PageTable copyFor(PhysMem m, Space s) {
        return new PageTable(m, s, root);
    }
}
