package mmn.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mmn run FILE...}: runs scripts, each in a world of its own. */
@Command(name = "run", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = "Run scripts; the exit code is the worst of theirs.",
        exitCodeListHeading = ExitCodes.HEADING,
        exitCodeList = {ExitCodes.OK, ExitCodes.VIOLATION, ExitCodes.ERROR, ExitCodes.INCONCLUSIVE, ExitCodes.INTERNAL})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "FILE", arity = "0..*", description = "scripts to run (.mmn)")
    List<String> files = List.of();

    @Override
    public Integer call() {
        return mmn.runFiles(files, false);
    }
}
