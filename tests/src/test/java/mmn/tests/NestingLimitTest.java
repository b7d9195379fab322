package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import mmn.ast.Diagnostic;
import mmn.ast.Source;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.parse.ParseError;
import mmn.parse.ScriptParser;
import org.junit.jupiter.api.Test;

/**
 * A script nested too deeply is a script error at the place it goes too deep, with the
 * line, a caret and a hint: at the bracket past {@link ScriptParser#MAX_NESTING}, or,
 * for a chain without brackets that exhausts the stack, where the parser or the
 * builder was. Never a message without a position.
 */
class NestingLimitTest {
    private static String nestedIfs(int n) {
        return "if 1 == 1 {\n".repeat(n) + "}\n".repeat(n);
    }

    private static Diagnostic refusal(String text) {
        ParseError e = assertThrows(ParseError.class, () -> ScriptParser.parse(Source.ofText("deep.mmn", text)));
        assertEquals(1, e.diagnostics().size());
        return e.diagnostics().get(0);
    }

    @Test
    void theLimitItselfParsesAndOneMoreIsRefusedAtItsBrace() {
        ScriptParser.parse(Source.ofText("deep.mmn", nestedIfs(ScriptParser.MAX_NESTING)));
        Diagnostic d = refusal(nestedIfs(ScriptParser.MAX_NESTING + 1));
        assertEquals("deep.mmn:257:11", d.pos().toString());
        String shown = d.render();
        assertTrue(shown.startsWith("deep.mmn:257:11: error: the script nests too deeply: more than 256 braces, parentheses or brackets are open here\n"
                + "  257 | if 1 == 1 {\n"
                + "      |           ^\n"), shown);
        assertTrue(shown.contains("  hint: split it"), shown);
    }

    @Test
    void parenthesesAndBracketsCountTooAndTheLongLineIsShownAroundTheCaret() {
        String text = "let x = " + "(".repeat(300) + "1" + ")".repeat(300) + "\n";
        Diagnostic d = refusal(text);
        assertEquals("deep.mmn:1:265", d.pos().toString());
        String[] lines = d.render().split("\n");
        assertTrue(lines[1].length() < 140, "the 608-character line is clipped: " + lines[1]);
        assertTrue(lines[1].startsWith("    1 | ...((("), lines[1]);
        // the caret stands under the 257th '(' of the clipped line
        int caret = lines[2].indexOf('^');
        assertEquals('(', lines[1].charAt(caret));
        assertEquals(63, caret - "    1 | ".length()); // column 264 - 204 (left out) + 3 ("...")
    }

    @Test
    void closedBracketsDoNotAddUp() {
        // 1000 blocks one after another, each one level deep: never more than 1 open
        ScriptParser.parse(Source.ofText("flat.mmn", "if 1 == 1 { let x = (1) }\n".repeat(1000)));
    }

    /** Runs {@code task} on a thread with a small stack, as a stack-hungry input would meet it on an explore worker. */
    private static <T> T onSmallStack(java.util.function.Supplier<T> task) throws InterruptedException {
        AtomicReference<Object> out = new AtomicReference<>();
        Thread t = new Thread(null, () -> {
            try {
                out.set(task.get());
            } catch (Throwable e) {
                out.set(e);
            }
        }, "small-stack", 256 * 1024);
        t.start();
        t.join();
        if (out.get() instanceof Throwable e) throw new AssertionError("escaped: " + e, e);
        @SuppressWarnings("unchecked") T r = (T) out.get();
        return r;
    }

    @Test
    void aChainWithoutBracketsThatExhaustsTheStackIsAnErrorAtItsStatement() throws Exception {
        String text = "memory 16M\nlet x = " + "- ".repeat(50_000) + "1\n";
        Diagnostic d = onSmallStack(() -> {
            try {
                ScriptParser.parse(Source.ofText("chain.mmn", text));
                return null;
            } catch (ParseError e) {
                return e.diagnostics().get(0);
            }
        });
        assertTrue(d != null, "50,000 unary minuses on a 256K stack are refused");
        assertTrue(d.message().startsWith("the script nests too deeply: "), d.message());
        assertEquals(2, d.pos().line(), d.render());
    }

    @Test
    void aSessionReportsADeepSumWithItsPositionNotAStackTrace() throws Exception {
        String text = "memory 16M\nlet x = " + "1 + ".repeat(50_000) + "1\n";
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Options o = new Options();
        o.quiet = true;
        Outcome outcome = onSmallStack(() -> new Session(o, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8)).runText("sum.mmn", text));
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(Outcome.ERROR, outcome, printed);
        assertTrue(printed.startsWith("sum.mmn:2:"), printed);
        assertTrue(printed.contains(": error: the script nests too deeply: "), printed);
        assertTrue(printed.contains("  hint: "), printed);
        assertFalse(printed.contains("\tat "), printed);
    }
}
