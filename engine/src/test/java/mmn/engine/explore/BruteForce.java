package mmn.engine.explore;

import mmn.engine.Snapshot;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.check.ViolationKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The explorer's oracle: every schedule of an operation against device threads, one by
 * one, with no state merging, no symmetry, no reduction, no parallelism; each schedule
 * replayed from the initial world by code of its own (not the Replayer), following the
 * semantics docs/explore.md states: a schedule is a sequence of choices, "op" (the
 * operation runs to its next phase point, or returns) or "thread t" (its next step, if
 * enabled); device steps may run before the operation starts and after it returns; a
 * state where nothing can run is an end state, where the statement-end check runs.
 *
 * <p>Exponential by design: only for small programs. {@code maxDepth} cuts schedules
 * that have not ended (a retry loop has infinite ones); {@link Outcome#cut} says so.
 */
final class BruteForce {
    /**
     * What every schedule up to maxDepth showed: the length of the shortest schedule
     * that raises a violation (-1: none), every end state of a schedule without a
     * violation, whether some schedule was cut at maxDepth, and how many were replayed.
     */
    record Outcome(int shortestViolation, Set<ViolationKind> kindsAtShortest, Set<Replayer.Key> exactEnds, Set<Replayer.Key> canonicalEnds,
                   boolean cut, long replays) {
        /**
         * End states told apart by their exact state, or by the canonical one the explorer
         * keys states with when that reduction is on (ends differing only in a counter are one).
         */
        Set<Replayer.Key> endStates(boolean canonical) {
            return canonical ? canonicalEnds : exactEnds;
        }
    }

    private static final class Pause extends Error {
        Pause() {
            super(null, null, false, false);
        }
    }

    private static final Pause PAUSE = new Pause();

    private final World w = new World();

    {
        w.setInterleaved(true); // the explore semantics: operations meet other actors' work
    }
    private final Snapshot initial;
    private final OpProgram op;
    private final List<List<Action>> threads;
    private final int maxDepth;
    private final long maxReplays;

    private int shortest = -1;
    private final Set<ViolationKind> kinds = new HashSet<>();
    private final Set<Replayer.Key> ends = new HashSet<>();
    private final Set<Replayer.Key> canonicalEnds = new HashSet<>();
    private boolean cut;
    private long replays;

    // the replay in progress
    private byte[] sched;
    private int pos;
    private boolean opDone;
    private int[] act;
    private int[] stp;

    private BruteForce(World initial, OpProgram op, List<List<Action>> threads, int maxDepth, long maxReplays) {
        this.initial = initial.snapshot();
        this.op = op;
        this.threads = threads;
        this.maxDepth = maxDepth;
        this.maxReplays = maxReplays;
    }

    /** Every schedule of at most maxDepth choices; throws if more than maxReplays replays would be needed. */
    static Outcome enumerate(World initial, OpProgram op, List<List<Action>> threads, int maxDepth, long maxReplays) {
        BruteForce b = new BruteForce(initial, op, threads, maxDepth, maxReplays);
        b.visit(new byte[0]);
        return new Outcome(b.shortest, b.kinds, b.ends, b.canonicalEnds, b.cut, b.replays);
    }

    /** The schedule's state; then every extension by one enabled choice (depth first). */
    private void visit(byte[] s) {
        if (++replays > maxReplays) throw new IllegalStateException("more than " + maxReplays + " replays: the program is too big for brute force");
        int before = replay(s);
        boolean[] en = enabled();
        boolean any = false;
        for (boolean e : en) any |= e;
        if (!any) {
            Replayer.Key end = Replayer.endKey(w, false);
            Replayer.Key canonicalEnd = Replayer.endKey(w, true);
            w.endStatement();
            if (w.checker().count() > before) {
                found(s.length, before);
            } else {
                ends.add(end);
                canonicalEnds.add(canonicalEnd);
            }
            return;
        }
        if (w.checker().count() > before) {
            found(s.length, before);
            return;
        }
        if (shortest >= 0 && s.length >= shortest) return; // nothing longer can be the shortest; end states no longer matter
        if (s.length == maxDepth) {
            cut = true;
            return;
        }
        for (int c = 0; c < en.length; c++) {
            if (!en[c]) continue;
            byte[] child = java.util.Arrays.copyOf(s, s.length + 1);
            child[s.length] = (byte) c;
            visit(child);
        }
    }

    /** A schedule of this length raised a violation: the first one it raised is the one a counterexample shows. */
    private void found(int length, int before) {
        if (shortest >= 0 && length > shortest) return;
        if (shortest < 0 || length < shortest) kinds.clear();
        shortest = length;
        kinds.add(w.violations().get(before).kind());
    }

    /** Replays s from the initial world; returns the checker's count before the schedule ran. */
    private int replay(byte[] s) {
        sched = s;
        pos = 0;
        opDone = false;
        act = new int[threads.size()];
        stp = new int[threads.size()];
        w.restore(initial);
        w.trace().setKeep(false);
        w.beginStatement(Explorer.STATEMENT);
        int before = w.checker().count();
        devices();
        if (pos < sched.length) {
            pos++; // the first "op" starts the operation
            PhaseListener l = phase -> {
                devices();
                if (pos == sched.length) throw PAUSE;
                pos++;
            };
            try {
                op.run(w, l);
                opDone = true;
                devices();
            } catch (Pause p) {
                // paused at a phase point: the world is the schedule's state
            }
        }
        if (pos != sched.length) throw new IllegalStateException("a choice after the operation returned was enumerated as enabled");
        return before;
    }

    /** Like the Replayer's loop on purpose: the oracle shares no search or replay code with what it checks. */
    private void devices() {
        while (pos < sched.length && sched[pos] != 0) {
            int t = sched[pos++] - 1;
            Action a = threads.get(t).get(act[t]);
            int next = a.step(w, stp[t]);
            if (next >= a.steps()) {
                act[t]++;
                stp[t] = 0;
            } else {
                stp[t] = next;
            }
        }
    }

    private boolean[] enabled() {
        boolean[] e = new boolean[threads.size() + 1];
        e[0] = !opDone;
        for (int t = 0; t < threads.size(); t++) {
            List<Action> th = threads.get(t);
            e[t + 1] = act[t] < th.size() && th.get(act[t]).enabled(w, stp[t]);
        }
        return e;
    }
}
