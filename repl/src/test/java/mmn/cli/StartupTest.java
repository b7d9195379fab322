package mmn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import mmn.interp.Options;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What keeps `mmn check` quick to start must not change what it does. */
class StartupTest {
    private final PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);

    /**
     * picocli is compiled here from its sources (repl/pom.xml): its published classes are
     * Java 5 class files, which class-data sharing will not archive. Going back to the
     * binary jar would slow every start without failing anything else.
     */
    @Test
    void picocliIsCompiledForRelease17() throws Exception {
        for (String c : new String[] {"picocli/CommandLine.class", "picocli/CommandLine$Model$CommandSpec.class"}) {
            try (InputStream in = CommandLine.class.getClassLoader().getResourceAsStream(c)) {
                byte[] head = in.readNBytes(8);
                int major = (head[6] & 0xff) << 8 | head[7] & 0xff;
                assertEquals(61, major, c + ": class file version");
            }
        }
    }

    /** `run` and `check` build only their own command's model: the same options, the same usage. */
    @Test
    void theOneCommandModelParsesAsTheWholeTreeDoes() throws Exception {
        String[][] lines = {
            {"check", "--threads", "3", "--max-states", "7", "--profile", "linux-3.19", "--timeout", "2.5", "-q", "a.mmn"},
            {"run", "--seed", "5", "--max-steps", "9", "--trace", "t.txt", "--progress", "never", "a.mmn", "b.mmn"},
            {"check", "--no-por", "--max-depth", "12", "--debug", "a.mmn"},
        };
        for (String[] args : lines) {
            CommandLine whole = Main.commandLine(sink, sink);
            CommandLine one = Main.commandLine(sink, sink, args[0]);
            assertEquals(1, one.getSubcommands().size(), "one command's model");
            assertTrue(whole.getSubcommands().size() >= 9, "the whole tree");
            whole.parseArgs(args);
            one.parseArgs(args);
            Options a = ((MmnCommand) whole.getCommand()).options(args[0].equals("check"));
            Options b = ((MmnCommand) one.getCommand()).options(args[0].equals("check"));
            int compared = 0;
            for (Field f : Options.class.getFields()) {
                if (Modifier.isStatic(f.getModifiers())) continue;
                assertEquals(f.get(a), f.get(b), String.join(" ", args) + ": Options." + f.getName());
                compared++;
            }
            assertTrue(compared >= 14, "the fields of Options are compared: " + compared);
            assertEquals(whole.getSubcommands().get(args[0]).getUsageMessage(), one.getSubcommands().get(args[0]).getUsageMessage());
        }
    }
}
