package mmn.interp;

import java.io.PrintStream;
import java.time.Duration;
import mmn.ast.Pos;
import mmn.engine.StepMeter;

/**
 * The budgets of one run ({@code mmn run --max-steps N --timeout SECS}): engine
 * micro-steps and interpreter steps (statements, loop iterations) counted together, and
 * wall-clock time. Running out throws {@link Exhausted}, which the session reports as
 * inconclusive (exit 3) at the statement that was running. Also draws the progress line
 * on a terminal, about once a second.
 */
final class RunBudget implements StepMeter {
    private final long maxSteps;
    private final Duration timeout;
    private final PrintStream progressTo;
    private long deadline;
    private long started;
    private long nextProgress;
    private boolean progressShown;
    private long steps;
    private long statements;
    /** The statement running, innermost, and the top-level one it is part of. */
    private Pos at;
    private Pos top;

    /** {@code maxSteps} 0 = no limit; {@code timeout} null = none; {@code progressTo} null = no progress line. */
    RunBudget(long maxSteps, Duration timeout, PrintStream progressTo) {
        this.maxSteps = maxSteps <= 0 ? Long.MAX_VALUE : maxSteps;
        this.timeout = timeout;
        this.progressTo = progressTo;
        start();
    }

    /** A new run (a file, a REPL entry): counts from zero, the clock from now. */
    void start() {
        steps = 0;
        statements = 0;
        at = top = null;
        started = System.nanoTime();
        deadline = timeout == null ? Long.MAX_VALUE : started + timeout.toNanos();
        nextProgress = started + 1_000_000_000L;
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
        statements++;
        step();
        clock();
    }

    /** A loop iteration, a micro-step of the engine. */
    @Override
    public void step() {
        if (++steps > maxSteps)
            throw new Exhausted(at, top, "stopped after " + maxSteps + " steps (the --max-steps budget; "
                    + statements + " statements run): nothing was found up to here",
                    "raise the budget with --max-steps N (or write smaller loops)");
        if ((steps & 0xff) == 0) clock();
    }

    private void clock() {
        long now = System.nanoTime();
        if (now - deadline > 0)
            throw new Exhausted(at, top, "stopped by the --timeout of " + seconds(timeout) + " ("
                    + statements + " statements, " + steps + " steps run): nothing was found up to here",
                    "raise the time limit with --timeout SECS");
        if (progressTo != null && now - nextProgress > 0) {
            nextProgress = now + 1_000_000_000L;
            progressShown = true;
            progressTo.print("\rmmn: " + statements + " statements, " + steps + " steps, "
                    + (now - started) / 1_000_000_000L + " s" + (at == null ? "" : ", at line " + at.line()) + "\u001b[K");
            progressTo.flush();
        }
    }

    /** Wipes the progress line, if one was drawn, before anything else is printed. */
    void clearProgress() {
        if (progressShown) {
            progressTo.print("\r\u001b[K");
            progressTo.flush();
            progressShown = false;
        }
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
