package mmn.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import mmn.matrix.Driver;
import mmn.matrix.JUnitReport;
import mmn.matrix.JsonReport;
import mmn.matrix.Matrix;
import mmn.matrix.MatrixBounds;
import mmn.matrix.MatrixResult;
import mmn.matrix.MmnDriver;
import mmn.matrix.TextReport;
import mmn.parse.ParseError;

/**
 * {@code mmn matrix DRIVER}: reads the options, runs {@link Matrix} (the engine side,
 * package mmn.matrix) and writes its reports. Nothing here decides a verdict.
 */
final class MatrixCommand {
    static final String USAGE = String.join("\n",
            "usage: mmn matrix DRIVER [--profiles P,...] [--ops OP,...] [--mapping anon,file,thp,hugetlb]",
            "                         [--json FILE|-] [--junit FILE] [--details] [--workers N]",
            "                         [--max-states N] [--max-depth N] [--timeout SECS]",
            "  DRIVER: a .mmn file with one device and its notifier, the notifier without `on SPACE`",
            "  (a .js or .py driver runs under the polyglot jar: mmn matrix FILE.js)",
            "  exit 0 every cell coherent or not applicable, 1 a violation, 3 none but a bound cut an explore short, 2 usage");

    private MatrixCommand() {}

    static int run(List<String> args, PrintStream out, PrintStream err) {
        Matrix m = new Matrix();
        String driverFile = null, json = null, junit = null;
        boolean details = false;
        MatrixBounds b = MatrixBounds.defaults();
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                switch (a) {
                    case "--profiles", "--profile" -> m.profiles(split(need(args, ++i, a)));
                    case "--ops", "--op" -> m.ops(split(need(args, ++i, a)));
                    case "--mapping", "--mappings" -> m.mappings(split(need(args, ++i, a)));
                    case "--json" -> json = need(args, ++i, a);
                    case "--junit" -> junit = need(args, ++i, a);
                    case "--details" -> details = true;
                    case "--workers", "--threads" -> m.workers(Integer.decode(need(args, ++i, a)));
                    case "--max-states" -> b = new MatrixBounds(Long.decode(need(args, ++i, a)), b.maxDepth(), b.timeout());
                    case "--max-depth" -> b = new MatrixBounds(b.maxStates(), Integer.decode(need(args, ++i, a)), b.timeout());
                    case "--timeout" -> b = new MatrixBounds(b.maxStates(), b.maxDepth(),
                            Duration.ofMillis((long) (Double.parseDouble(need(args, ++i, a)) * 1000)));
                    case "--help", "-h" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (a.startsWith("--") || driverFile != null) throw new IllegalArgumentException("unexpected argument " + a);
                        driverFile = a;
                    }
                }
            }
            if (driverFile == null) throw new IllegalArgumentException("matrix needs a DRIVER file");
        } catch (IllegalArgumentException e) {
            err.println("mmn: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        m.bounds(b);
        if (driverFile.endsWith(".js") || driverFile.endsWith(".py")) {
            err.println("mmn: " + driverFile + " is a guest-language driver: it runs under the polyglot jar (./mmn matrix picks it when the file ends in .js or .py)");
            return 2;
        }
        Driver d;
        try {
            d = MmnDriver.read(Path.of(driverFile));
        } catch (IOException e) {
            err.println("mmn: cannot read " + driverFile + ": " + e.getMessage());
            return 2;
        } catch (ParseError e) {
            err.print(e.diagnostics().get(0).render());
            return 2;
        }
        return report(m, d, out, err, json, junit, details);
    }

    /** Runs the matrix and writes the reports; shared with the polyglot front end. */
    static int report(Matrix m, Driver d, PrintStream out, PrintStream err, String json, String junit, boolean details) {
        if (d.device() == null) {
            err.println("mmn: " + d.label() + " declares no device (a driver declares one device and its notifier)");
            return 2;
        }
        boolean tty = System.console() != null;
        MatrixResult r = m.run(d, tty ? (n, total, c) -> err.print("\r[" + n + "/" + total + "] " + c.profile() + " " + c.op() + " "
                + c.mapping().label + ": " + c.shortText() + "\033[K") : null);
        if (tty) err.print("\r\033[K");
        if (r.count(mmn.matrix.Cell.Status.ERROR) == r.cells().size() && !r.cells().isEmpty()) {
            // every cell failed the same way: the driver itself is wrong (a typo, a missing device); say it once
            err.println("mmn: " + d.label() + ": " + r.cells().get(0).headline());
            err.print(r.cells().get(0).counterexample());
            return 2;
        }
        if (json != null && json.equals("-")) out.print(JsonReport.render(r));
        else out.print(TextReport.render(r, details));
        try {
            if (json != null && !json.equals("-")) Files.writeString(Path.of(json), JsonReport.render(r), StandardCharsets.UTF_8);
            if (junit != null) Files.writeString(Path.of(junit), JUnitReport.render(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("mmn: cannot write report: " + e.getMessage());
            return 2;
        }
        return r.exitCode();
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static String need(List<String> args, int i, String opt) {
        if (i >= args.size()) throw new IllegalArgumentException(opt + " needs a value");
        return args.get(i);
    }
}
