package mmn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a standard stream is a terminal, which Java does not say for standard error alone. */
final class Terminals {
    private Terminals() {}

    /**
     * Standard error is a terminal: on Linux, file descriptor 2 links to a tty device.
     * Elsewhere (no /proc) the console's answer, which is about standard input and output.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
