package mmn.engine.explore;

/**
 * The visited set: 128-bit state keys in one long array, a key's two halves side by
 * side, open addressing with linear probing. 16 bytes a state where a HashSet of key
 * records took about 80, and one cache line per lookup where three parallel arrays
 * (high, low, used) took three: the lookup runs every transition. The key (0, 0) marks
 * an empty slot, so it is kept apart in a flag.
 */
final class KeySet {
    private long[] slots = new long[2 << 12];
    private int size;
    private boolean hasZero;

    int size() {
        return size;
    }

    /** Adds k; false if it was there already. */
    boolean add(Replayer.Key k) {
        long h = k.high(), l = k.low();
        if ((h | l) == 0) {
            if (hasZero) return false;
            hasZero = true;
            size++;
            return true;
        }
        if (size * 4 >= slots.length) grow(); // load factor one half: slots holds two longs a key
        if (!insert(slots, h, l)) return false;
        size++;
        return true;
    }

    private static boolean insert(long[] slots, long h, long l) {
        int mask = (slots.length >>> 1) - 1;
        long x = h ^ l * 0x9E3779B97F4A7C15L; // both halves: keys that share one still spread
        int i = (int) (x ^ (x >>> 32)) & mask;
        while (true) {
            int at = i << 1;
            long sh = slots[at], sl = slots[at + 1];
            if ((sh | sl) == 0) {
                slots[at] = h;
                slots[at + 1] = l;
                return true;
            }
            if (sh == h && sl == l) return false;
            i = (i + 1) & mask;
        }
    }

    private void grow() {
        long[] old = slots;
        long[] bigger = new long[old.length * 2];
        for (int at = 0; at < old.length; at += 2) if ((old[at] | old[at + 1]) != 0) insert(bigger, old[at], old[at + 1]);
        slots = bigger;
    }
}
