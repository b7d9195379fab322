package mmn.engine.mem;

import mmn.engine.EngineException;
import java.util.Arrays;

/**
 * Physical memory: 4 KiB frames, each free, a user page or a page-table page.
 *
 * Every allocation bumps the frame's generation, so a translation cached before a free
 * is told apart from one made after the frame was reused. Frees go to the head of the
 * free list (LIFO, like the per-cpu hot lists), so a freed frame is the next one handed
 * out: reuse is immediate and visible. Frame 0 is never used; frame 1 is the shared
 * zero page.
 */
public final class PhysMem {
    public static final int ZERO_PFN = 1;

    /** Told about every allocation and free; the checker listens. */
    public interface Listener {
        void frameFreed(int pfn, FrameKind was, int gen);
    }

    private final int frames;
    private FrameKind[] kind;
    private int[] gen;
    private long[] value;
    private int[] refcount;
    private int[] mapcount;
    /**
     * Page-table frames' entries. Copy-on-write: a copy of the memory (a snapshot, a
     * restore) shares the arrays, and whoever writes a shared one first clones it
     * ({@link #tableForWrite}), so a copy costs the frame arrays, not 4 KiB per table.
     */
    private long[][] table;
    /** Whether this memory's table array for the frame is its own (else shared with a copy). */
    private boolean[] owned;
    /** Each table's digest (two lanes) while {@code digested}: the state hash feeds it instead of the entries. */
    private long[] digestHi, digestLo;
    private boolean[] digested;
    private int[] freeStack;
    private int freeTop;
    private int highWater;
    private Listener listener;
    /**
     * The whole memory's digest while {@code memDigested}: every write below drops it, and
     * copies share it, so the explorer's key (most of whose steps touch no frame: a device
     * read that hits its TLB) does not rehash every frame each transition.
     */
    private long memHi, memLo;
    private boolean memDigested;

    /** Heap per frame when every frame is in use: kind, gen, value, refcount, mapcount, table and free-stack slots. */
    public static final int BYTES_PER_FRAME = 48;

    /**
     * The most frames this JVM can simulate: frame numbers are ints, and the frame arrays
     * (doubled as they grow, so twice the size at the moment of a copy) must fit in half the heap.
     */
    /** Refuses a `memory` size too small to hold a page table, or larger than this JVM's heap can simulate. */
    public static void checkSize(long bytes) {
        if (bytes < 16 * Addr.PAGE_SIZE) throw new EngineException("memory " + bytes + " is too small", "use at least 64K");
        long most = maxFrames() << Addr.PAGE_SHIFT;
        if (bytes > most) // checked before anything is allocated: the frame arrays grow up to this size
            throw new EngineException("memory " + size(bytes) + " is more than this JVM can simulate",
                    "at most about " + size(most >= 1L << 30 ? most & -(1L << 30) : most & -(1L << 20)) + " here (each 4K frame costs about " + BYTES_PER_FRAME
                            + " bytes of Java heap, and the heap is " + size(Runtime.getRuntime().maxMemory())
                            + "); declare less, or give Java more heap (java -Xmx...)");
    }

    public static long maxFrames() {
        return Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 2 / BYTES_PER_FRAME / 2);
    }

    /** A byte count as a script would write it: 64M, 3G, or bytes when no unit divides it. */
    public static String size(long bytes) {
        String[] units = {"T", "G", "M", "K"};
        int[] shifts = {40, 30, 20, 10};
        for (int i = 0; i < units.length; i++)
            if (bytes >= (1L << shifts[i]) && bytes % (1L << shifts[i]) == 0) return (bytes >> shifts[i]) + units[i];
        return Long.toString(bytes);
    }

    public PhysMem(long bytes) {
        this.frames = (int) Math.max(16, bytes >>> Addr.PAGE_SHIFT);
        // arrays grow with the high-water mark (see grow): a copy costs the frames used, not `memory`
        int cap = Math.min(frames, 64);
        kind = new FrameKind[cap];
        Arrays.fill(kind, FrameKind.FREE);
        gen = new int[cap];
        value = new long[cap];
        refcount = new int[cap];
        mapcount = new int[cap];
        table = new long[cap][];
        owned = new boolean[cap];
        digestHi = new long[cap];
        digestLo = new long[cap];
        digested = new boolean[cap];
        freeStack = new int[cap];
        freeTop = 0;
        highWater = ZERO_PFN + 1;
        kind[ZERO_PFN] = FrameKind.ZERO;
        gen[ZERO_PFN] = 1;
        refcount[ZERO_PFN] = 1;
    }

    /** A copy whose arrays end near the high-water mark (a snapshot's: frames above it were never allocated). */
    private PhysMem(PhysMem o) {
        frames = o.frames;
        int len = Math.min(o.kind.length, Math.max(o.highWater, 16));
        kind = Arrays.copyOf(o.kind, len);
        gen = Arrays.copyOf(o.gen, len);
        value = Arrays.copyOf(o.value, len);
        refcount = Arrays.copyOf(o.refcount, len);
        mapcount = Arrays.copyOf(o.mapcount, len);
        // the tables are shared, and from now on neither side owns them: each clones before its first write
        table = Arrays.copyOf(o.table, len);
        owned = new boolean[len];
        Arrays.fill(o.owned, 0, o.highWater, false);
        digestHi = Arrays.copyOf(o.digestHi, len);
        digestLo = Arrays.copyOf(o.digestLo, len);
        digested = Arrays.copyOf(o.digested, len);
        freeStack = Arrays.copyOf(o.freeStack, len);
        freeTop = o.freeTop;
        highWater = o.highWater;
        memHi = o.memHi;
        memLo = o.memLo;
        memDigested = o.memDigested;
    }

    public PhysMem copy() {
        digestNow(); // a snapshot is restored many times: its copies then start with the digest
        return new PhysMem(this);
    }

    /**
     * A copy of this memory in {@code into}'s arrays when they are as long (an explorer
     * worker restores a snapshot of the same world many times a second: nothing is
     * allocated then), else a new copy. Tables are shared as {@link #copy} shares them.
     */
    public PhysMem copyInto(PhysMem into) {
        if (into == null || into == this || into.frames != frames || into.kind.length < highWater) return copy();
        // frames from a high-water mark up were never allocated on that side: they hold the
        // defaults, so a small world's copy costs its frames, not its arrays' length
        int h = highWater, hi = into.highWater;
        System.arraycopy(kind, 0, into.kind, 0, h);
        System.arraycopy(gen, 0, into.gen, 0, h);
        System.arraycopy(value, 0, into.value, 0, h);
        System.arraycopy(refcount, 0, into.refcount, 0, h);
        System.arraycopy(mapcount, 0, into.mapcount, 0, h);
        System.arraycopy(table, 0, into.table, 0, h);
        Arrays.fill(into.owned, 0, h, false);
        Arrays.fill(owned, 0, h, false);
        System.arraycopy(digestHi, 0, into.digestHi, 0, h);
        System.arraycopy(digestLo, 0, into.digestLo, 0, h);
        System.arraycopy(digested, 0, into.digested, 0, h);
        if (hi > h) { // frames into allocated past this one's mark: back to never allocated
            Arrays.fill(into.kind, h, hi, FrameKind.FREE);
            Arrays.fill(into.gen, h, hi, 0);
            Arrays.fill(into.value, h, hi, 0);
            Arrays.fill(into.refcount, h, hi, 0);
            Arrays.fill(into.mapcount, h, hi, 0);
            Arrays.fill(into.table, h, hi, null);
            Arrays.fill(into.owned, h, hi, false);
            Arrays.fill(into.digestHi, h, hi, 0);
            Arrays.fill(into.digestLo, h, hi, 0);
            Arrays.fill(into.digested, h, hi, false);
        }
        System.arraycopy(freeStack, 0, into.freeStack, 0, freeTop); // above freeTop: never read
        into.freeTop = freeTop;
        into.highWater = highWater;
        into.memHi = memHi;
        into.memLo = memLo;
        into.memDigested = memDigested;
        return into;
    }

    public void setListener(Listener l) {
        this.listener = l;
    }

    public int frameCount() {
        return frames;
    }

    public int highWater() {
        return highWater;
    }

    /** Allocates a frame of the given kind with one reference; generation bumped. */
    public int alloc(FrameKind k) {
        memDigested = false;
        int pfn;
        if (freeTop > 0) {
            pfn = freeStack[--freeTop];
        } else if (highWater < frames) {
            if (highWater == kind.length) grow();
            pfn = highWater++;
        } else {
            throw new EngineException("out of memory: all " + frames + " frames are in use (raise `memory`)");
        }
        kind[pfn] = k;
        gen[pfn]++;
        value[pfn] = 0;
        refcount[pfn] = 1;
        mapcount[pfn] = 0;
        if (k == FrameKind.PAGE_TABLE || k == FrameKind.EMPTY_TABLE) {
            table[pfn] = new long[Addr.PTRS_PER_TABLE];
            owned[pfn] = true;
            digested[pfn] = false;
        }
        return pfn;
    }

    /** Doubles the arrays (up to the configured frame count); frames past the old length are free. */
    private void grow() {
        int cap = (int) Math.min(frames, 2L * kind.length);
        int old = kind.length;
        kind = Arrays.copyOf(kind, cap);
        Arrays.fill(kind, old, cap, FrameKind.FREE);
        gen = Arrays.copyOf(gen, cap);
        value = Arrays.copyOf(value, cap);
        refcount = Arrays.copyOf(refcount, cap);
        mapcount = Arrays.copyOf(mapcount, cap);
        table = Arrays.copyOf(table, cap);
        owned = Arrays.copyOf(owned, cap);
        digestHi = Arrays.copyOf(digestHi, cap);
        digestLo = Arrays.copyOf(digestLo, cap);
        digested = Arrays.copyOf(digested, cap);
        freeStack = Arrays.copyOf(freeStack, cap);
    }

    /**
     * A transparent huge page: 512 contiguous frames, 2 MiB aligned, taken above the high
     * water mark (frames skipped for the alignment go to the free list). The model keeps a
     * reference and a map count per 4 KiB subpage instead of the compound head's.
     */
    public int allocHuge() {
        memDigested = false;
        int n = Addr.PTRS_PER_TABLE;
        int base = (highWater + n - 1) / n * n;
        if (base + n > frames) throw new EngineException("out of memory: no 2M-aligned run of 512 free frames for a huge page (raise `memory`)");
        while (base + n > kind.length) grow();
        for (int pfn = highWater; pfn < base; pfn++) {
            kind[pfn] = FrameKind.FREE;
            freeStack[freeTop++] = pfn;
        }
        highWater = base + n;
        for (int pfn = base; pfn < base + n; pfn++) {
            kind[pfn] = FrameKind.USER;
            gen[pfn]++;
            value[pfn] = 0;
            refcount[pfn] = 1;
            mapcount[pfn] = 0;
        }
        return base;
    }

    /** Returns a frame to the allocator. The checker hears of it before anything reuses it. */
    public void free(int pfn) {
        memDigested = false;
        if (pfn == ZERO_PFN) return;
        if (kind[pfn] == FrameKind.FREE) throw new EngineException("double free of frame " + pfn);
        FrameKind was = kind[pfn];
        kind[pfn] = FrameKind.FREE;
        refcount[pfn] = 0;
        mapcount[pfn] = 0;
        table[pfn] = null;
        owned[pfn] = false;
        digested[pfn] = false;
        freeStack[freeTop++] = pfn;
        if (listener != null) listener.frameFreed(pfn, was, gen[pfn]);
    }

    /** get_page */
    public void get(int pfn) {
        memDigested = false;
        if (pfn != ZERO_PFN) refcount[pfn]++;
    }

    /** put_page: the last put frees the frame. Returns true when it did. */
    public boolean put(int pfn) {
        memDigested = false;
        if (pfn == ZERO_PFN) return false;
        if (--refcount[pfn] <= 0) {
            free(pfn);
            return true;
        }
        return false;
    }

    public FrameKind kind(int pfn) {
        return pfn < kind.length ? kind[pfn] : FrameKind.FREE;
    }

    public int gen(int pfn) {
        return pfn < gen.length ? gen[pfn] : 0;
    }

    public boolean alive(int pfn, int g) {
        return pfn < kind.length && kind[pfn] != FrameKind.FREE && gen[pfn] == g;
    }

    public long value(int pfn) {
        return pfn < value.length ? value[pfn] : 0;
    }

    public void setValue(int pfn, long v) {
        memDigested = false;
        value[pfn] = v;
    }

    public int refcount(int pfn) {
        return pfn < refcount.length ? refcount[pfn] : 0;
    }

    public int mapcount(int pfn) {
        return pfn < mapcount.length ? mapcount[pfn] : 0;
    }

    /** page_add_*_rmap */
    public void addMap(int pfn) {
        memDigested = false;
        if (pfn != ZERO_PFN) mapcount[pfn]++;
    }

    /** page_remove_rmap */
    public void removeMap(int pfn) {
        memDigested = false;
        if (pfn != ZERO_PFN) mapcount[pfn]--;
    }

    /** Entries of a page-table frame, to read (never write: it may be shared with a copy); null when the frame holds no table now. */
    public long[] table(int pfn) {
        return pfn < table.length ? table[pfn] : null;
    }

    /** Entries of a page-table frame, to write: cloned first if a copy shares them; the frame's digest is dropped. */
    long[] tableForWrite(int pfn) {
        memDigested = false;
        long[] t = table[pfn];
        if (!owned[pfn]) {
            t = t.clone();
            table[pfn] = t;
            owned[pfn] = true;
        }
        digested[pfn] = false;
        return t;
    }

    public int usedFrames() {
        return highWater - 1 - freeTop;
    }

    /**
     * A table's canonical input: only the present entries, each with its index, then -1
     * (never an index); a mostly empty table costs a scan instead of 512 mixes.
     */
    private static void digest(long[] t, StateHasher h) {
        int k = 0;
        for (; k + 4 <= t.length; k += 4) {
            if ((t[k] | t[k + 1] | t[k + 2] | t[k + 3]) == 0) continue; // four empty slots at once
            for (int j = k; j < k + 4; j++) if (t[j] != 0) h.put(j).put(t[j]);
        }
        for (; k < t.length; k++) if (t[k] != 0) h.put(k).put(t[k]);
        h.put(-1);
    }

    public void hashInto(StateHasher h) {
        digestNow();
        h.put(memHi).put(memLo);
    }

    private void digestNow() {
        if (memDigested) return;
        StateHasher d = new StateHasher();
        digestFrames(d);
        memHi = d.high();
        memLo = d.low();
        memDigested = true;
    }

    private void digestFrames(StateHasher h) {
        h.put(highWater).put(freeTop);
        for (int i = 0; i < freeTop; i++) h.put(freeStack[i]);
        for (int i = 1; i < highWater; i++) {
            h.put(kind[i].ordinal()).put(gen[i]).put(value[i]).put(refcount[i]).put(mapcount[i]);
            long[] t = table[i];
            if (t != null) {
                // a table's entries hashed once into a digest, kept until the table is written
                // (and shared with copies): the state hash costs the tables that changed
                if (!digested[i]) {
                    StateHasher d = new StateHasher();
                    digest(t, d);
                    digestHi[i] = d.high();
                    digestLo[i] = d.low();
                    digested[i] = true;
                }
                h.put(digestHi[i]).put(digestLo[i]);
            }
        }
    }
}
