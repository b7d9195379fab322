package mmn.engine.mem;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TLB: the CPU TLB of a space, a device ATC, an IOMMU IOTLB, a mirror's device page
 * table or a KVM shadow table. Entries are 4 KiB; a capacity evicts the oldest entry
 * (insertion order, so eviction is deterministic). Every insert and removal is
 * reported to the checker, which keeps the reverse map from frames to entries.
 */
public final class TranslationCache {
    /** Keeps the reverse maps (frame -> entries, page -> entries) current. */
    public interface Index {
        void inserted(Translation t);

        void removed(Translation t);
    }

    private final String label;
    private final Space space;
    private final int capacity;
    /**
     * Page number (va >>> 12) -> entry, in insertion order. Keyed by page number, not
     * address: a page-aligned Long's hash has its low 12 bits zero, so consecutive pages
     * fell into a few buckets.
     */
    private final LinkedHashMap<Long, Translation> entries = new LinkedHashMap<>();

    private static Long key(long va) {
        return va >>> Addr.PAGE_SHIFT;
    }
    private Index index;

    public TranslationCache(String label, Space space, int capacity) {
        this.label = label;
        this.space = space;
        this.capacity = capacity;
    }

    public void setIndex(Index i) {
        this.index = i;
    }

    public String label() {
        return label;
    }

    public Space space() {
        return space;
    }

    public int size() {
        return entries.size();
    }

    public Translation lookup(long va) {
        return entries.get(key(va));
    }

    public Translation insert(long va, int pfn, int gen, boolean writable) {
        long page = Addr.pageDown(va);
        remove(page);
        if (capacity > 0 && entries.size() >= capacity) {
            Iterator<Map.Entry<Long, Translation>> it = entries.entrySet().iterator();
            Translation victim = it.next().getValue();
            it.remove();
            if (index != null) index.removed(victim);
        }
        Translation t = new Translation(this, page, pfn, gen, writable, Addr.PAGE_SIZE);
        entries.put(key(page), t);
        if (index != null) index.inserted(t);
        return t;
    }

    public boolean remove(long page) {
        Translation t = entries.remove(key(page));
        if (t != null && index != null) index.removed(t);
        return t != null;
    }

    /** Drops every entry in r; returns how many. */
    public int flush(Range r) {
        if (r.pages() <= entries.size()) {
            int n = 0;
            for (long va = Addr.pageDown(r.start()); va < r.end(); va += Addr.PAGE_SIZE) {
                if (remove(va)) n++;
            }
            return n;
        }
        List<Long> victims = new ArrayList<>();
        for (Translation t : entries.values()) if (r.contains(t.va)) victims.add(t.va);
        for (long va : victims) remove(va);
        return victims.size();
    }

    public int flushAll() {
        int n = entries.size();
        for (Translation t : entries.values()) if (index != null) index.removed(t);
        entries.clear();
        return n;
    }

    public List<Translation> entries() {
        return new ArrayList<>(entries.values());
    }

    /** Copies entries into a fresh cache (snapshots); the index is re-attached by the caller. */
    public TranslationCache copyFor(Space s) {
        TranslationCache c = new TranslationCache(label, s, capacity);
        for (Translation t : entries.values()) c.entries.put(key(t.va), new Translation(c, t.va, t.pfn, t.gen, t.writable, t.size));
        return c;
    }

    /** Each entry, in insertion order. */
    public void forEach(java.util.function.Consumer<Translation> f) {
        for (Translation t : entries.values()) f.accept(t);
    }

    public void reindex() {
        if (index != null) for (Translation t : entries.values()) index.inserted(t);
    }

    public void hashInto(StateHasher h) {
        h.put(label).put(entries.size());
        // insertion order is state: it decides the next eviction
        for (Translation t : entries.values()) h.put(t.va).put(t.pfn).put(t.gen).put(t.writable);
    }
}
