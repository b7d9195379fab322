package mmn.cli;

import java.util.concurrent.Callable;
import mmn.interp.Options;
import mmn.interp.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code mmn repl}: the interactive session. */
@Command(name = "repl", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
        description = "Interactive session: statements run as they are entered; :help inside for more.")
final class ReplCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Override
    public Integer call() {
        Options opts = mmn.options(false);
        return opts == null ? Outcome.ERROR.exitCode() : Repl.start(opts, mmn.out, mmn.err);
    }
}
