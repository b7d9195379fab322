package mmn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import mmn.engine.EngineException;
import mmn.engine.Operations;
import mmn.engine.Profile;
import mmn.engine.ProfileReport;
import mmn.engine.Profiles;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;

/**
 * The {@code mmn} command: a thin launcher over the interpreter. Exit codes: 0 ok,
 * 1 a violation or a failed expectation, 2 a script or usage error.
 */
public final class Main {
    static final String VERSION = "mmn 0.1.0";

    static final String USAGE = String.join("\n",
            "usage: mmn [options] run FILE...      run scripts; exit 0 ok, 1 violation or failed expectation, 2 script error",
            "       mmn [options] check FILE...    run the scripts' explores; print each one's verdict and statistics",
            "       mmn [options] repl             interactive session",
            "       mmn profile [PROFILE [OPERATION]]",
            "       mmn profile --diff PROFILE PROFILE OPERATION",
            "       mmn --help | --version",
            "",
            "options:",
            "  --profile NAME   kernel profile to use unless a script says otherwise (" + Profiles.names() + ")",
            "  --seed N         seed for anything random (same script + seed = same trace)",
            "  --quiet          print only violations, failed expectations and errors",
            "  --trace FILE     write a JSON trace of every hook, micro-step and check, and each explore's counterexample",
            "  --max-states N   explore: stop after N distinct states (default 1000000); a bound hit is never 'coherent'",
            "  --max-depth N    explore: longest schedule (default 1000)",
            "  --timeout SECS   explore: wall-clock limit per explore",
            "  --threads N      explore: worker threads (default: one a core); same verdict and counterexample for any N");

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit code (used by the conformance tests in-process). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Options opts = new Options();
        List<String> rest = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help": case "-h": out.println(USAGE); return 0;
                    case "--version": case "-V": out.println(VERSION); return 0;
                    case "--quiet": case "-q": opts.quiet = true; break;
                    case "--profile": opts.profile = need(args, ++i, a); break;
                    case "--seed": opts.seed = Long.decode(need(args, ++i, a)); break;
                    case "--trace": opts.traceFile = Path.of(need(args, ++i, a)); break;
                    case "--max-states": opts.maxStates = Long.decode(need(args, ++i, a)); break;
                    case "--max-depth": opts.maxDepth = Integer.decode(need(args, ++i, a)); break;
                    case "--timeout": opts.timeout = java.time.Duration.ofMillis((long) (Double.parseDouble(need(args, ++i, a)) * 1000)); break;
                    case "--threads": opts.threads = Integer.decode(need(args, ++i, a)); break;
                    default:
                        if (a.startsWith("--") && !a.equals("--diff")) throw new UsageError("unknown option " + a);
                        rest.add(a);
                }
            }
        } catch (UsageError | NumberFormatException e) {
            err.println("mmn: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (opts.profile != null && Profiles.byName(opts.profile) == null) {
            err.println("mmn: unknown profile '" + opts.profile + "' (profiles: " + Profiles.names() + ")");
            return 2;
        }
        if (rest.isEmpty()) {
            err.println(USAGE);
            return 2;
        }
        String cmd = rest.remove(0);
        switch (cmd) {
            case "run": return runFiles(rest, opts, out, err);
            case "check":
                opts.checkOnly = true;
                return runFiles(rest, opts, out, err);
            case "repl": return Repl.start(opts, out, err);
            case "profile": return profile(rest, out, err);
            default:
                if (cmd.endsWith(".mmn")) { // `mmn file.mmn` is `mmn run file.mmn`
                    rest.add(0, cmd);
                    return runFiles(rest, opts, out, err);
                }
                err.println("mmn: unknown command '" + cmd + "' (commands: run, check, repl, profile)");
                return 2;
        }
    }

    private static String need(String[] args, int i, String opt) {
        if (i >= args.length) throw new UsageError(opt + " needs a value");
        return args[i];
    }

    private static int runFiles(List<String> files, Options opts, PrintStream out, PrintStream err) {
        if (files.isEmpty()) {
            err.println("mmn: run needs at least one FILE");
            return 2;
        }
        int worst = 0;
        for (String f : files) {
            Session s = new Session(opts, out, err);
            Outcome o = s.runFile(Path.of(f));
            if (opts.traceFile != null) {
                try {
                    Files.writeString(opts.traceFile, s.traceJson(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    err.println("mmn: cannot write trace " + opts.traceFile + ": " + e.getMessage());
                    return 2;
                }
            }
            worst = Math.max(worst, o.exitCode());
        }
        return worst;
    }

    private static int profile(List<String> args, PrintStream out, PrintStream err) {
        try {
            if (args.isEmpty()) {
                for (Profile p : Profiles.all()) out.println(p.name() + ": " + p.summary());
                if (!Profiles.PLANNED.isEmpty()) out.println("not built yet: " + String.join(", ", Profiles.PLANNED));
                return 0;
            }
            if (args.get(0).equals("--diff")) {
                if (args.size() != 4) throw new UsageError("usage: mmn profile --diff PROFILE PROFILE OPERATION");
                out.print(ProfileReport.diff(profileNamed(args.get(1)), profileNamed(args.get(2)), args.get(3)));
                return 0;
            }
            Profile p = profileNamed(args.get(0));
            if (args.size() == 1) out.print(ProfileReport.describe(p));
            else out.print(ProfileReport.describe(p, args.get(1)));
            return 0;
        } catch (EngineException e) {
            err.println("mmn: " + e.getMessage() + (e.hint() != null ? "\n  hint: " + e.hint() : ""));
            return 2;
        } catch (UsageError e) {
            err.println("mmn: " + e.getMessage());
            return 2;
        }
    }

    private static Profile profileNamed(String name) {
        Profile p = Profiles.byName(name);
        if (p == null) {
            String planned = Profiles.PLANNED.contains(name) ? " (not supported yet)" : "";
            throw new EngineException("unknown profile '" + name + "'" + planned, "profiles: " + Profiles.names()
                    + "; operations: " + String.join(", ", Operations.names()));
        }
        return p;
    }

    static final class UsageError extends RuntimeException {
        UsageError(String m) {
            super(m);
        }
    }
}
