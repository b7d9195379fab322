package mmn.engine.ops;

import mmn.engine.mem.Addr;
import mmn.engine.mem.PageTable;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reverse map: for each frame, the PTEs (space, address) that map it with a 4 KiB
 * entry. The kernel gets this from the page: an anonymous page's anon_vma chain, a file
 * page's i_mmap tree (mm/rmap.c rmap_walk_anon / rmap_walk_file), so try_to_unmap and
 * page_referenced visit the mappings of one page, never the whole address space. Here
 * it is kept from the page table's leaf changes ({@link PageTable.Listener}), so an rmap
 * walk costs the mappings of the frame.
 *
 * <p>It is derived state, not part of a snapshot: a restore (or a copy of the world)
 * marks it stale and the next walk rebuilds it from the page tables (one scan, the
 * cost the walk used to pay every time). A walk checks every candidate against the page
 * table and the VMAs, so an entry left behind where a table was unlinked without a
 * report is harmless; an entry can only be missing if a PTE mapping a page were written
 * without a report, which {@link PageTable} never does.
 */
public final class ReverseMap implements PageTable.Listener {
    private final Kernel w;
    /** pfn -> null, one {@link Rmap.Mapping}, or an ArrayList of them (most pages have one mapping). */
    private Object[] byPfn = new Object[64];
    private boolean valid = true;

    public ReverseMap(Kernel w) {
        this.w = w;
    }

    /** The page tables changed behind our back (a restore): rebuild on the next walk. */
    public void invalidate() {
        valid = false;
    }

    @Override
    public void leafChanged(PageTable pt, long va, long oldPte, long newPte) {
        if (!valid) return;
        long page = Addr.pageDown(va);
        if (Pte.mapsPage(oldPte) && !Pte.huge(oldPte)) remove(Pte.pfn(oldPte), pt.space(), page);
        if (Pte.mapsPage(newPte) && !Pte.huge(newPte)) add(Pte.pfn(newPte), pt.space(), page);
    }

    private void add(int pfn, Space s, long va) {
        if (pfn == PhysMem.ZERO_PFN) return; // never migrated, reclaimed or aged; it has every anonymous read
        if (pfn >= byPfn.length) byPfn = Arrays.copyOf(byPfn, Math.max(pfn + 1, 2 * byPfn.length));
        Object o = byPfn[pfn];
        if (o == null) {
            byPfn[pfn] = new Rmap.Mapping(s, va);
        } else if (o instanceof Rmap.Mapping m) {
            if (m.space() == s && m.va() == va) return;
            List<Rmap.Mapping> l = new ArrayList<>(2);
            l.add(m);
            l.add(new Rmap.Mapping(s, va));
            byPfn[pfn] = l;
        } else {
            @SuppressWarnings("unchecked") List<Rmap.Mapping> l = (List<Rmap.Mapping>) o;
            for (Rmap.Mapping x : l) if (x.space() == s && x.va() == va) return;
            l.add(new Rmap.Mapping(s, va));
        }
    }

    private void remove(int pfn, Space s, long va) {
        if (pfn >= byPfn.length) return;
        Object o = byPfn[pfn];
        if (o instanceof Rmap.Mapping m) {
            if (m.space() == s && m.va() == va) byPfn[pfn] = null;
        } else if (o != null) {
            @SuppressWarnings("unchecked") List<Rmap.Mapping> l = (List<Rmap.Mapping>) o;
            l.removeIf(x -> x.space() == s && x.va() == va);
            if (l.size() == 1) byPfn[pfn] = l.get(0);
        }
    }

    /**
     * Every 4 KiB PTE that maps the frame inside a VMA of a live space: spaces in
     * declaration order, addresses ascending (the order the walk's hooks fire in).
     */
    List<Rmap.Mapping> mappings(int pfn) {
        if (!valid) rebuild();
        List<Rmap.Mapping> out = new ArrayList<>();
        Object o = pfn < byPfn.length ? byPfn[pfn] : null;
        if (o == null) return out;
        if (o instanceof Rmap.Mapping m) {
            if (live(m, pfn)) out.add(m);
            return out;
        }
        @SuppressWarnings("unchecked") List<Rmap.Mapping> l = (List<Rmap.Mapping>) o;
        for (Rmap.Mapping m : l) if (live(m, pfn)) out.add(m);
        if (out.size() > 1) {
            List<Space> order = new ArrayList<>(w.spaces.values());
            out.sort((a, b) -> a.space() != b.space() ? Integer.compare(order.indexOf(a.space()), order.indexOf(b.space()))
                    : Long.compareUnsigned(a.va(), b.va()));
        }
        return out;
    }

    /** Whether the mapping is still one the walk visits: the space alive, a VMA there, the PTE mapping this frame. */
    private boolean live(Rmap.Mapping m, int pfn) {
        Space s = m.space();
        if (s.exited || s.pageTable.root() < 0 || w.spaces.get(s.name) != s || s.findVma(m.va()) == null) return false;
        long pte = s.pageTable.get(m.va());
        return Pte.mapsPage(pte) && !Pte.huge(pte) && Pte.pfn(pte) == pfn;
    }

    private void rebuild() {
        byPfn = new Object[Math.max(64, w.mem.highWater())]; // the stale one is dropped only when a walk needs the map
        valid = true;
        for (Space s : w.spaces.values()) {
            if (s.pageTable == null || s.pageTable.root() < 0) continue;
            for (long va : s.pageTable.populated(Range.ALL)) leafChanged(s.pageTable, va, Pte.NONE, s.pageTable.get(va));
        }
    }
}
