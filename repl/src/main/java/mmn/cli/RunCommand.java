package mmn.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mmn run FILE|DIR...}: runs scripts, each in a world of its own; then the summary line and the reports asked for. */
@Command(name = "run", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = {"Run scripts (a directory: every .mmn under it); the exit code is the worst of theirs.",
            "Ends with a summary line over all files; --trace, --junit and --report write the typed trace, JUnit XML and the HTML report."},
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK, ExitCodes.VIOLATION, ExitCodes.ERROR, ExitCodes.INCONCLUSIVE, ExitCodes.INTERNAL})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "FILE|DIR", arity = "0..*", description = "scripts to run (.mmn), or directories of them")
    List<String> files = List.of();

    @Override
    public Integer call() {
        return mmn.runFiles(files, false);
    }
}
