package mmn.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.parse.ScriptParser;
import org.junit.jupiter.api.Test;

/**
 * An explore thread's actions are labelled by what they do, never by their source line:
 * equal labels make threads interchangeable for the symmetry reduction, so two
 * different actions written on one line must not share one.
 */
class DeviceActionLabelsTest {
    @Test
    void actionsOnOneLineGetLabelsOfTheirOwn() {
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        Session s = new Session(new Options(), quiet, quiet);
        s.runText("setup", "space A\nspace B\nmap A 0x400000 +64K rw anon\ndevice gpu ats\nbind gpu A\n");
        Interpreter in = new Interpreter(s, s.world(), s.globals(), new RunBudget(0, null, null));
        List<Stmt> line = ScriptParser.parse(Source.ofText("t", "flush gpu all; flush gpu 0x400000 +8K; block gpu; unblock gpu;"
                + " detach gpu; set-root gpu empty; set-root gpu B; dma gpu A 0x400000 +8K write")).body();
        List<String> labels = line.stream().flatMap(st -> in.deviceActions(st).stream()).map(Interpreter.DeviceAction::label).toList();
        assertEquals(List.of("flush gpu all", "flush gpu [0x400000, 0x402000)", "block gpu", "unblock gpu", "detach gpu",
                "set-root gpu empty", "set-root gpu B", "dma gpu A 0x400000 write", "dma gpu A 0x401000 write"), labels);
    }
}
