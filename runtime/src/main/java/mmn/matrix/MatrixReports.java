package mmn.matrix;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs a matrix for a front end and writes what it asked for: the text table (or the
 * JSON on standard output with --json -), the JSON, JUnit and HTML files, and progress on
 * standard error when that is a terminal. Returns the exit status.
 */
public final class MatrixReports {
    private MatrixReports() {}

    public static int run(MatrixOptions o, Driver d, PrintStream out, PrintStream err, boolean terminal) {
        if (d.device() == null) {
            err.println("mmn: " + d.label() + " declares no device (a driver declares one device and its notifier)");
            return 2;
        }
        MatrixResult r = o.matrix.run(d, terminal ? (n, total, c) -> err.print("\r[" + n + "/" + total + "] " + c.profile() + " "
                + c.op() + " " + c.mapping().label + ": " + c.shortText() + "\033[K") : null);
        if (terminal) err.print("\r\033[K");
        if (!r.cells().isEmpty() && r.count(Cell.Status.ERROR) == r.cells().size()) {
            // every cell failed the same way: the driver itself is wrong; say it once
            err.println("mmn: " + d.label() + ": " + r.cells().get(0).headline());
            if (r.cells().get(0).counterexample() != null) err.print(r.cells().get(0).counterexample());
            return 2;
        }
        boolean jsonOut = "-".equals(o.json);
        out.print(jsonOut ? JsonReport.render(r) : TextReport.render(r, o.details));
        try {
            if (o.json != null && !jsonOut) Files.writeString(Path.of(o.json), JsonReport.render(r), StandardCharsets.UTF_8);
            if (o.junit != null) Files.writeString(Path.of(o.junit), JUnitReport.render(r), StandardCharsets.UTF_8);
            if (o.html != null) Files.writeString(Path.of(o.html), HtmlMatrixReport.render(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("mmn: cannot write report: " + e.getMessage());
            return 2;
        }
        return r.exitCode();
    }
}
