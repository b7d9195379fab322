package mmn.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mmn completion}: a bash completion script generated from the command tree itself. */
@Command(name = "completion", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = {"Print a bash completion script for mmn (commands, options, profile names).",
            "Use: source <(./mmn completion)   or save it under /etc/bash_completion.d/mmn"})
final class CompletionCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        mmn.out.print(AutoComplete.bash("mmn", spec.parent().commandLine()));
        mmn.out.flush();
        return 0;
    }
}
