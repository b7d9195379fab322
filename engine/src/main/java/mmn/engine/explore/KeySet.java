package mmn.engine.explore;

/**
 * The visited set: 128-bit state keys in two long arrays, open addressing with linear
 * probing. 16 bytes a state where a HashSet of key records took about 80, and no
 * pointer chasing on the lookup every transition makes.
 */
final class KeySet {
    private long[] high = new long[1 << 12];
    private long[] low = new long[1 << 12];
    private boolean[] used = new boolean[1 << 12];
    private int size;

    int size() {
        return size;
    }

    /** Adds k; false if it was there already. */
    boolean add(Replayer.Key k) {
        if (size * 2 >= used.length) grow();
        return insert(k.high(), k.low());
    }

    private boolean insert(long h, long l) {
        int mask = used.length - 1;
        int i = (int) (h ^ (h >>> 32)) & mask; // the key is a hash already: its bits are mixed
        while (used[i]) {
            if (high[i] == h && low[i] == l) return false;
            i = (i + 1) & mask;
        }
        used[i] = true;
        high[i] = h;
        low[i] = l;
        size++;
        return true;
    }

    private void grow() {
        long[] oh = high, ol = low;
        boolean[] ou = used;
        high = new long[ou.length * 2];
        low = new long[ou.length * 2];
        used = new boolean[ou.length * 2];
        size = 0;
        for (int i = 0; i < ou.length; i++) if (ou[i]) insert(oh[i], ol[i]);
    }
}
