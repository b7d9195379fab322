package mmn.engine.explore;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Limits of one explore. Hitting any of maxStates (distinct states), maxDepth (steps
 * in a schedule) or timeout ends the search with {@link Verdict#BOUND_HIT}, never with
 * COHERENT. {@code threads} is the parallelism (1 = run in the caller's thread);
 * setting {@code cancel} stops the search between two states (Ctrl-C in the REPL);
 * {@code reductions} says which reductions apply (all by default).
 */
public record Bounds(long maxStates, int maxDepth, Duration timeout, int threads, AtomicBoolean cancel, Reductions reductions) {
    public static final long DEFAULT_MAX_STATES = 1_000_000;
    public static final int DEFAULT_MAX_DEPTH = 1_000;

    public Bounds {
        if (maxStates < 1) throw new IllegalArgumentException("maxStates must be at least 1");
        if (maxDepth < 0) throw new IllegalArgumentException("maxDepth must not be negative");
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1");
        if (timeout == null) timeout = Duration.ofDays(365);
        if (cancel == null) cancel = new AtomicBoolean();
        if (reductions == null) reductions = Reductions.defaults();
    }

    /** Default limits, one worker per available core. */
    public static Bounds defaults() {
        return new Bounds(DEFAULT_MAX_STATES, DEFAULT_MAX_DEPTH, null, Runtime.getRuntime().availableProcessors(), null, null);
    }

    public Bounds withMaxStates(long n) { return new Bounds(n, maxDepth, timeout, threads, cancel, reductions); }
    public Bounds withMaxDepth(int n) { return new Bounds(maxStates, n, timeout, threads, cancel, reductions); }
    public Bounds withTimeout(Duration d) { return new Bounds(maxStates, maxDepth, d, threads, cancel, reductions); }
    public Bounds withThreads(int n) { return new Bounds(maxStates, maxDepth, timeout, n, cancel, reductions); }
    public Bounds withCancel(AtomicBoolean c) { return new Bounds(maxStates, maxDepth, timeout, threads, c, reductions); }
    public Bounds withReductions(Reductions r) { return new Bounds(maxStates, maxDepth, timeout, threads, cancel, r); }
}
