package mmn.interp;

import mmn.engine.Snapshot;
import mmn.engine.EngineException;
import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.profile.Profiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import mmn.engine.explore.Bounds;
import mmn.engine.explore.Result;
import mmn.ast.Diagnostic;
import mmn.ast.Pos;
import mmn.ast.Script;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.parse.ParseError;
import mmn.parse.ScriptParser;

/**
 * One world and the scripts run against it: a file run by {@code mmn run}, or the
 * entries typed at the REPL one after another. Parses, checks, runs, and turns every
 * way a run can end into an {@link Outcome} and readable output: a violation or a
 * failed expectation (1) with its report, a script error (2) with file:line:col, the
 * line and a caret. Never a stack trace for a bad script.
 */
public final class Session {
    private final Options opts;
    private final PrintStream out;
    private final PrintStream err;
    private final World world;
    private final Env globals = new Env(null);
    private final Interpreter interp;
    /** Steps and time of the run going on (a file, a REPL entry, an embedding's run). */
    private final RunBudget budget;
    /** Files being included, to refuse include cycles. */
    private final Deque<Path> including = new ArrayDeque<>();
    private int traceShown;
    /** Set to stop a running explore (Ctrl-C in the REPL). */
    private final AtomicBoolean cancel = new AtomicBoolean();
    /** Each explore's outcome, for --trace and the reports. */
    private final List<ExploreRun> explores = new ArrayList<>();
    private final List<Unexpected> unexpected = new ArrayList<>();
    private String error;
    /** The last run was stopped by --max-steps or --timeout inside a statement: the world is as it left it. */
    private boolean stoppedPartWay;
    /** The last run ended on a callback's time limit ({@link TimedOut}): its message, else null. */
    private String timedOut;
    /** The violations the explores' counterexamples end in (the world itself is left as it was). */
    private final List<mmn.engine.check.Violation> exploreFindings = new ArrayList<>();

    public Session(Options opts, PrintStream out, PrintStream err) {
        this.opts = opts;
        this.out = out;
        this.err = err;
        this.world = new World(opts.profile == null ? Profiles.defaultProfile() : Profiles.byName(opts.profile));
        world.setSeed(opts.seed);
        world.setPrinter(this::say);
        this.budget = new RunBudget(opts.maxSteps, opts.timeout, opts.progress && !opts.quiet ? err : null);
        world.setStepMeter(budget);
        this.interp = new Interpreter(this, world, globals, budget);
    }

    /**
     * Refuses an unknown profile name with the same message and hint as a script's
     * {@code profile linux-9.9} (for embeddings: a guest's mmn.session("linux-9.9")).
     */
    public static void requireProfile(String name) {
        if (name != null && Profiles.byName(name) == null) {
            Diagnostic d = Checks.unknown(new mmn.ast.Name(null, name), "profile",
                    Profiles.all().stream().map(p -> p.name()).toList()).diagnostic();
            throw new EngineException(d.message(), d.hint());
        }
    }

    public World world() {
        return world;
    }

    /** Everything an entry can change: the world and the script's variables (the REPL's undo). */
    public record Checkpoint(Snapshot world, java.util.Map<String, Object> globals) {}

    public Checkpoint checkpoint() {
        return new Checkpoint(world.snapshot(), globals.save());
    }

    public void restore(Checkpoint c) {
        world.restore(c.world());
        globals.restore(c.globals());
    }

    /** Runs a script file; the file's own outcome. */
    public Outcome runFile(Path file) {
        String text;
        try {
            text = ScriptFiles.read(file);
        } catch (ScriptFiles.Unreadable e) {
            err.println(errorText(e.getMessage().equals("no such file") ? "mmn: no such file: " + file : "mmn: cannot read " + file + ": " + e.getMessage()));
            return Outcome.ERROR;
        }
        Outcome o = run(new Source(file.toString(), file.toAbsolutePath().normalize(), text));
        if (!opts.quiet && o != Outcome.ERROR) {
            sayExplore(file + ": " + summaryWord(o) + " ("
                    + interp.statements + " statements, " + interp.expectationsHeld + " expectations held)");
        }
        return o;
    }

    private static String summaryWord(Outcome o) {
        switch (o) {
            case OK: return "ok";
            case VIOLATION: return "FAILED";
            case INCONCLUSIVE: return "inconclusive";
            default: return "error";
        }
    }

    /**
     * Runs a driver file (mmn matrix): its device and notifier, the notifier bound to
     * {@code space} (the driver leaves out `on SPACE`). Checked as a driver: anything
     * that needs a space of its own is an error at its line.
     */
    public Outcome runDriver(Source src, String space) {
        interp.driverSpace = space;
        try {
            return run(src, true);
        } finally {
            interp.driverSpace = null;
        }
    }

    /** The last explore's result (mmn matrix reads its verdict and counterexample), or null. */
    public Result lastExplore() {
        return explores.isEmpty() ? null : explores.get(explores.size() - 1).result();
    }

    /** Runs text typed at the REPL (or given by an embedding) against this session's world. */
    public Outcome runText(String name, String text) {
        return run(Source.ofText(name, text));
    }

    /**
     * Runs {@code text} as if it were the file {@code file} (its name in errors, includes
     * relative to it): the REPL's :load after it has looked at the text.
     */
    public Outcome runFile(Path file, String text) {
        return run(new Source(file.toString(), file.toAbsolutePath().normalize(), text));
    }

    /** The script's variables and their values (the REPL's :vars). */
    public java.util.Map<String, Object> variables() {
        return new java.util.TreeMap<>(globals.save());
    }

    /** Parses a REPL entry only: throws {@link ParseError} (its {@code incomplete()} says "keep typing"). */
    public static Script parse(Source src) {
        return ScriptParser.parse(src);
    }

    /** Remembers an error's first line for the reports; returns the text to print. */
    private String errorText(String rendered) {
        error = rendered.lines().findFirst().orElse(rendered);
        return rendered;
    }

    private Outcome run(Source src) {
        return run(src, false);
    }

    private Outcome run(Source src, boolean driver) {
        cancel.set(false); // a Ctrl-C belongs to the entry it interrupted
        stoppedPartWay = false;
        timedOut = null;
        budget.start();
        if (src.path() != null) including.push(src.path());
        try {
            Script script = ScriptParser.parse(src);
            if (driver) Checks.driver(script.body());
            else Checks.script(script.body());
            interp.run(script.body());
            return Outcome.OK;
        } catch (ParseError e) {
            for (Diagnostic d : e.diagnostics().subList(0, 1)) err.print(errorText(d.render()));
            if (e.diagnostics().size() > 1) err.println("(" + (e.diagnostics().size() - 1) + " more syntax errors after this one)");
            return Outcome.ERROR;
        } catch (ScriptError e) {
            noteTimeout(e);
            err.print(errorText(e.diagnostic().render()));
            return Outcome.ERROR;
        } catch (Stop e) {
            return Outcome.VIOLATION;
        } catch (Inconclusive e) {
            return Outcome.INCONCLUSIVE;
        } catch (RunBudget.Exhausted e) {
            budget.clearProgress();
            stoppedPartWay = true;
            err.print(e.render());
            return Outcome.INCONCLUSIVE;
        } catch (EngineException e) {
            noteTimeout(e);
            err.print(errorText(new Diagnostic(null, e.getMessage(), e.hint()).render()));
            return Outcome.ERROR;
        } catch (StackOverflowError e) { // the parser refuses deep brackets; this is a deep tree met while running
            err.print(errorText(new Diagnostic(budget.at(), "the script nests too deeply: running this statement ran out of stack",
                    "split it: give inner parts a name with `let`, or move inner blocks out of the outer ones").render()));
            return Outcome.ERROR;
        } catch (RuntimeException | LinkageError | AssertionError e) {
            return internalError(e);
        } finally {
            budget.clearProgress();
            if (src.path() != null) including.pop();
        }
    }

    /** A guest callback's time limit ended the run (wrapped at a statement, or in an explore's interleaving): not a mistake. */
    private void noteTimeout(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimedOut) {
                timedOut = e.getMessage();
                stoppedPartWay = true;
                return;
            }
        }
    }

    /**
     * An engine bug, not the script's fault: one line with the exception and a request for
     * a report (exit 4); the Java stack trace only with --debug or MMN_DEBUG set.
     */
    private Outcome internalError(Throwable e) {
        err.println(errorText("mmn: internal error: " + e) + " (sorry: this is a bug in mmn; please report it with the script"
                + (opts.debug ? ")" : ", and run with --debug for the Java stack trace)"));
        if (opts.debug) e.printStackTrace(err);
        return Outcome.INTERNAL;
    }

    // ---------------------------------------------------------------- include

    void include(Stmt.Include s, Interpreter in) {
        Path base = s.pos().source().path();
        Path dir = base == null ? Path.of("").toAbsolutePath() : base.getParent();
        Path file = dir.resolve(s.path().value()).normalize();
        if (including.contains(file))
            throw new ScriptError(s.path().pos(), "include cycle: " + s.path().value() + " is already being run",
                    "a file may include another only once along a chain");
        String text;
        try {
            text = ScriptFiles.read(file);
        } catch (ScriptFiles.Unreadable e) {
            throw new ScriptError(s.path().pos(), "cannot read " + file + ": " + e.getMessage(),
                    e.getMessage().equals("no such file") ? "include paths are relative to the including file" : null);
        }
        including.push(file);
        try {
            Script script = ScriptParser.parse(new Source(displayName(file), file, text));
            Checks.script(script.body());
            in.run(script.body());
        } finally {
            including.pop();
        }
    }

    /** A path as a person would type it: relative to the working directory when under it. */
    private static String displayName(Path file) {
        Path cwd = Path.of("").toAbsolutePath();
        return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
    }

    // ---------------------------------------------------------------- explore

    /** The flag that cancels a running explore; the REPL sets it on Ctrl-C. */
    public AtomicBoolean cancelFlag() {
        return cancel;
    }

    /** The progress line's view of an explore at {@code at} (states, depth, rate), drawn only where the run's line is. */
    ExploreStatus exploreStatus(mmn.ast.Pos at) {
        return new ExploreStatus(budget.progress(), at.toString());
    }

    Bounds exploreBounds() {
        Bounds b = Bounds.defaults().withMaxStates(opts.maxStates).withMaxDepth(opts.maxDepth).withCancel(cancel);
        if (opts.timeout != null) b = b.withTimeout(budget.remaining()); // no explore outlives the run's --timeout
        if (opts.threads > 0) b = b.withThreads(opts.threads);
        if (opts.noPor) b = b.withReductions(b.reductions().withSleepSets(false));
        return b;
    }

    /** Every violation the runs raised: the world's, and those the explores found in some interleaving. */
    public List<mmn.engine.check.Violation> findings() {
        List<mmn.engine.check.Violation> all = new ArrayList<>(world.violations());
        all.addAll(exploreFindings);
        return all;
    }

    /** An explore as it ended: where, its source line, the expected verdict (null if none), the result, whether that held. */
    public record ExploreRun(Trace.Where at, String text, String expected, Result result, boolean held) {}

    /** Violations no expectation asked for, where the run stopped on them. */
    public record Unexpected(Trace.Where at, List<mmn.engine.check.Violation> violations) {}

    void explored(Trace.Where at, String text, String expected, Result r, boolean held) {
        if (r.counterexample() != null) exploreFindings.add(r.counterexample().violation());
        explores.add(new ExploreRun(at, text, expected, r, held));
        if (!held && r.counterexample() != null) unexpected.add(new Unexpected(at, List.of(r.counterexample().violation())));
    }

    void unexpected(Trace.Where at, List<mmn.engine.check.Violation> found) {
        if (!found.isEmpty()) unexpected.add(new Unexpected(at, List.copyOf(found)));
    }

    /** Every explore run so far, in order (for the typed trace and the reports). */
    public List<ExploreRun> explores() {
        return List.copyOf(explores);
    }

    /** The violations that stopped a run or failed an expectation (expected ones are not here). */
    public List<Unexpected> unexpected() {
        return List.copyOf(unexpected);
    }

    /**
     * Whether the last run was stopped by its step or time budget, or by a guest
     * callback's time limit, part-way through a statement (an operation may be between
     * its start and end hooks): the REPL offers :undo, which restores the checkpoint
     * taken before the entry.
     */
    public boolean stoppedPartWay() {
        return stoppedPartWay;
    }

    /** Why the last run ended on a guest callback's time limit (the error's message), or null if it did not. */
    public String timedOut() {
        return timedOut;
    }

    /** The first line of the last script error (syntax, script or engine refusal), or null. */
    public String error() {
        return error;
    }

    // ---------------------------------------------------------------- output

    Env globals() {
        return globals;
    }

    /** Ordinary output: print, show, expectations held. Silent with --quiet. */
    void say(String text) {
        if (!opts.quiet && !opts.checkOnly) {
            budget.clearProgress(); // output starts on a clean line, not after the progress line's text
            out.print(text);
            if (!text.endsWith("\n")) out.println();
        }
    }

    /** Violations and failed expectations: always printed. */
    /** An explore's summary: printed unless --quiet, also under `mmn check`. */
    void sayExplore(String text) {
        if (!opts.quiet) {
            budget.clearProgress();
            out.print(text);
            if (!text.endsWith("\n")) out.println();
        }
    }

    void report(String text) {
        budget.clearProgress();
        out.print(text);
        if (!text.endsWith("\n")) out.println();
    }

    void warn(Pos pos, String message) {
        budget.clearProgress();
        err.println(pos + ": warning: " + message);
    }

    /** Where the last `show trace` stopped; the next one shows what came after. */
    int traceMark(int now) {
        int from = traceShown;
        traceShown = now;
        return from;
    }
}
