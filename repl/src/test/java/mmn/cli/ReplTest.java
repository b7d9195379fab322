package mmn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The REPL over a dumb terminal fed scripted keystrokes: multi-line entries, errors survived, the colon commands, Tab. */
class ReplTest {
    private record Result(int code, String out, String err) {}

    /** The same over a virtual ANSI terminal, where Tab completes (a dumb one inserts it). */
    private static Result replTyped(String keys) throws Exception {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try (org.jline.terminal.Terminal t = new org.jline.terminal.impl.ExternalTerminal("mmn", "ansi",
                new ByteArrayInputStream(keys.getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), StandardCharsets.UTF_8)) {
            int code = Repl.run(t, new Options(), new PrintStream(o, true, StandardCharsets.UTF_8),
                    new PrintStream(e, true, StandardCharsets.UTF_8), false);
            return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        }
    }

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
    void aStatementMissingAWordIsAnErrorAtOnce() throws Exception {
        // `bind gpu` + Enter: reported straight away, and the next line is a statement of its own
        Result r = repl("space A\ndevice gpu ats\nbind gpu\nprint \"next\"\n");
        assertTrue(r.err().contains("<repl>:1:9: error: unexpected end of input: expected a name"), r.err());
        assertTrue(r.out().contains("next"), r.out());
        assertFalse(r.err().contains("print"), r.err());
    }

    @Test
    void anUnfinishedExpressionIsAnErrorAtOnceAnOpenBlockIsNot() throws Exception {
        // an expression ends with its line in .mmn: no other line could finish it
        Result r = repl("let x = (1 *\nlet x = 3\nif x == 3 {\n  print \"three\"\n}\n");
        assertTrue(r.err().contains("<repl>:1:13: error: unexpected end of input"), r.err());
        assertTrue(r.out().contains("three"), r.out());
    }

    @Test
    void tabCompletesFromTheWorld() throws Exception {
        // "bind g<TAB>" -> "bind gpu ", then " A" typed; "dma gpu <TAB>" -> the only space bound to gpu
        Result r = replTyped("space A\rspace B\rdevice gpu ats\rbind g\tA\rmap A 0x400000 +4K rw anon\rtouch A 0x400000 write\r"
                + "dma gpu \t0x400000 read\r:vars\r");
        assertEquals("", r.err());
        assertTrue(r.out().contains("device gpu ats bound to A"), r.out());
        assertFalse(r.out().contains("FAILED"), r.out());
    }

    @Test
    void saveWritesAScriptThatReproducesTheTrace(@TempDir Path dir) throws Exception {
        Path saved = dir.resolve("session.mmn");
        Path load = Path.of("src/test/resources/profiled.mmn").toAbsolutePath();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(o, true, StandardCharsets.UTF_8);
        ReplCommands repl = new ReplCommands(new Options(), out, out);
        repl.command(":profile linux-3.19");
        for (String e : List.of("space A", "map A 0x400000 +64K rw anon", "bogus", "device gpu ats", "bind gpu A",
                "notifier n on A for gpu uses range", "touch A 0x400000 write", "let x = 1", "dma gpu A 0x400000 read"))
            repl.entry(e);
        repl.command(":load " + load);
        repl.entry("munmap A 0x400000 +4K {\n  after start { dma gpu A 0x400000 read }\n}");
        repl.entry("touch A 0x401000 write");
        repl.command(":undo");
        repl.command(":save " + saved);
        String replTrace = events(repl.session());
        String text = Files.readString(saved);
        assertTrue(text.startsWith("# saved from an mmn REPL session\nprofile linux-6.8\nprofile linux-3.19\nspace A\n"), text);
        assertFalse(text.contains("bogus") || text.contains("0x401000"), text);

        Session fresh = new Session(new Options(), out, out);
        assertEquals(Outcome.OK, fresh.runFile(saved), o.toString(StandardCharsets.UTF_8));
        assertEquals(replTrace, events(fresh));
        assertTrue(replTrace.contains("invalidate_range_start"), replTrace);
    }

    @Test
    void aBudgetHitMidStatementSaysHowToRecoverAndUndoRestoresTheWorldBeforeIt() throws Exception {
        Options opts = new Options();
        opts.maxSteps = 300; // each entry gets its own 300 steps: the set-up takes a few each
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        ReplCommands repl = new ReplCommands(opts, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        List<String> setUp = List.of("space A", "map A 0x400000 +64K rw anon", "device gpu ats", "bind gpu A",
                "notifier n on A for gpu uses range", "touch A 0x400000 write", "dma gpu A 0x400000 read");
        setUp.forEach(repl::entry);
        String before = events(repl.session());

        // the budget runs out inside the munmap, between invalidate_range_start and _end
        repl.entry("munmap A 0x400000 +64K {\n  after start { repeat 100000 { let x = 1 } }\n}");
        String err = e.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("inconclusive: stopped after 300 steps"), err);
        assertTrue(err.contains("hint: the world is as this entry left it, part-way through; :undo takes it back to before the entry"), err);
        String cut = events(repl.session());
        assertTrue(cut.startsWith(before) && cut.substring(before.length()).contains("invalidate_range_start")
                && !cut.substring(before.length()).contains("invalidate_range_end"), "stopped part-way:\n" + cut);

        repl.command(":undo");
        assertEquals(before, events(repl.session()));
        // and the world goes on as if the cut entry had never run: the same munmap, the same events as in a fresh world
        repl.entry("munmap A 0x400000 +64K");
        repl.entry("expect unmapped A 0x400000");
        Session fresh = new Session(new Options(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        for (String entry : setUp) fresh.runText("<repl>", entry);
        fresh.runText("<repl>", "munmap A 0x400000 +64K");
        fresh.runText("<repl>", "expect unmapped A 0x400000");
        assertEquals(events(fresh), events(repl.session()));
        assertFalse(o.toString(StandardCharsets.UTF_8).contains("FAILED"), o.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anEntryThatEndsInsideItsBudgetOffersNoUndo() throws Exception {
        Options opts = new Options();
        opts.maxSteps = 300;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        ReplCommands repl = new ReplCommands(opts, new PrintStream(new ByteArrayOutputStream()), new PrintStream(e, true, StandardCharsets.UTF_8));
        repl.entry("repeat 100 { let x = 1 }");
        assertEquals("", e.toString(StandardCharsets.UTF_8));
        repl.entry("repeat 1000 { let x = 1 }"); // --max-steps reaches the REPL's sessions
        assertTrue(e.toString(StandardCharsets.UTF_8).contains(":undo takes it back"), e.toString(StandardCharsets.UTF_8));
    }

    /** Every trace event but its source position (an entry's line in the REPL, the file's line in the script). */
    private static String events(Session s) {
        StringBuilder b = new StringBuilder();
        for (mmn.engine.check.Trace.Event e : s.world().trace().events())
            b.append(e.seq()).append(' ').append(e.statement()).append(' ').append(e.operation()).append(' ').append(e.phase())
                    .append(' ').append(e.type()).append(' ').append(e.text()).append(' ').append(e.fields()).append('\n');
        return b.toString();
    }

    @Test
    void resetStartsANewWorldUnderAProfile() throws Exception {
        Result r = repl("space A\n:reset linux-4.15\n:vars\nspace A\n:profile\n:reset nope\n");
        assertTrue(r.out().contains("a new world under linux-4.15"), r.out());
        assertEquals("", r.err()); // space A again: the old world is gone
        assertTrue(r.out().contains("linux-4.15: "), r.out());
        assertTrue(r.out().contains("no profile 'nope'"), r.out());
    }

    @Test
    void loadAfterDeclarationsRunsInThisWorldWhenTheProfileMatches() throws Exception {
        String file = "src/test/resources/profiled.mmn";
        Result same = repl(":profile linux-3.19\nspace A\n:load " + file + "\n:vars\n");
        assertEquals("", same.err());
        assertTrue(same.out().contains("space A") && same.out().contains("space L"), same.out());
        Result other = repl("space A\n:load " + file + "\n:vars\n");
        assertTrue(other.out().contains("chooses profile linux-3.19, but this world is linux-6.8"), other.out());
        assertTrue(other.out().contains(":reset linux-3.19"), other.out());
        assertFalse(other.out().contains("space L"), other.out());
        Result fresh = repl(":load " + file + "\n:profile\n");
        assertTrue(fresh.out().contains("linux-3.19: "), fresh.out());
    }

    @Test
    void traceShowsTheLastEntrysEvents() throws Exception {
        Result r = repl("profile linux-3.19\nspace A\nmap A 0x400000 +64K rw anon\ndevice gpu ats\nbind gpu A\n"
                + "notifier n on A for gpu uses range\ntouch A 0x400000 write\nmunmap A 0x400000 +4K\n:trace\n:trace 1\n");
        String t = r.out().substring(r.out().indexOf("munmap"));
        assertTrue(t.contains("invalidate_range_start"), r.out());
        assertTrue(t.contains("invalidate_range_end"), r.out());
        assertFalse(t.substring(0, t.indexOf("invalidate_range_start")).contains("touch"), r.out());
    }

    @Test
    void highlightingColoursKeywordsNumbersAndStrings() {
        org.jline.utils.AttributedString a = ReplHighlighter.highlight("map A 0x400000 +4K rw file \"x\" # c");
        assertEquals("map A 0x400000 +4K rw file \"x\" # c", a.toString());
        assertEquals(ReplHighlighter.KEYWORD, a.styleAt(0));
        assertEquals(org.jline.utils.AttributedStyle.DEFAULT, a.styleAt(4));
        assertEquals(ReplHighlighter.NUMBER, a.styleAt(6));
        assertEquals(ReplHighlighter.STRING, a.styleAt(27));
        assertEquals(ReplHighlighter.COMMENT, a.styleAt(32));
    }

    @Test
    void undoTakesBackVariablesToo() throws Exception {
        Result r = repl("let x = 1\nlet x = 2\n:undo\nif x == 1 { print \"x is 1\" } else { print \"x is not 1\" }\n");
        assertTrue(r.out().contains("x is 1"), r.out());
    }
}
