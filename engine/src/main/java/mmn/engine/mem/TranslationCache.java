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

    /**
     * Which cache this is, the same object in every copy of it (a snapshot's, a restored
     * world's): entries name their cache by it, so copies can share entries.
     */
    public static final class Id {
        public final String label;
        /** The name of the space whose addresses the cache translates. */
        public final String space;

        Id(String label, String space) {
            this.label = label;
            this.space = space;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private final Id id;
    private final Space space;
    private final int capacity;
    /**
     * Page number (va >>> 12) -> entry, in insertion order. Keyed by page number, not
     * address: a page-aligned Long's hash has its low 12 bits zero, so consecutive pages
     * fell into a few buckets.
     */
    private LinkedHashMap<Long, Translation> entries = new LinkedHashMap<>();
    /**
     * Whether {@link #entries} is shared with a copy (a snapshot and the worlds restored
     * from it share it, and the Translations in it, which are immutable): the first
     * write clones it. A restore then costs nothing here for the caches a step leaves alone.
     */
    private boolean shared;
    /** The entries' hash while {@link #digested}, carried by copies with the map (the key then costs the caches that changed). */
    private long digestHi, digestLo;
    private boolean digested;

    private static Long key(long va) {
        return va >>> Addr.PAGE_SHIFT;
    }
    private Index index;

    public TranslationCache(String label, Space space, int capacity) {
        this(new Id(label, space.name), space, capacity);
    }

    private TranslationCache(Id id, Space space, int capacity) {
        this.id = id;
        this.space = space;
        this.capacity = capacity;
    }

    /** This cache's identity across copies. */
    public Id id() {
        return id;
    }

    /** Before any write: a shared map is cloned first, and the digest dropped. */
    private LinkedHashMap<Long, Translation> forWrite() {
        if (shared) {
            entries = new LinkedHashMap<>(entries);
            shared = false;
        }
        digested = false;
        return entries;
    }

    public void setIndex(Index i) {
        this.index = i;
    }

    public String label() {
        return id.label;
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
        LinkedHashMap<Long, Translation> entries = forWrite();
        if (capacity > 0 && entries.size() >= capacity) {
            Iterator<Map.Entry<Long, Translation>> it = entries.entrySet().iterator();
            Translation victim = it.next().getValue();
            it.remove();
            if (index != null) index.removed(victim);
        }
        Translation t = new Translation(id, page, pfn, gen, writable, Addr.PAGE_SIZE);
        entries.put(key(page), t);
        if (index != null) index.inserted(t);
        return t;
    }

    public boolean remove(long page) {
        if (!entries.containsKey(key(page))) return false;
        Translation t = forWrite().remove(key(page));
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
        if (n == 0) return 0;
        for (Translation t : entries.values()) if (index != null) index.removed(t);
        if (shared) {
            entries = new LinkedHashMap<>();
            shared = false;
        } else {
            entries.clear();
        }
        digested = false;
        return n;
    }

    public List<Translation> entries() {
        return new ArrayList<>(entries.values());
    }

    /** A copy for s (the same space in a snapshot or a restored world), sharing the entries until either writes; the index is re-attached by the caller. */
    public TranslationCache copyFor(Space s) {
        TranslationCache c = new TranslationCache(id, s, capacity);
        c.entries = entries;
        c.shared = true;
        shared = true;
        c.digested = digested;
        c.digestHi = digestHi;
        c.digestLo = digestLo;
        return c;
    }

    /**
     * Makes this cache (of a restored world, the same {@link #id}) hold o's entries,
     * shared until either writes, as {@link #copyFor} does; the index stays attached and
     * the caller marks it stale.
     */
    public void assignFrom(TranslationCache o) {
        if (o.id != id) throw new IllegalArgumentException(o.id + " is not " + id);
        entries = o.entries;
        shared = true;
        o.shared = true;
        digested = o.digested;
        digestHi = o.digestHi;
        digestLo = o.digestLo;
    }

    /** Each entry, in insertion order. */
    public void forEach(java.util.function.Consumer<Translation> f) {
        for (Translation t : entries.values()) f.accept(t);
    }

    public void reindex() {
        if (index != null) for (Translation t : entries.values()) index.inserted(t);
    }

    public void hashInto(StateHasher h) {
        if (!digested) {
            StateHasher d = new StateHasher();
            d.put(id.label).put(entries.size());
            // insertion order is state: it decides the next eviction
            for (Translation t : entries.values()) d.put(t.va).put(t.pfn).put(t.gen).put(t.writable);
            digestHi = d.high();
            digestLo = d.low();
            digested = true;
        }
        h.put(digestHi).put(digestLo);
    }
}
