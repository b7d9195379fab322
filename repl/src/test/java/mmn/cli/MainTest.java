package mmn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import mmn.interp.Options;
import org.junit.jupiter.api.Test;

/** `mmn repl` without options skips picocli: it must start the session picocli would have started. */
class MainTest {
    @Test
    void plainReplHasTheOptionsPicocliGivesMmnRepl() throws Exception {
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true);
        picocli.CommandLine cl = Main.commandLine(sink, sink);
        picocli.CommandLine.ParseResult parsed = cl.parseArgs("repl");
        assertEquals("repl", parsed.subcommand().commandSpec().name());
        Options viaPicocli = ((MmnCommand) cl.getCommand()).options(false);
        Options plain = new MmnCommand(sink, sink).options(false);
        assertNotNull(viaPicocli);
        int compared = 0;
        for (Field f : Options.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers())) continue;
            assertEquals(f.get(viaPicocli), f.get(plain), "Options." + f.getName());
            compared++;
        }
        assertTrue(compared >= 14, "the fields of Options are compared: " + compared);
    }
}
