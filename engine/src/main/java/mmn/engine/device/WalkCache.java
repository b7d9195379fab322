package mmn.engine.device;

import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.StateHasher;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * An IOMMU page-walk cache: upper-level entries (PGD, PUD, PMD) the device's walks
 * passed, each naming the next table's frame and generation. A cached entry lets a
 * later walk skip straight to that table, which is exactly what goes wrong when the
 * table has been freed without a flush (the cover letter's page-table-page case).
 */
public final class WalkCache {
    /** A cached upper-level entry at {@code level} covering [va, va + span): next table is pfn. */
    public record Entry(WalkCache owner, int level, long va, int pfn, int gen) {
        public Range covers() {
            return new Range(va, va + (1L << Addr.shiftOf(level)));
        }

        @Override
        public String toString() {
            return owner.label + "[" + Addr.levelName(level) + " " + Addr.hex(va) + " -> table pfn " + pfn + " gen " + gen + "]";
        }
    }

    public interface Index {
        void inserted(Entry e);

        void removed(Entry e);
    }

    private final String label;
    private final TreeMap<Long, Entry>[] levels;
    private Index index;

    @SuppressWarnings("unchecked")
    WalkCache(String label) {
        this.label = label;
        this.levels = new TreeMap[5];
        for (int l = 2; l <= 4; l++) levels[l] = new TreeMap<>();
    }

    public void setIndex(Index i) {
        this.index = i;
    }

    public String label() {
        return label;
    }

    private static long key(long va, int level) {
        return va & -(1L << Addr.shiftOf(level));
    }

    Entry lookup(long va, int level) {
        return levels[level].get(key(va, level));
    }

    void insert(int level, long va, int pfn, int gen) {
        long k = key(va, level);
        Entry old = levels[level].get(k);
        if (old != null && old.pfn == pfn && old.gen == gen) return;
        if (old != null && index != null) index.removed(old);
        Entry e = new Entry(this, level, k, pfn, gen);
        levels[level].put(k, e);
        if (index != null) index.inserted(e);
    }

    /** Drops entries whose covered range overlaps r. */
    int flush(Range r) {
        int n = 0;
        for (int l = 2; l <= 4; l++) {
            List<Long> victims = new ArrayList<>();
            long span = 1L << Addr.shiftOf(l);
            for (Entry e : levels[l].subMap(key(r.start(), l), true, r.end(), false).values()) {
                if (r.overlaps(e.va, e.va + span)) victims.add(e.va);
            }
            for (Long k : victims) {
                Entry e = levels[l].remove(k);
                if (index != null) index.removed(e);
                n++;
            }
        }
        return n;
    }

    int flushAll() {
        int n = 0;
        for (int l = 2; l <= 4; l++) {
            for (Entry e : levels[l].values()) {
                if (index != null) index.removed(e);
                n++;
            }
            levels[l].clear();
        }
        return n;
    }

    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (int l = 4; l >= 2; l--) out.addAll(levels[l].values());
        return out;
    }

    WalkCache copy() {
        WalkCache c = new WalkCache(label);
        for (int l = 2; l <= 4; l++)
            for (Entry e : levels[l].values()) c.levels[l].put(e.va, new Entry(c, e.level, e.va, e.pfn, e.gen));
        return c;
    }

    /** Makes this cache (a restored world's, of the same device) hold o's entries; left alone when it holds them already. */
    void assignFrom(WalkCache o) {
        if (sameEntries(o)) return;
        for (int l = 2; l <= 4; l++) {
            levels[l].clear();
            for (Entry e : o.levels[l].values()) levels[l].put(e.va, new Entry(this, e.level, e.va, e.pfn, e.gen));
        }
    }

    private boolean sameEntries(WalkCache o) {
        for (int l = 2; l <= 4; l++) {
            if (levels[l].size() != o.levels[l].size()) return false;
            var mine = levels[l].values().iterator();
            for (Entry e : o.levels[l].values()) {
                Entry m = mine.next();
                if (m.va != e.va || m.pfn != e.pfn || m.gen != e.gen) return false;
            }
        }
        return true;
    }

    public void reindex() {
        if (index != null) for (Entry e : entries()) index.inserted(e);
    }

    void hashInto(StateHasher h) {
        for (int l = 2; l <= 4; l++) {
            h.put(levels[l].size());
            for (Entry e : levels[l].values()) h.put(e.va).put(e.pfn).put(e.gen);
        }
    }
}
