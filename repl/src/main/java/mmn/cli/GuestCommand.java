package mmn.cli;

import java.util.concurrent.Callable;
import mmn.interp.Outcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mmn js FILE} / {@code mmn py FILE}: the launcher runs these with the polyglot
 * module's jar (GraalVM); they are declared here too so that help and completion know
 * them, and so that the main jar run directly says where they live.
 */
abstract class GuestCommand implements Callable<Integer> {
    @ParentCommand
    MmnCommand mmn;

    @Parameters(paramLabel = "FILE", description = "the script to run with mmn embedded")
    String file;

    @picocli.CommandLine.Option(names = "--guest-timeout", paramLabel = "SECS",
            description = "the longest one callback may run before it is interrupted (default 5); past it: a script error naming the callback")
    double guestTimeout = 5;

    @Override
    public Integer call() {
        mmn.err.println("mmn: " + getClass().getSimpleName().toLowerCase() + " scripts run in the polyglot jar: use the launcher, ./mmn "
                + getClass().getSimpleName().toLowerCase() + " " + file);
        return Outcome.ERROR.exitCode();
    }

    @Command(name = "js", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
            description = "Run a JavaScript file with `mmn` bound (GraalVM Polyglot; drivers written in JS).")
    static final class Js extends GuestCommand {}

    @Command(name = "py", mixinStandardHelpOptions = true, synopsisHeading = "usage: ",
            description = "Run a Python file with `mmn` bound (GraalVM Polyglot; drivers written in Python).")
    static final class Py extends GuestCommand {}
}
