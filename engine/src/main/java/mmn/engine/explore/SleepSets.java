package mmn.engine.explore;

/**
 * The sleep-set reduction's bookkeeping (Godefroid, "Partial-order methods for the
 * verification of concurrent systems", ch. 5), for the breadth-first explorer. A sleep
 * set holds choices (indexes of {@link Replayer.Outcome#enabled()}) that need not be
 * taken from a state: each was taken from an ancestor, and every step since commutes
 * with it, so what it leads to is reached the other way round. Null is the empty set.
 *
 * <p>Independence is conservative (docs/explore.md): two choices are independent in a
 * state only when both are device steps of different threads that are quiet there
 * ({@link Action#quiet}); the operation's step is dependent with everything.
 */
final class SleepSets {
    private SleepSets() {}

    /** How many choices are taken from a state: enabled and not asleep. */
    static int expanded(boolean[] enabled, boolean[] sleep) {
        int n = 0;
        for (int c = 0; c < enabled.length; c++) if (enabled[c] && (sleep == null || !sleep[c])) n++;
        return n;
    }

    /**
     * The sleep set of the child by choice {@code c}: if c is quiet, every quiet
     * choice that was asleep here or is taken here before c (choices are taken in index
     * order); else nothing (c is dependent with everything that sleeps).
     */
    static boolean[] child(boolean[] quiet, boolean[] sleep, int c) {
        if (quiet == null || !quiet[c]) return null;
        boolean[] z = null;
        for (int t = 1; t < quiet.length; t++) {
            if (t == c || !quiet[t] || !(t < c || (sleep != null && sleep[t]))) continue;
            if (z == null) z = new boolean[quiet.length];
            z[t] = true;
        }
        return z;
    }

    /** What both arrivals at a state sleep on (the state must take whatever one of them does not). */
    static boolean[] intersect(boolean[] a, boolean[] b) {
        if (a == null || b == null) return null;
        boolean[] z = null;
        for (int c = 0; c < a.length; c++) {
            if (!a[c] || !b[c]) continue;
            if (z == null) z = new boolean[a.length];
            z[c] = true;
        }
        return z;
    }

    /**
     * Sleep set {@code z} of an arrival {@code from} at the state represented by {@code to}
     * (equal keys), in {@code to}'s thread numbering. Without symmetry the two are the same
     * state and the numbering is the same; with it they may differ by a permutation of
     * identical threads, and thread t of {@code from} is the thread of {@code to} that takes
     * the same place in the key's canonical order.
     */
    static boolean[] renamed(boolean[] z, Replayer.Outcome from, Replayer.Outcome to) {
        if (z == null || from.role() == null) return z;
        int n = from.role().length;
        int[] who = new int[n]; // who[place]: to's thread at that place
        for (int t = 0; t < n; t++) who[to.role()[t]] = t;
        boolean[] r = new boolean[z.length];
        r[Replayer.OP] = z[Replayer.OP];
        for (int t = 0; t < n; t++) if (z[t + 1]) r[who[from.role()[t]] + 1] = true;
        return r;
    }
}
