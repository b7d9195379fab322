package mmn.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mmn.report.Batch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mmn report TRACE.json -o FILE.html|FILE.svg}: the report of a --trace file, without running anything. */
@Command(name = "report", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = {"Draw the sequence diagrams of a trace's findings (mmn run --trace FILE) as a self-contained HTML page,",
            "or as one SVG when the output ends in .svg."},
        exitCodeListHeading = ExitCodes.HEADING, exitCodeList = {ExitCodes.OK, ExitCodes.ERROR})
final class ReportCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "TRACE.json", description = "a trace written by --trace")
    Path trace;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", required = true, description = "FILE.html or FILE.svg")
    Path output;

    @Override
    public Integer call() {
        return Batch.report(trace, output, mmn.err);
    }
}
