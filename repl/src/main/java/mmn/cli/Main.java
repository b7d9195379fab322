package mmn.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import mmn.interp.Outcome;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code mmn} command: a thin launcher over the interpreter, its options and
 * subcommands declared with picocli ({@link MmnCommand}). Exit codes have one meaning
 * each ({@link ExitCodes}): a usage error is 2 like a script error, and anything
 * thrown out of a command is an internal error (4), reported in one line.
 */
public final class Main {
    static final String VERSION = "mmn 0.1.0";

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code (used by the conformance tests in-process). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 1 && args[0].equals("repl")) return plainRepl(out, err);
        return commandLine(out, err, batchCommand(args)).execute(args);
    }

    /**
     * {@code run} or {@code check} when the command line starts with it, else null.
     * picocli builds each command's model by reflection before it parses anything: for
     * the batch commands, whose start-up a short check feels, only theirs is built (a
     * trivial check 0.17 -> 0.15 s; docs/performance.md). Anything else (help, a typo,
     * options before the command, `completion`) gets the whole tree.
     */
    private static String batchCommand(String[] args) {
        return args.length > 0 && BATCH.containsKey(args[0]) ? args[0] : null;
    }

    /** The batch commands by name: no annotation read to find them. */
    private static final Map<String, Class<?>> BATCH = Map.of("run", RunCommand.class, "check", CheckCommand.class);

    /**
     * {@code mmn repl} with no option: the session straight away, every option at its
     * default, as picocli would have set them. picocli builds the model of all ten
     * commands by reflection before it runs one: that was half the time to the first
     * prompt (docs/performance.md). Any option, or --help, takes the picocli path.
     */
    private static int plainRepl(PrintStream out, PrintStream err) {
        ReplCommand repl = new ReplCommand();
        repl.mmn = new MmnCommand(out, err);
        try {
            return repl.call();
        } catch (RuntimeException | Error e) {
            return internalError(e, false, err);
        }
    }

    /** The command tree over these streams (also what `mmn completion` describes). */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        return commandLine(out, err, null);
    }

    /** {@code only}: the batch command to add alone ("run" or "check"), or null for every command. */
    static CommandLine commandLine(PrintStream out, PrintStream err, String only) {
        MmnCommand top = new MmnCommand(out, err);
        CommandLine cl = new CommandLine(top);
        for (Class<?> sub : only == null ? MmnCommand.SUBCOMMANDS : List.of(BATCH.get(only))) cl.addSubcommand(sub);
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, c, parsed) -> internalError(e, top.debug, err));
        return cl;
    }

    /** A bad command line: what is wrong, the nearest spellings, or else the command's usage. Exit 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter w = cl.getErr();
        w.println("mmn: " + e.getMessage());
        if (!UnmatchedArgumentException.printSuggestions(e, w)) cl.usage(w);
        w.flush();
        return Outcome.ERROR.exitCode();
    }

    /** A bug in mmn, not the user's fault: one line and a request for a report; the Java trace only with --debug. */
    static int internalError(Throwable e, boolean debug, PrintStream err) {
        err.println("mmn: internal error: " + e + " (sorry: this is a bug in mmn; please report it with the script"
                + (debug ? ")" : ", and run with --debug for the Java stack trace)"));
        if (debug) e.printStackTrace(err);
        return Outcome.INTERNAL.exitCode();
    }
}
