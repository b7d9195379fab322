package mmn.matrix;

import mmn.engine.check.Violation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mmn.engine.explore.Counterexample;
import mmn.engine.explore.Result;
import mmn.engine.explore.Verdict;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;

/**
 * Runs one cell: the operation alone, then with the device reading and writing at each
 * phase, then the explore against a reading and a writing device thread. The space, the
 * driver and the setup run once, in one session; every run starts from their checkpoint
 * (the REPL's undo: the world and the variables restored exactly), so a violation that
 * stopped one run leaves nothing behind for the next. The verdict: the explore's shortest counterexample
 * if it found one, else the first scripted placement's violation, else inconclusive if
 * a bound cut the explore short, else coherent. A refusal of the operation (the kernel
 * lacks it, or it does not apply to this mapping) makes the cell not applicable, with
 * the engine's reason.
 */
final class CellRun {
    private final Driver driver;
    private final String profile;
    private final Workload w;
    private final MatrixBounds bounds;
    private String note;
    private String explore;
    /** A guest callback of the driver ran past its time limit in this cell: why, else null. */
    private String timedOut;
    /** The session every run shares, the state after the setup, and what the current run printed. */
    private Session session;
    private Session.Checkpoint ready;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    CellRun(Driver driver, String profile, Workload w, MatrixBounds bounds) {
        this.driver = driver;
        this.profile = profile;
        this.w = w;
        this.bounds = bounds;
    }

    /**
     * One run's end: its outcome, the violations it raised, what it printed; {@code cut}
     * when a limit stopped it part-way (--max-steps, the cell's --timeout, a guest
     * callback's time limit): no verdict, whatever the outcome says; {@code driverFailure}
     * what the driver's own code raised (its message and file:line), else null.
     */
    private record Run(Outcome outcome, List<Violation> found, String out, String err, Result explore, String stage, boolean cut,
            String driverFailure) {
        Run failedBy(String failure) {
            return failure == null ? this : new Run(outcome, found, out, err, explore, stage, cut, failure);
        }
    }

    /** Why a guest callback of the driver ran out of time in this cell, or null. */
    String timedOut() {
        return timedOut;
    }

    Cell run() {
        Run setUp = setUp();
        if (setUp != null) {
            if (setUp.cut) return cutShort(setUp.stage, setUp);
            if (setUp.driverFailure != null) return driverError("the setup", setUp);
            return setUp.stage.equals("setup") ? error("setup", setUp) : refused(setUp);
        }
        Run plain = run(w.operation() + "\n");
        if (plain.cut) return cutShort(plain.stage, plain);
        if (plain.driverFailure != null) return driverError("the operation alone", plain);
        if (plain.outcome == Outcome.ERROR) return refused(plain);
        Run firstScripted = plain.outcome == Outcome.VIOLATION ? plain : null;
        String firstPhase = firstScripted == null ? null : "no access";
        for (String phase : w.phases()) {
            if (firstScripted != null) break;
            Run r = run(w.atPhase(phase));
            if (r.cut) return cutShort("phase " + phase, r);
            if (r.driverFailure != null) return driverError("accesses after phase " + phase, r);
            if (r.outcome == Outcome.ERROR) return error("phase " + phase, r);
            if (r.outcome == Outcome.VIOLATION) {
                firstScripted = r;
                firstPhase = "phase " + phase;
            }
        }
        String explore = w.explore();
        Run ex = run(explore);
        if (ex.cut) return cutShort("explore", ex);
        if (ex.driverFailure != null) return driverError("the explore", ex);
        if (ex.outcome == Outcome.ERROR && ex.err.contains("(in the interleaving ")) {
            // the writing thread took the operation's precondition away (its own fault did the work first):
            // that interleaving has no operation left to check; explore against the reader alone
            note = "explored with the reading thread only: " + message(ex.err);
            explore = w.exploreReading();
            ex = run(explore);
            if (ex.cut) return cutShort("explore", ex);
            if (ex.driverFailure != null) return driverError("the explore", ex);
        }
        this.explore = explore;
        Result r = ex.explore;
        if (ex.outcome == Outcome.ERROR || r == null) return error("explore", ex);
        long states = r.stats().distinctStates();
        if (r.verdict() == Verdict.VIOLATION) {
            Counterexample c = r.counterexample();
            Violation v = c.violation();
            return cell(Cell.Status.VIOLATION, v.kind().label(), v.headline(), c.steps().size(), c.render(), "explore", states);
        }
        if (firstScripted != null) {
            Violation v = firstScripted.found.get(0);
            return cell(Cell.Status.VIOLATION, v.kind().label(), v.headline(), 0, v.render(), firstPhase, states);
        }
        if (r.verdict() != Verdict.COHERENT)
            return cell(Cell.Status.INCONCLUSIVE, null, r.bound() == null ? "cancelled" : r.bound().label(), 0, null, null, states);
        return cell(Cell.Status.COHERENT, null, null, 0, null, null, states);
    }

    private Cell cell(Cell.Status st, String kind, String headline, int steps, String cx, String foundBy, long states) {
        return new Cell(profile, w.op, w.mapping, st, kind, headline, steps, cx, foundBy, states, script(), note);
    }

    /** The operation (or the driver) refused: the kernel's reason, as the engine gives it. */
    private Cell refused(Run r) {
        return cell(Cell.Status.NOT_APPLICABLE, null, message(r.err), 0, null, null, 0);
    }

    /** A limit stopped a run part-way: inconclusive, the limit in the table and the whole message in the notes. */
    private Cell cutShort(String where, Run r) {
        String m = message(r.err);
        String limit = timedOut != null ? "guest timeout" : m.contains("--max-steps") ? "max-steps" : "timeout";
        note = where + ": " + m;
        return cell(Cell.Status.INCONCLUSIVE, null, limit, 0, r.err, null, 0);
    }

    /** Not run: the driver's callbacks ran out of time in an earlier cell (its context was interrupted). */
    Cell skipped(String why) {
        note = why;
        return cell(Cell.Status.INCONCLUSIVE, null, "not run", 0, null, null, 0);
    }

    /** The driver's own code failed during {@code where}: its message and file:line, and the run's diagnostic as the cell's detail. */
    private Cell driverError(String where, Run r) {
        return cell(Cell.Status.DRIVER_ERROR, null, r.driverFailure + " (in " + where + ")", 0, r.err, null, 0);
    }

    private Cell error(String where, Run r) {
        return cell(Cell.Status.ERROR, null, where + ": " + message(r.err), 0, r.err, null, 0);
    }

    /** The message of the first diagnostic printed ("FILE:L:C: error: MESSAGE"), without its position. */
    static String message(String err) {
        for (String line : err.split("\n")) {
            int i = line.indexOf("error: ");
            if (i >= 0) return line.substring(i + "error: ".length()).trim();
            i = line.indexOf("inconclusive: ");
            if (i >= 0) return line.substring(i + "inconclusive: ".length()).trim();
        }
        return err.trim();
    }

    /** The workload of this cell as one script: what `mmn check` reruns (null for a guest driver). */
    private String script() {
        String d = driver.inline(Workload.SPACE);
        if (d == null) return null;
        return "profile " + profile + "\n" + w.prelude() + d.strip() + "\n" + w.setup() + (explore != null ? explore : w.explore());
    }

    /**
     * The space, the driver and the pages faulted in and cached, once for the cell, then
     * their checkpoint; null when ready, else the run that failed: at "driver" the driver
     * cannot exist under this profile (a strategy the kernel lacks), at "setup" the
     * workload's own setup failed (never a verdict on the operation).
     */
    private Run setUp() {
        driver.takeFailure(); // what an earlier cell's run left is not this cell's
        Options opts = new Options();
        opts.profile = profile;
        opts.quiet = true;
        opts.maxStates = bounds.maxStates();
        opts.maxDepth = bounds.maxDepth();
        opts.timeout = bounds.timeout();
        opts.threads = 1; // cells run in parallel, each explore in its worker's thread
        session = new Session(opts, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Outcome oc = session.runText("<matrix>", w.prelude());
        if (oc != Outcome.OK) return ended(oc, "setup");
        try {
            oc = driver.install(session, Workload.SPACE);
        } catch (mmn.engine.EngineException x) { // a guest driver's registration refused
            return new Run(Outcome.ERROR, List.of(), text(out), "error: " + x.getMessage() + "\n", null, "driver", false, null);
        }
        if (oc != Outcome.OK) return ended(oc, "driver");
        oc = session.runText("<matrix>", w.setup());
        if (oc != Outcome.OK) // the workload's own setup failed: never a verdict on the operation
            return new Run(Outcome.ERROR, session.findings(), text(out), text(err) + text(out), null, "setup", cut(session), driver.takeFailure());
        try {
            ready = session.checkpoint();
        } catch (mmn.engine.EngineException x) { // the driver cannot be copied (a guest driver that declared no state)
            return new Run(Outcome.ERROR, List.of(), text(out), "error: " + x.getMessage() + "\n", null, "setup", false, x.getMessage());
        }
        return null;
    }

    private Run ended(Outcome oc, String stage) {
        return new Run(oc == Outcome.OK ? Outcome.ERROR : oc, session.findings(), text(out), text(err), null, stage, cut(session),
                driver.takeFailure());
    }

    /** One run of {@code body} from the checkpoint. */
    private Run run(String body) {
        session.restore(ready);
        out.reset();
        err.reset();
        driver.takeFailure();
        Outcome oc = session.runText("<matrix>", body);
        String failure = driver.takeFailure();
        if (failure == null && oc == Outcome.ERROR) failure = inDriver(text(err));
        return new Run(oc, session.findings(), text(out), text(err), session.lastExplore(), "operation", cut(session), failure);
    }

    /**
     * An error a .mmn driver's own handler raised while the workload ran (its diagnostic
     * is at a line of the driver file, not of the workload): the message and file:line:col;
     * else null. The driver's declarations are not asked here: a strategy the kernel lacks
     * is refused at the driver's line too, and that is "not applicable".
     */
    private String inDriver(String diagnostics) {
        String prefix = driver.label() + ":";
        for (String line : diagnostics.split("\n")) {
            int i = line.indexOf(": error: ");
            if (i < 0) continue;
            return line.startsWith(prefix) ? line.substring(i + ": error: ".length()).trim() + " (" + line.substring(0, i) + ")" : null;
        }
        return null;
    }

    private boolean cut(Session s) {
        if (s.timedOut() != null && timedOut == null) timedOut = s.timedOut();
        return s.stoppedPartWay();
    }

    private static String text(ByteArrayOutputStream b) {
        return b.toString(StandardCharsets.UTF_8);
    }
}
