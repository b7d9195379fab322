package mmn.matrix;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * What `mmn matrix` was asked for: the driver file, the filters, the bounds and where
 * the reports go. Parsed here so the two front ends that run a matrix (the mmn command
 * for .mmn drivers, the polyglot jar for .js/.py ones) take the same options.
 */
public final class MatrixOptions {
    public static final String USAGE = String.join("\n",
            "usage: mmn matrix DRIVER [--profiles P,...] [--ops OP,...] [--mapping anon,file,thp,hugetlb]",
            "                         [--json FILE|-] [--junit FILE] [--html FILE] [--details] [--workers N]",
            "                         [--max-states N] [--max-depth N] [--timeout SECS] [--guest-timeout SECS]",
            "  DRIVER: a .mmn file declaring one device and its notifier, the notifier without `on SPACE`;",
            "          or a .js/.py file that calls mmn.driver(DEVICE, NAME, CALLBACKS) (run by the polyglot jar)",
            "  --details       each violation's shortest counterexample and the cell's script (rerun it with mmn check)",
            "  --workers N     cells run at once (default: one a core; a .js/.py driver runs one at a time)",
            "  --timeout SECS  wall-clock limit of each cell's explore (default " + MatrixBounds.DEFAULT_TIMEOUT.toSeconds() + ")",
            "  --guest-timeout SECS  a .js/.py driver's callback past it is interrupted: that cell is inconclusive and the",
            "                  cells after it are not run (default 5)",
            "  exit 0 every cell coherent or not applicable, 1 a violation, 3 none but a bound cut an explore short, 2 usage, 4 internal error");

    public String driverFile;
    public String json;
    public String junit;
    public String html;
    public boolean details;
    public final Matrix matrix = new Matrix();
    public MatrixBounds bounds = MatrixBounds.defaults();
    public boolean help;
    /** --guest-timeout: each callback of a .js/.py driver; null = the polyglot default. */
    public Duration guestTimeout;

    /** Parses the arguments after `matrix`; IllegalArgumentException with a message for a person. */
    public static MatrixOptions parse(List<String> args) {
        MatrixOptions o = new MatrixOptions();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--profiles", "--profile" -> o.matrix.profiles(split(need(args, ++i, a)));
                case "--ops", "--op" -> o.matrix.ops(split(need(args, ++i, a)));
                case "--mapping", "--mappings" -> o.matrix.mappings(split(need(args, ++i, a)));
                case "--json" -> o.json = need(args, ++i, a);
                case "--junit" -> o.junit = need(args, ++i, a);
                case "--html" -> o.html = need(args, ++i, a);
                case "--details" -> o.details = true;
                case "--workers", "--threads" -> o.matrix.workers(number(need(args, ++i, a), a));
                case "--max-states" -> o.bounds = new MatrixBounds(number(need(args, ++i, a), a), o.bounds.maxDepth(), o.bounds.timeout());
                case "--max-depth" -> o.bounds = new MatrixBounds(o.bounds.maxStates(), number(need(args, ++i, a), a), o.bounds.timeout());
                case "--timeout" -> o.bounds = new MatrixBounds(o.bounds.maxStates(), o.bounds.maxDepth(), seconds(need(args, ++i, a), a));
                case "--guest-timeout" -> o.guestTimeout = seconds(need(args, ++i, a), a);
                case "--help", "-h" -> o.help = true;
                default -> {
                    if (a.startsWith("--") || o.driverFile != null) throw new IllegalArgumentException("unexpected argument " + a);
                    o.driverFile = a;
                }
            }
        }
        if (o.driverFile == null && !o.help) throw new IllegalArgumentException("matrix needs a DRIVER file");
        o.matrix.bounds(o.bounds);
        return o;
    }

    private static int number(String s, String opt) {
        try {
            int n = Integer.decode(s);
            if (n < 1) throw new IllegalArgumentException(opt + " must be at least 1");
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " takes a number, not '" + s + "'");
        }
    }

    private static Duration seconds(String s, String opt) {
        try {
            double secs = Double.parseDouble(s);
            if (!(secs > 0)) throw new IllegalArgumentException(opt + " takes seconds > 0, not '" + s + "'");
            return Duration.ofMillis((long) Math.ceil(secs * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(opt + " takes seconds, not '" + s + "'");
        }
    }

    private static List<String> split(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    }

    private static String need(List<String> args, int i, String opt) {
        if (i >= args.size()) throw new IllegalArgumentException(opt + " needs a value");
        return args.get(i);
    }
}
