package mmn.ast;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** How an error is shown: file:line:col, the line, a caret with tildes under the fault, the hint. */
class DiagnosticTest {
    static String render(String text, int line, int col, int length, String hint) {
        return new Diagnostic(new Pos(Source.ofText("t.mmn", text), line, col, length), "bad", hint).render();
    }

    @Test
    void theCaretUnderlinesTheFaultAndTheHintFollows() {
        assertEquals("t.mmn:2:6: error: bad\n"
                + "    2 | bind gpux A\n"
                + "      |      ^~~~\n"
                + "  hint: declared devices: gpu\n",
                render("space A\nbind gpux A\n", 2, 5, 4, "declared devices: gpu"));
    }

    @Test
    void tabsAreExpandedAndTheCaretFollowsThem() {
        assertEquals("t.mmn:1:3: error: bad\n"
                + "    1 |         x\n"
                + "      |         ^\n",
                render("\t\tx", 1, 2, 1, null));
    }

    @Test
    void theUnderlineStopsAtTheEndOfTheLine() {
        assertEquals("t.mmn:1:5: error: bad\n"
                + "    1 | let xy\n"
                + "      |     ^~\n",
                render("let xy", 1, 4, 40, null));
    }

    @Test
    void aLongLineIsCutAroundTheCaret() {
        String line = "print " + "a".repeat(200) + " BAD " + "b".repeat(200);
        int col = line.indexOf("BAD");
        String r = render(line, 1, col, 3, null);
        String[] lines = r.split("\n");
        String shown = lines[1].substring("    1 | ".length());
        assertEquals(true, shown.startsWith("...") && shown.endsWith("..."), shown);
        int caret = lines[2].indexOf('^') - "      | ".length();
        assertEquals("BAD", shown.substring(caret, caret + 3), r);
        assertEquals("^~~", lines[2].substring(lines[2].indexOf('^')));
    }

    @Test
    void withoutAPositionOnlyTheMessageAndHint() {
        assertEquals("warning: bad\n  hint: h\n", new Diagnostic(null, "bad", "h").render("warning"));
        assertEquals("<input>:1:1", new Pos(null, 1, 0, 1).toString());
    }
}
