package mmn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import mmn.interp.Options;
import org.junit.jupiter.api.Test;

/** The REPL over piped streams: multi-line entries, errors survived, undo. */
class ReplTest {
    private record Result(int code, String out, String err) {}

    private static Result repl(String input) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Repl.run(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(),
                new Options(), new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anOpenBraceContinuesTheEntryOnTheNextLine() throws Exception {
        Result r = repl("space A\nmap A 0x400000 +64K rw anon\ntouch A 0x400000 write\n"
                + "munmap A 0x400000 +4K {\n  after start { print \"in start\" }\n}\n:quit\n");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("in start"), r.out());
        assertEquals("", r.err());
    }

    @Test
    void errorsAreReportedAndTheSessionGoesOn() throws Exception {
        Result r = repl("space A\nbogus\nmap A 0x400100 +4K rw anon\nprint \"still here\"\n");
        assertTrue(r.err().contains("<repl>:1:1: error: expected a statement, found 'bogus'"), r.err());
        assertTrue(r.err().contains("must be page aligned"), r.err());
        assertTrue(r.out().contains("still here"), r.out());
        assertEquals(0, r.code());
    }

    @Test
    void undoBringsBackTheWorldBeforeTheLastEntry() throws Exception {
        Result r = repl("space A\nmap A 0x400000 +64K rw anon\ntouch A 0x400000 write\n:undo\nexpect unmapped A 0x400000\n"
                + "touch A 0x400000 write\nexpect mapped A 0x400000\n");
        assertTrue(r.out().contains("undone"), r.out());
        assertTrue(r.out().contains("expect unmapped A 0x400000"), r.out());
        assertTrue(r.out().contains("expect mapped A 0x400000"), r.out());
        assertFalse(r.out().contains("FAILED"), r.out());
    }

    @Test
    void aViolationIsReportedAndTheSessionGoesOn() throws Exception {
        Result r = repl("profile linux-3.19\nspace A\nmap A 0x400000 +64K rw anon\ndevice gpu ats\nbind gpu A\n"
                + "notifier n on A for gpu uses start-only\ntouch A 0x400000 write\n"
                + "munmap A 0x400000 +4K { after start { dma gpu A 0x400000 read } }\nprint \"after\"\n");
        assertTrue(r.out().contains("violation use-after-free on gpu"), r.out());
        assertTrue(r.out().contains("after"), r.out());
    }

    @Test
    void helpPrintsAStatementsUsage() throws Exception {
        Result r = repl(":help munmap\n");
        assertTrue(r.out().contains("usage: munmap SPACE RANGE"), r.out());
    }

    @Test
    void undoTakesBackVariablesToo() throws Exception {
        Result r = repl("let x = 1\nlet x = 2\n:undo\nif x == 1 { print \"x is 1\" } else { print \"x is not 1\" }\n");
        assertTrue(r.out().contains("x is 1"), r.out());
    }
}
