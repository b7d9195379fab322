package mmn.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mmn check FILE...}: the scripts' explores only, each with its verdict and statistics. */
@Command(name = "check", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = "Run the scripts' explores; print each one's verdict and statistics.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK, ExitCodes.VIOLATION, ExitCodes.ERROR, ExitCodes.INCONCLUSIVE, ExitCodes.INTERNAL})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "scripts whose explores to check (.mmn)")
    List<String> files = List.of();

    @Override
    public Integer call() {
        return mmn.runFiles(files, true);
    }
}
