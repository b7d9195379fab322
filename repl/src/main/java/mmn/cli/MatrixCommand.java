package mmn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mmn.interp.Outcome;
import mmn.matrix.MatrixBounds;
import mmn.matrix.MatrixOptions;
import mmn.matrix.MatrixReports;
import mmn.matrix.MmnDriver;
import mmn.parse.ParseError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mmn matrix DRIVER}: options in, reports out. The matrix itself (workloads,
 * verdicts, reports) is the engine side's, package mmn.matrix; a .js/.py driver runs in
 * the polyglot jar (the launcher sends it there).
 */
@Command(name = "matrix", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = {"Run a driver (a .mmn file declaring one device and its notifier, the notifier without `on SPACE`)",
            "against every profile, every operation it has and each mapping kind: a table of cells, each coherent, a",
            "violation with its shortest counterexample, inconclusive (which bound) or not applicable (the kernel's reason).",
            "Explore bounds: the inherited --max-states, --max-depth, and --timeout per cell (default 60 s);",
            "--junit FILE: one testcase per cell (a violation fails, inconclusive is an error, n/a is skipped)."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {"0:every cell coherent or not applicable", "1:a cell has a violation", ExitCodes.ERROR,
            "3:no violation, but a bound cut some cell's explore short", ExitCodes.INTERNAL})
final class MatrixCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "DRIVER", description = "the driver file (.mmn; .js/.py through the launcher)")
    String driver;

    @Option(names = "--profiles", split = ",", paramLabel = "PROFILE", description = "only these profiles (comma-separated)")
    List<String> profiles;

    @Option(names = "--ops", split = ",", paramLabel = "OP", description = "only these operations")
    List<String> ops;

    @Option(names = {"--mapping", "--mappings"}, split = ",", paramLabel = "KIND", description = "only these mapping kinds: anon, file, thp, hugetlb")
    List<String> mappings;

    @Option(names = "--json", paramLabel = "FILE", description = "write the cells as JSON (- for standard output, instead of the table)")
    String json;

    @Option(names = "--html", paramLabel = "FILE", description = "write an HTML page: the tables, each violation linked to its counterexample's sequence diagram")
    String html;

    @Option(names = "--details", description = "print each violation's counterexample and the cell's workload as a script")
    boolean details;

    @Option(names = "--workers", paramLabel = "N", description = "cells run at once (default: one a core)")
    Integer workers;

    @Override
    public Integer call() {
        if (driver.endsWith(".js") || driver.endsWith(".py")) {
            mmn.err.println("mmn: " + driver + " is a JavaScript or Python driver: it runs in the polyglot jar; use the launcher, ./mmn matrix " + driver);
            return Outcome.ERROR.exitCode();
        }
        MatrixOptions o = new MatrixOptions();
        o.driverFile = driver;
        o.json = json;
        o.junit = mmn.junit == null ? null : mmn.junit.toString(); // inherited --junit: a violation fails, inconclusive is an error, n/a skipped
        o.html = html != null ? html : mmn.report != null && mmn.report.toString().endsWith(".html") ? mmn.report.toString() : null;
        o.details = details;
        try {
            if (profiles != null) o.matrix.profiles(profiles);
            if (ops != null) o.matrix.ops(ops);
            if (mappings != null) o.matrix.mappings(mappings);
            if (workers != null) o.matrix.workers(workers);
        } catch (IllegalArgumentException e) {
            mmn.err.println("mmn: " + e.getMessage());
            return Outcome.ERROR.exitCode();
        }
        o.matrix.bounds(new MatrixBounds(mmn.maxStates, mmn.maxDepth, mmn.timeout != null ? mmn.timeout : MatrixBounds.DEFAULT_TIMEOUT));
        MmnDriver d;
        try {
            d = MmnDriver.read(Path.of(driver));
        } catch (IOException e) {
            mmn.err.println("mmn: cannot read " + driver + (e instanceof java.nio.file.NoSuchFileException ? ": no such file" : ": " + e.getMessage()));
            return Outcome.ERROR.exitCode();
        } catch (ParseError e) {
            mmn.err.print(e.diagnostics().get(0).render());
            return Outcome.ERROR.exitCode();
        }
        return MatrixReports.run(o, d, mmn.out, mmn.err, System.console() != null);
    }
}
