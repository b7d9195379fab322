package mmn.interp;

import mmn.engine.StepMeter;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import mmn.ast.Pos;

/**
 * The budgets of one run ({@code mmn run --max-steps N --timeout SECS}): engine
 * micro-steps and interpreter steps (statements, loop iterations) counted together, and
 * wall-clock time. Running out throws {@link Exhausted}, which the session reports as
 * inconclusive (exit 3) at the statement that was running. Also draws the progress line
 * on a terminal, about once a second.
 *
 * <p>Thread-safe: an explore's workers run the language handlers of its worlds on
 * their own threads, all counted against this one budget. The step count is one
 * atomic counter, so the budget is exact: no more than {@code maxSteps} steps run
 * whatever the number of workers, and every step after the last one throws.
 */
final class RunBudget implements StepMeter {
    private final long maxSteps;
    private final Duration timeout;
    private final ProgressLine progress;
    private volatile long deadline;
    private volatile long started;
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong statements = new AtomicLong();
    /** The statement running, innermost, and the top-level one it is part of (on some worker, in an explore). */
    private volatile Pos at;
    private volatile Pos top;

    /** {@code maxSteps} 0 = no limit; {@code timeout} null = none; {@code progressTo} null = no progress line. */
    RunBudget(long maxSteps, Duration timeout, PrintStream progressTo) {
        this.maxSteps = maxSteps <= 0 ? Long.MAX_VALUE : maxSteps;
        this.timeout = timeout;
        this.progress = new ProgressLine(progressTo);
        start();
    }

    /** A new run (a file, a REPL entry): counts from zero, the clock from now. */
    void start() {
        steps.set(0);
        statements.set(0);
        at = top = null;
        started = System.nanoTime();
        deadline = timeout == null ? Long.MAX_VALUE : started + timeout.toNanos();
        progress.restart();
    }

    /** The wall time left to this run (explores get no more than that); null when unlimited. */
    Duration remaining() {
        if (timeout == null) return null;
        return Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
    }

    /** The innermost statement running, or null before the first. */
    Pos at() {
        return at;
    }

    /** A statement starts (top-level when {@code topLevel}). */
    void statement(Pos pos, boolean topLevel) {
        at = pos;
        if (topLevel) top = pos;
        statements.incrementAndGet();
        step();
        clock();
    }

    /** A loop iteration, a micro-step of the engine. */
    @Override
    public void step() {
        long n = steps.incrementAndGet();
        if (n > maxSteps)
            throw new Exhausted(at, top, "stopped after " + maxSteps + " steps (the --max-steps budget; "
                    + statements.get() + " statements run): nothing was found up to here",
                    "raise the budget with --max-steps N (or write smaller loops)");
        if ((n & 0xff) == 0) clock();
    }

    private void clock() {
        long now = System.nanoTime();
        if (now - deadline > 0)
            throw new Exhausted(at, top, "stopped by the --timeout of " + seconds(timeout) + " ("
                    + statements.get() + " statements, " + Math.min(steps.get(), maxSteps) + " steps run): nothing was found up to here",
                    "raise the time limit with --timeout SECS");
        progress.tick(now, () -> {
            Pos p = at;
            return "mmn: " + statements.get() + " statements, " + steps.get() + " steps, "
                    + (now - started) / 1_000_000_000L + " s" + (p == null ? "" : ", at line " + p.line());
        });
    }

    /** The progress line this run draws on (an explore draws its own counts there). */
    ProgressLine progress() {
        return progress;
    }

    /** Wipes the progress line, if one was drawn, before anything else is printed. */
    void clearProgress() {
        progress.clear();
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
    }

    /** A budget ran out: where, what was reached, and how to raise it. */
    static final class Exhausted extends RuntimeException {
        final transient Pos at;
        final transient Pos top;
        final String hint;

        Exhausted(Pos at, Pos top, String message, String hint) {
            super(message, null, false, false);
            this.at = at;
            this.top = top;
            this.hint = hint;
        }

        String render() {
            String where = top != null && at != null && top != at ? " (inside the statement at " + top + ")" : "";
            return new mmn.ast.Diagnostic(at, getMessage() + where, hint).render("inconclusive");
        }
    }
}
