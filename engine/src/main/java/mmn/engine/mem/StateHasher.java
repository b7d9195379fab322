package mmn.engine.mem;

/**
 * Canonical 128-bit state hash (two independent 64-bit FNV-1a style lanes with a
 * final mix). Components feed their state in a fixed order, so equal states hash
 * equal whatever history produced them.
 */
public final class StateHasher {
    private long a = 0xcbf29ce484222325L;
    private long b = 0x84222325cbf29ce4L;
    private final boolean canonical;
    private long stormCap = Long.MAX_VALUE;
    /** Owner tags renamed (the explorer's symmetry: threads permuted), or null: see {@link #renameOwners}. */
    private java.util.function.IntUnaryOperator owners;

    public StateHasher() {
        this(false);
    }

    private StateHasher(boolean canonical) {
        this.canonical = canonical;
    }

    /**
     * A hasher for the explorer's state key: counters that matter only by comparison are
     * fed in canonical form, so that states differing only in them (a retry loop's
     * iterations) hash equal and the loop closes into a cycle (docs/explore.md, "The state
     * key"). {@link World#stateHash} stays exact.
     */
    public static StateHasher canonical() {
        return new StateHasher(true);
    }

    /** Whether counters go in canonical form (see {@link #canonical()}). */
    public boolean isCanonical() {
        return canonical;
    }

    /**
     * Hash owner tags (the explorer's in-flight driver faults and page requests) through
     * {@code rename}: the explorer's symmetry reduction permutes identical threads, and
     * their accesses' tags with them. While set, in-flight items are hashed by renamed
     * owner, in that order, and a driver fault's id (an identity only: nothing depends on
     * its value) is left out for owned faults; the lock holder is named by its owner.
     */
    public StateHasher renameOwners(java.util.function.IntUnaryOperator rename) {
        this.owners = rename;
        return this;
    }

    /** The renaming set by {@link #renameOwners}, or null. */
    public java.util.function.IntUnaryOperator owners() {
        return owners;
    }

    /** Canonical form of a count compared only against the storm threshold: min(count, threshold + 1). */
    public long stormCount(long opFaults) {
        return Math.min(opFaults, stormCap);
    }

    public void stormThreshold(int threshold) {
        stormCap = threshold + 1L;
    }

    public StateHasher put(long v) {
        a = (a ^ v) * 0x100000001b3L;
        b = (b ^ (v * 0x9E3779B97F4A7C15L)) * 0xff51afd7ed558ccdL;
        return this;
    }

    public StateHasher put(boolean v) {
        return put(v ? 1 : 0);
    }

    /** A string by its length and String.hashCode (cached by the String; the same in every JVM). */
    public StateHasher put(String s) {
        if (s == null) return put(-1);
        return put(s.length()).put(s.hashCode());
    }

    /**
     * An order-independent digest of a set (its elements fed in any order hash equal):
     * each element, folded into a long by {@link #element}, is mixed by two independent
     * finalisers and summed per lane; {@link #putSet} feeds the count and both sums. No
     * sort and no array: the explorer's key hashes the statement's pending work and the
     * page requests in flight at every transition. A set, not a bag: elements are distinct.
     */
    public static final class SetDigest {
        private long a, b;
        private int n;

        public SetDigest add(long element) {
            a += mixA(element);
            b += mixB(element);
            n++;
            return this;
        }
    }

    /** Folds a tuple's fields into one long for {@link SetDigest#add} (start with {@code element(0, first)}). */
    public static long element(long acc, long field) {
        return (acc ^ field) * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
    }

    public StateHasher putSet(SetDigest d) {
        return put(d.n).put(d.a).put(d.b);
    }

    private static long mixA(long x) { // murmur3's fmix64
        x ^= x >>> 33;
        x *= 0xff51afd7ed558ccdL;
        x ^= x >>> 33;
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    private static long mixB(long x) { // splitmix64's finaliser
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xbf58476d1ce4e5b9L;
        x = (x ^ (x >>> 27)) * 0x94d049bb133111ebL;
        return x ^ (x >>> 31);
    }

    /** The first 64 bits of the final hash. */
    public long high() {
        long x = a ^ (a >>> 33);
        x *= 0xc4ceb9fe1a85ec53L;
        return x ^ (x >>> 33);
    }

    /** The last 64 bits of the final hash. */
    public long low() {
        long y = b ^ (b >>> 29);
        y *= 0xff51afd7ed558ccdL;
        return y ^ (y >>> 31);
    }

    /** The 128-bit hash as 32 hex digits (String.format-free: it runs once per explored transition). */
    public String hex() {
        char[] c = new char[32];
        hexInto(c, 0, high());
        hexInto(c, 16, low());
        return new String(c);
    }

    private static void hexInto(char[] c, int at, long v) {
        for (int i = 15; i >= 0; i--) {
            c[at + i] = Character.forDigit((int) (v & 0xf), 16);
            v >>>= 4;
        }
    }
}
