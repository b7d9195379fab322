package mmn.engine.explore;

import mmn.engine.Snapshot;
import mmn.engine.EngineException;
import mmn.engine.World;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The exhaustive interleaving explorer: every interleaving of an operation's
 * micro-steps (its phase points) with the steps of each device thread, each keeping its
 * own order. Safety is checked at every step by the engine's checker; at the end of
 * every complete interleaving the statement-end coherence check runs too.
 *
 * <p>Breadth-first and level-synchronous: level d holds the distinct states whose
 * shortest schedule has d steps, in lexicographic order of schedule. Successors are
 * computed in parallel (each worker replays schedules on its own world) and merged in
 * that order, so the visited set, the counts and the counterexample (the
 * lexicographically smallest among the shortest) are the same for any parallelism.
 * See docs/explore.md for the state key and why it is sound.
 */
public final class Explorer {
    private Explorer() {}

    /**
     * Successors by a device step start from a snapshot of their parent state instead of
     * a replay of the whole schedule. Off by default (-Dmmn.explore.cache=true turns it
     * on): a snapshot plus a restore copy the world twice where a replay copies it once,
     * and on the scenarios measured (depth 5-17) that costs more than the replay it saves
     * (docs/performance.md).
     */
    static volatile boolean cache = Boolean.getBoolean("mmn.explore.cache");

    /**
     * Successors from a state's snapshot when the operation is a step program
     * ({@link OpProgram#frame}): on by default; -Dmmn.explore.stepped=false replays every
     * state from the root instead (the A/B of docs/performance.md, and the tests' check).
     */
    static volatile boolean stepped = !"false".equals(System.getProperty("mmn.explore.stepped"));

    /** -Dmmn.explore.checkCache=true: also replay every cached successor in full and fail on any difference (tests). */
    static volatile boolean checkCache = Boolean.getBoolean("mmn.explore.checkCache");

    /** Successors stepped from a state's snapshot (step programs) since start-up (tests check the path is taken). */
    static final java.util.concurrent.atomic.LongAdder STEPPED = new java.util.concurrent.atomic.LongAdder();

    /** Successors stepped from a state's snapshot since start-up: whether front ends hand the explorer step programs (tests, benchmarks). */
    public static long steppedSuccessors() {
        return STEPPED.sum();
    }

    /** Successors computed from a parent's snapshot since start-up (tests check the path is taken). */
    static final java.util.concurrent.atomic.LongAdder CACHED = new java.util.concurrent.atomic.LongAdder();

    /**
     * A level with fewer states than this is expanded by the first worker alone: handing
     * out a few states costs more than it saves, and early in a run the other core is the
     * JIT's. Any split gives the same results (they are merged in order).
     */
    static final int PARALLEL_LEVEL = Integer.getInteger("mmn.explore.parallelLevel", 256);

    /** Label of the statement the interleavings run in (violations and traces name it). */
    public static final String STATEMENT = "explore";

    /**
     * Explores every interleaving of {@code op} with {@code threads} from {@code initial},
     * which is not modified. Operations and actions must look names up in the world they
     * are given. Engine errors in an operation or action (an unknown name, an unmapped
     * range) propagate as {@link EngineException}.
     */
    public static Result explore(World initial, OpProgram op, List<List<Action>> threads, Bounds bounds) {
        return explore(initial, op, threads, bounds, Progress.NONE, null);
    }

    /**
     * Told how far an explore has got, for a progress line: the depth being expanded and
     * the distinct states found so far. Called often (between states, from the workers'
     * threads): it must be cheap and thread-safe, and it must not throw.
     */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (depth, states) -> {};

        void at(int depth, long states);
    }

    /** As above, telling {@code progress} the counts as the search goes. */
    public static Result explore(World initial, OpProgram op, List<List<Action>> threads, Bounds bounds, Progress progress) {
        return explore(initial, op, threads, bounds, progress, null);
    }

    /** As above; every distinct end state (a terminal state's {@link Replayer#endKey}) is added to {@code endStates} if not null (the oracle tests). */
    static Result explore(World initial, OpProgram op, List<List<Action>> threads, Bounds bounds, Set<Replayer.Key> endStates) {
        return explore(initial, op, threads, bounds, Progress.NONE, endStates);
    }

    private static Result explore(World initial, OpProgram op, List<List<Action>> threads, Bounds bounds, Progress progress,
            Set<Replayer.Key> endStates) {
        if (threads.size() > 126) throw new EngineException("explore supports at most 126 device threads");
        long t0 = System.nanoTime();
        long deadline = t0 + Math.min(bounds.timeout().toNanos(), Long.MAX_VALUE - t0);
        Snapshot snap = initial.snapshot();
        boolean steps = checkPrecondition(snap, op);
        List<List<Action>> ths = threads.stream().map(List::copyOf).toList();
        Search s = new Search(snap, op, ths, bounds, deadline, progress == null ? Progress.NONE : progress, endStates, steps);
        try {
            return s.run(t0);
        } finally {
            s.close();
        }
    }

    /**
     * The operations must make sense in the initial world: run alone, uninterrupted, on a
     * copy that is not interleaved, they must not raise an engine error (a `cow` of a
     * writable page is a script's mistake). Inside the search, the worlds are interleaved:
     * an operation that finds its work done by a device there backs off as the kernel does.
     */
    private static boolean checkPrecondition(Snapshot snap, OpProgram op) {
        World w = new World();
        w.restore(snap);
        w.trace().setKeep(false);
        w.beginStatement(STATEMENT);
        boolean steps = stepped && op.frame(w) != null; // asked before the operation changes the world
        op.run(w, mmn.engine.PhaseListener.NONE);
        return steps;
    }

    /** States of one BFS level (or one level's transitions) in order, each with its sleep set (null: empty). */
    private static final class Level {
        final List<Replayer.Outcome> states = new ArrayList<>();
        final List<boolean[]> sleep = new ArrayList<>();

        void add(Replayer.Outcome o, boolean[] z) {
            states.add(o);
            sleep.add(z);
        }
    }

    /** One search: the frontier, the visited set, the workers. */
    private static final class Search {
        private final Bounds bounds;
        private final long deadline;
        private final int choices;
        private final Replayer[] workers;
        private final ExecutorService pool;
        private final KeySet visited = new KeySet();
        private long transitions;
        private volatile int depth;
        private final Progress progress;
        /** Distinct states as of the last merged level, readable by the workers (visited itself is not). */
        private volatile long statesSoFar;
        private volatile boolean stop;
        private Bound stoppedBy;
        private final Set<Replayer.Key> endStates;
        private final boolean sleepSets;
        /** Whether successors are stepped from a state's snapshot (the operation is a step program) instead of replayed. */
        private final boolean steps;

        Search(Snapshot snap, OpProgram op, List<List<Action>> threads, Bounds bounds, long deadline, Progress progress,
                Set<Replayer.Key> endStates, boolean steps) {
            this.steps = steps;
            this.endStates = endStates;
            this.progress = progress;
            this.bounds = bounds;
            this.sleepSets = bounds.reductions().sleepSets();
            this.deadline = deadline;
            this.choices = threads.size() + 1;
            this.workers = new Replayer[bounds.threads()];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Replayer(snap, op, threads, STATEMENT, bounds.reductions());
                if (steps) workers[i].quietWhenExpanded();
            }
            this.pool = workers.length > 1 ? Executors.newFixedThreadPool(workers.length, r -> {
                Thread t = new Thread(r, "mmn-explore");
                t.setDaemon(true);
                return t;
            }) : null;
        }

        void close() {
            if (pool != null) pool.shutdownNow();
        }

        Result run(long t0) {
            Replayer.Outcome root = workers[0].replay(new byte[0], null);
            visited.add(root.key());
            statesSoFar = 1;
            if (root.hasViolation()) return violation(root, t0);
            if (root.terminal() && endStates != null) endStates.add(root.end());
            Level frontier = new Level();
            if (!root.terminal()) frontier.add(root, null);
            while (!frontier.states.isEmpty()) {
                if (depth >= bounds.maxDepth()) return bound(Bound.MAX_DEPTH, frontier.states.get(0), t0);
                Level next = expand(frontier);
                if (next == null) {
                    return stoppedBy == null ? end(Verdict.CANCELLED, null, null, t0) : bound(stoppedBy, null, t0);
                }
                depth++;
                transitions += next.states.size();
                // every transition is checked, new state or not: a violation can arise on the way into a known state
                for (Replayer.Outcome o : next.states) if (o.hasViolation()) return violation(o, t0);
                Level level = new Level();
                java.util.Map<Replayer.Key, Integer> atLevel = new java.util.HashMap<>(); // sleep sets: where this level's states are
                for (int i = 0; i < next.states.size(); i++) {
                    Replayer.Outcome o = next.states.get(i);
                    if (!visited.add(o.key())) {
                        // reached again at the same depth: it sleeps only on what every arrival sleeps on (docs/explore.md)
                        Integer j = atLevel.get(o.key());
                        if (j != null) level.sleep.set(j, SleepSets.intersect(level.sleep.get(j), SleepSets.renamed(next.sleep.get(i), o, level.states.get(j))));
                        continue;
                    }
                    if (visited.size() > bounds.maxStates()) return bound(Bound.MAX_STATES, o, t0);
                    if (!o.terminal()) {
                        if (sleepSets) atLevel.put(o.key(), level.states.size());
                        level.add(o, next.sleep.get(i));
                    } else if (endStates != null) endStates.add(o.end());
                }
                frontier = level;
                statesSoFar = visited.size();
                progress.at(depth, statesSoFar);
            }
            return end(Verdict.COHERENT, null, null, t0);
        }

        /** Successors of every frontier state, in (state, choice) order: lexicographic by schedule; with their sleep sets. */
        private Level expand(Level frontier) {
            List<Replayer.Outcome> states = frontier.states;
            int[] first = new int[states.size() + 1];
            for (int p = 0; p < states.size(); p++) first[p + 1] = first[p] + SleepSets.expanded(states.get(p).enabled(), frontier.sleep.get(p));
            Replayer.Outcome[] out = new Replayer.Outcome[first[states.size()]];
            boolean[][] outSleep = new boolean[out.length][];
            if (pool == null || states.size() < PARALLEL_LEVEL) {
                runWorker(workers[0], frontier, first, out, outSleep, new AtomicInteger());
            } else {
                AtomicInteger nextIndex = new AtomicInteger();
                List<Future<?>> fs = new ArrayList<>();
                for (Replayer r : workers) fs.add(pool.submit(() -> runWorker(r, frontier, first, out, outSleep, nextIndex)));
                Throwable failed = null;
                for (Future<?> f : fs) { // every worker has stopped before this returns or throws: none runs on behind the caller
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        stop = true;
                        if (failed == null) failed = e.getCause();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        stop = true;
                        for (Future<?> g : fs) g.cancel(true);
                        return null;
                    }
                }
                if (failed instanceof RuntimeException re) throw re;
                if (failed instanceof Error er) throw er;
                if (failed != null) throw new IllegalStateException(failed);
            }
            if (stop) return null;
            Level next = new Level();
            for (int i = 0; i < out.length; i++) next.add(out[i], outSleep[i]);
            return next;
        }

        /** Claims frontier states one at a time; checks the cancel flag and the deadline between successors. */
        private void runWorker(Replayer r, Level frontier, int[] first, Replayer.Outcome[] out, boolean[][] outSleep, AtomicInteger nextIndex) {
            while (!stop) {
                int p = nextIndex.getAndIncrement();
                if (p >= frontier.states.size()) return;
                if (!successors(r, frontier.states.get(p), frontier.sleep.get(p), out, outSleep, first[p])) return;
                progress.at(depth, statesSoFar);
            }
        }

        /**
         * The successors of one state, into out[at..]. With a step program, the state is
         * brought back from its parent's snapshot once (restore + its last step) and each
         * successor is a restore of that and one step: nothing is replayed from the root.
         * Otherwise the operation's step is a full replay (which snapshots the state on the
         * way), and with the cache on each device step restores that snapshot and runs the
         * one step (Replayer.step); with the cache off, or one successor, every successor is
         * a full replay. A choice in the state's sleep set is not taken; each child gets its
         * own sleep set.
         */
        private boolean successors(Replayer r, Replayer.Outcome parent, boolean[] sleep, Replayer.Outcome[] out, boolean[][] outSleep, int at) {
            byte[] s = parent.schedule();
            boolean[] en = parent.enabled();
            Replayer.Parent here = steps ? materialize(r, parent) : null;
            boolean[] quiet = steps && sleepSets ? r.quietNow(en) : parent.quiet(); // the world is the parent state now
            boolean cached = !steps && cache && SleepSets.expanded(en, sleep) > 1;
            Replayer.Parent snap = null;
            int i = at;
            for (int c = 0; c < choices; c++) {
                if (!en[c] || (sleep != null && sleep[c])) continue;
                outSleep[i] = SleepSets.child(quiet, sleep, c);
                if (stopNow()) return false;
                byte[] child = java.util.Arrays.copyOf(s, s.length + 1);
                child[s.length] = (byte) c;
                Replayer.Outcome o;
                if (steps) {
                    o = replay(r, child, here, false);
                    STEPPED.increment();
                    if (checkCache) checkCached(o, replay(r, child, null, false));
                } else if (!cached) {
                    o = replay(r, child, null, false);
                } else if (c == Replayer.OP) {
                    o = replay(r, child, null, true);
                    snap = r.captured();
                } else {
                    if (snap == null) snap = snapshotAfter(r, s);
                    o = replay(r, child, snap, false);
                    CACHED.increment();
                    if (checkCache) checkCached(o, replay(r, child, null, false));
                }
                out[i++] = o;
            }
            return true;
        }

        private static Replayer.Parent materialize(Replayer r, Replayer.Outcome state) {
            try {
                return r.materialize(state);
            } catch (EngineException e) {
                throw named(e, state.schedule());
            }
        }

        /** Between two successors: the cancel flag or the deadline stops the search. */
        private boolean stopNow() {
            if (bounds.cancel().get()) {
                stop = true;
                return true;
            }
            if (System.nanoTime() - deadline > 0) {
                stoppedBy = Bound.TIMEOUT;
                stop = true;
                return true;
            }
            return false;
        }

        private static Replayer.Parent snapshotAfter(Replayer r, byte[] schedule) {
            try {
                return r.snapshotAfter(schedule);
            } catch (EngineException e) {
                throw named(e, schedule);
            }
        }

        /** With -Dmmn.explore.checkCache=true: every cached successor must equal its full replay. */
        private static void checkCached(Replayer.Outcome cached, Replayer.Outcome full) {
            if (!cached.key().equals(full.key()) || !java.util.Arrays.equals(cached.enabled(), full.enabled())
                    || cached.terminal() != full.terminal() || cached.violations() != full.violations()) {
                throw new IllegalStateException("explore: the successor from the parent's snapshot differs from the full replay of "
                        + describe(full.schedule()) + ": " + cached + " vs " + full);
            }
        }

        /** An engine error in some interleaving (a cow on a page a device write already copied) names that interleaving. */
        private Replayer.Outcome replay(Replayer r, byte[] schedule, Replayer.Parent from, boolean capture) {
            try {
                if (from != null) return r.step(from, schedule, steps);
                return capture ? r.replayCapturing(schedule) : r.replay(schedule, null);
            } catch (EngineException e) {
                throw named(e, schedule);
            }
        }

        /** The cause stays {@code e}: a front end tells a guest callback's time limit from a mistake by it. */
        private static EngineException named(EngineException e, byte[] schedule) {
            EngineException n = new EngineException(e.getMessage() + " (in the interleaving " + describe(schedule) + ")",
                    e.hint() != null ? e.hint() : "the operation's precondition must hold in every interleaving");
            n.initCause(e);
            return n;
        }

        private static String describe(byte[] schedule) {
            StringBuilder who = new StringBuilder();
            for (byte b : schedule) who.append(who.length() > 0 ? " " : "").append(b == Replayer.OP ? "op" : "T" + b);
            return who.toString();
        }

        private Result violation(Replayer.Outcome o, long t0) {
            return end(Verdict.VIOLATION, null, workers[0].explain(o.schedule()), t0);
        }

        /** A bound hit at {@code at} (a state of the last level; null for the timeout): says what kept changing on the way there. */
        private Result bound(Bound b, Replayer.Outcome at, long t0) {
            Stats st = stats(t0);
            return new Result(Verdict.BOUND_HIT, b, st, null, at == null ? null : workers[0].boundReport(at.schedule()));
        }

        private Result end(Verdict v, Bound b, Counterexample cx, long t0) {
            return new Result(v, b, stats(t0), cx);
        }

        private Stats stats(long t0) {
            return new Stats(transitions + 1, visited.size(), transitions, depth, Duration.ofNanos(System.nanoTime() - t0));
        }
    }
}
