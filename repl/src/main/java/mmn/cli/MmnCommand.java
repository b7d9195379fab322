package mmn.cli;

import mmn.engine.profile.Profiles;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.report.Batch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code mmn}: the options every subcommand shares (inherited: they may stand before or
 * after the subcommand's name) and the subcommands ({@link #SUBCOMMANDS}, added by
 * {@link Main#commandLine}). {@code mmn FILE.mmn} is {@code mmn run FILE.mmn}.
 */
@Command(name = "mmn", mixinStandardHelpOptions = true, versionProvider = MmnCommand.Version.class,
        synopsisHeading = "usage: ", exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.VIOLATION, ExitCodes.ERROR, ExitCodes.INCONCLUSIVE, ExitCodes.INTERNAL},
        description = "A scripting language, REPL and checker for Linux mmu_notifier invalidation semantics.",
        footer = {"%nSee README.md and docs/ for the language; `mmn COMMAND --help` for a command's options."})
final class MmnCommand implements Callable<Integer> {
    /** The subcommands, in the order `mmn --help` lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(RunCommand.class, CheckCommand.class, ReplCommand.class, ProfileCommand.class,
            ReportCommand.class, MatrixCommand.class, GuestCommand.Js.class, GuestCommand.Py.class, CompletionCommand.class);

    final PrintStream out;
    final PrintStream err;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--profile", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "kernel profile to use unless a script says otherwise (${COMPLETION-CANDIDATES})",
            completionCandidates = ProfileNames.class)
    String profile;

    @Option(names = "--seed", paramLabel = "N", scope = ScopeType.INHERIT, converter = Longs.class,
            description = "seed for anything random (same script + seed = same trace)")
    long seed;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "print only violations, failed expectations and errors")
    boolean quiet;

    @Option(names = "--trace", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "write the typed JSON trace (docs/trace-format.md): every event, expectation and explore")
    Path trace;

    @Option(names = "--junit", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "write JUnit XML: a testcase per expectation and explore, a failure per violation")
    Path junit;

    @Option(names = "--report", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "write the HTML report (or .svg): a sequence diagram per violation, failed expectation and counterexample")
    Path report;

    @Option(names = "--max-states", paramLabel = "N", scope = ScopeType.INHERIT, converter = Longs.class,
            description = "explore: stop after N distinct states (default ${DEFAULT-VALUE}); a bound hit is never 'coherent'")
    long maxStates = mmn.engine.explore.Bounds.DEFAULT_MAX_STATES;

    @Option(names = "--max-depth", paramLabel = "N", scope = ScopeType.INHERIT, converter = Ints.class,
            description = "explore: longest schedule (default ${DEFAULT-VALUE})")
    int maxDepth = mmn.engine.explore.Bounds.DEFAULT_MAX_DEPTH;

    @Option(names = "--no-por", scope = ScopeType.INHERIT,
            description = "explore: no partial-order reduction (sleep sets); same answers and states, more transitions")
    boolean noPor;

    @Option(names = "--timeout", paramLabel = "SECS", scope = ScopeType.INHERIT, converter = Seconds.class,
            description = "wall-clock limit of each script run (and so of every explore in it); past it: exit 3")
    Duration timeout;

    @Option(names = "--max-steps", paramLabel = "N", scope = ScopeType.INHERIT, converter = Longs.class,
            description = "budget of each script run: engine micro-steps, statements and loop iterations "
                    + "(default ${DEFAULT-VALUE}; 0 = none); past it: exit 3")
    long maxSteps = Options.DEFAULT_MAX_STEPS;

    @Option(names = "--threads", paramLabel = "N", scope = ScopeType.INHERIT, converter = Ints.class,
            description = "explore: worker threads (default: one a core); same verdict and counterexample for any N")
    int threads;

    /** When the progress line is drawn: auto (standard error is a terminal), always, never. */
    enum ProgressWhen { auto, always, never }

    @Option(names = "--progress", paramLabel = "WHEN", scope = ScopeType.INHERIT,
            description = "a progress line on standard error about once a second during long work (statements, or an explore's"
                    + " states, depth and rate): auto (when standard error is a terminal, the default), always, never; -q: never")
    ProgressWhen progress = ProgressWhen.auto;

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "on an internal error, print the Java stack trace")
    boolean debug;

    @Parameters(paramLabel = "FILE.mmn", arity = "0..*", hidden = true)
    List<String> files = new ArrayList<>();

    MmnCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (files.isEmpty()) {
            spec.commandLine().usage(err);
            return Outcome.ERROR.exitCode();
        }
        if (!files.get(0).endsWith(".mmn")) { // neither a subcommand nor a script: suggest the nearest command
            String near = mmn.parse.Suggest.closest(files.get(0), spec.subcommands().keySet());
            err.println("mmn: unknown command '" + files.get(0) + "'" + (near != null ? "; did you mean '" + near + "'?" : "")
                    + " (commands: " + String.join(", ", spec.subcommands().keySet()) + ")");
            return Outcome.ERROR.exitCode();
        }
        return runFiles(files, false); // `mmn file.mmn` is `mmn run file.mmn`
    }

    /** The session options the command line gave; null when it names an unknown profile (already reported). */
    Options options(boolean checkOnly) {
        if (profile != null && Profiles.byName(profile) == null) {
            err.println("mmn: unknown profile '" + profile + "' (profiles: " + Profiles.names() + ")");
            return null;
        }
        Options o = new Options();
        o.profile = profile;
        o.seed = seed;
        o.quiet = quiet;
        o.traceFile = trace;
        o.junitFile = junit;
        o.reportFile = report;
        o.maxStates = maxStates;
        o.maxDepth = maxDepth;
        o.noPor = noPor;
        o.timeout = timeout;
        o.maxSteps = maxSteps;
        o.progress = progress == ProgressWhen.always || progress == ProgressWhen.auto && Terminals.stderrIsTerminal(); // never when piped
        o.threads = threads;
        o.checkOnly = checkOnly;
        o.debug = debug || o.debug;
        return o;
    }

    /** Runs each file (a directory: every .mmn under it) in a session of its own, then writes the reports; the worst outcome. */
    int runFiles(List<String> names, boolean checkOnly) {
        Options opts = options(checkOnly);
        if (opts == null) return Outcome.ERROR.exitCode();
        if (names.isEmpty()) {
            err.println("mmn: " + (checkOnly ? "check" : "run") + " needs at least one FILE or DIR");
            return Outcome.ERROR.exitCode();
        }
        return Batch.run(names, opts, out, err);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Main.VERSION, "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }

    static final class ProfileNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            List<String> names = new ArrayList<>();
            for (mmn.engine.profile.Profile p : Profiles.all()) names.add(p.name());
            return names.iterator();
        }
    }

    /** Numbers as the old command line took them: decimal, 0x hex, 0 octal. */
    static final class Longs implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            return Long.decode(s);
        }
    }

    static final class Ints implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String s) {
            return Integer.decode(s);
        }
    }

    static final class Seconds implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String s) {
            double secs = Double.parseDouble(s);
            if (!(secs > 0) || secs > 1e9) throw new CommandLine.TypeConversionException("'" + s + "' is not a number of seconds > 0");
            return Duration.ofMillis((long) Math.ceil(secs * 1000));
        }
    }
}
