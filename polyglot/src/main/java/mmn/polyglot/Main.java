package mmn.polyglot;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import mmn.matrix.MatrixOptions;
import mmn.matrix.MatrixReports;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;

/**
 * {@code mmn.polyglot.Main FILE.js|FILE.py}: runs a JavaScript or Python script with
 * {@code mmn} bound. The exit status is that of the last session run (0 when none ran),
 * or 2 when the script itself fails, reported as the guest's message and line.
 */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: mmn js FILE.js [ARGS...] | mmn py FILE.py [ARGS...]   (ARGS: the guest's mmn.args)",
            "Runs a JavaScript or Python script with `mmn` bound (GraalVM Polyglot).",
            "Exit codes: that of the script's last session run (0 ok, 1 violation, 2 script error, 3 inconclusive,",
            "4 internal error), 0 when none ran; 2 when the guest script itself fails.",
            "       mmn matrix FILE.js|FILE.py [options]: the matrix of the driver the file registers with mmn.driver(...)",
            "       (options: mmn matrix --help).");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length >= 1 && args[0].equals("matrix")) {
            try (Engine engine = Guests.newEngine()) {
                return matrix(engine, java.util.List.of(args).subList(1, args.length), out, err, System.console() != null);
            }
        }
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        java.time.Duration guestTimeout = GuestWatchdog.DEFAULT_TIMEOUT;
        int i = 0;
        if (args.length >= 2 && args[0].equals("--guest-timeout")) {
            try {
                guestTimeout = java.time.Duration.ofMillis(Math.round(Double.parseDouble(args[1]) * 1000));
            } catch (NumberFormatException e) {
                err.println("mmn: --guest-timeout wants seconds, got '" + args[1] + "'");
                return 2;
            }
            i = 2;
        }
        if (args.length <= i || args[i].startsWith("-")) {
            err.println(USAGE);
            return 2;
        }
        try (Engine engine = Guests.newEngine()) {
            return runFile(engine, Path.of(args[i]), java.util.Arrays.asList(args).subList(i + 1, args.length), guestTimeout, out, err);
        }
    }

    /** Runs a .js or .py file in a new context on {@code engine}; the exit status. */
    public static int runFile(Engine engine, Path file, PrintStream out, PrintStream err) {
        return runFile(engine, file, java.util.List.of(), GuestWatchdog.DEFAULT_TIMEOUT, out, err);
    }

    /** Runs {@code file} with {@code args} as its {@code mmn.args}, each callback bounded by {@code guestTimeout}. */
    public static int runFile(Engine engine, Path file, java.util.List<String> args, java.time.Duration guestTimeout,
            PrintStream out, PrintStream err) {
        Source src = guestSource(file, err);
        if (src == null) return 2;
        Mmn mmn = new Mmn(out, err, args);
        mmn.setGuestTimeout(guestTimeout);
        try (Context ctx = Guests.newContext(engine, src.getLanguage(), mmn, out, err)) {
            return run(ctx, src, mmn, err);
        }
    }

    /** A .js or .py file as a guest source; null (the reason printed) if it is neither or cannot be read. */
    private static Source guestSource(Path file, PrintStream err) {
        String lang = Guests.languageOf(file.getFileName().toString());
        if (lang == null) {
            err.println("mmn: " + file + ": not a .js or .py file");
            return null;
        }
        try {
            return Source.newBuilder(lang, Files.readString(file, StandardCharsets.UTF_8), file.toString()).buildLiteral();
        } catch (NoSuchFileException e) {
            err.println("mmn: no such file: " + file);
        } catch (IOException e) {
            err.println("mmn: cannot read " + file + ": " + e.getMessage());
        }
        return null;
    }

    /**
     * {@code mmn matrix FILE.js|FILE.py [options]}: evaluates the file, which registers its
     * driver with {@code mmn.driver(...)}, then runs the matrix on it in this thread.
     */
    public static int matrix(Engine engine, java.util.List<String> args, PrintStream out, PrintStream err, boolean terminal) {
        MatrixOptions o;
        try {
            o = MatrixOptions.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("mmn: " + e.getMessage());
            err.println(MatrixOptions.USAGE);
            return 2;
        }
        if (o.help) {
            out.println(MatrixOptions.USAGE);
            return 0;
        }
        Path file = Path.of(o.driverFile);
        Source src = guestSource(file, err);
        if (src == null) return 2;
        Mmn mmn = new Mmn(out, err);
        mmn.file(file.toString());
        if (o.guestTimeout != null) mmn.setGuestTimeout(o.guestTimeout);
        try (Context ctx = Guests.newContext(engine, src.getLanguage(), mmn, out, err)) {
            int rc = run(ctx, src, mmn, err);
            if (rc == 2) return 2;
            if (mmn.registeredDriver() == null) {
                err.println("mmn: " + file + " registers no driver: call mmn.driver(\"device gpu ats { ... }\", \"name\", callbacks)");
                return 2;
            }
            try {
                return MatrixReports.run(o, mmn.registeredDriver(), out, err, terminal);
            } catch (PolyglotException e) {
                err.println("mmn: error: " + GuestOps.describe(e));
                return 2;
            }
        }
    }

    /** Evaluates {@code src}; the last session run's exit code, or 2 with the guest's error. */
    static int run(Context ctx, Source src, Mmn mmn, PrintStream err) {
        try {
            ctx.eval(src);
            return mmn.lastExitCode();
        } catch (PolyglotException e) {
            if (e.isExit()) return e.getExitStatus();
            if (e.isInterrupted() || e.isCancelled()) { // the watchdog stopped a callback: its error is already printed
                err.println("mmn: error: " + src.getName() + " was stopped: a callback ran past the guest timeout");
                return 2;
            }
            err.println("mmn: error: " + GuestOps.describe(e));
            return 2;
        } catch (IllegalArgumentException e) { // mmn.driver's own check of its arguments
            err.println("mmn: error: " + e.getMessage());
            return 2;
        }
    }
}
