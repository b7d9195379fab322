package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import mmn.ast.Source;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.parse.ParseError;
import mmn.parse.ScriptParser;

/**
 * The front door under Jazzer: any bytes given to the parser, and to parse + check + run
 * with small budgets, end in a diagnostic or a run, never in an exception, an internal
 * error (exit 4) or a run longer than its budget. The normal test command runs these in
 * regression mode over the seed corpus (every script in scripts/, copied into the
 * test resources by tests/pom.xml) and the findings kept beside it; the campaign command
 * is in docs/robustness.md.
 */
class FrontDoorFuzzTest {
    /** Bytes as a script file would give them: invalid UTF-8 is refused by ScriptFiles before parsing. */
    private static String text(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }

    @FuzzTest(maxDuration = "5m")
    void parse(byte[] data) {
        try {
            ScriptParser.parse(Source.ofText("fuzz.mmn", text(data)));
        } catch (ParseError e) {
            assertFalse(e.diagnostics().isEmpty(), "a parse error says what is wrong");
            for (var d : e.diagnostics()) assertTrue(d.message() != null && !d.message().isBlank());
        }
    }

    @FuzzTest(maxDuration = "5m")
    void run(byte[] data) {
        Options o = new Options();
        o.quiet = true;
        o.threads = 1;
        o.maxSteps = 5_000;
        o.timeout = Duration.ofSeconds(2);
        o.maxStates = 100;
        o.maxDepth = 30;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Session s = new Session(o, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        long t0 = System.nanoTime();
        Outcome outcome = s.runText("fuzz.mmn", text(data));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String printed = err.toString(StandardCharsets.UTF_8);
        assertNotEquals(Outcome.INTERNAL, outcome, () -> "internal error on:\n" + text(data) + "\n---\n" + printed);
        assertFalse(printed.contains("\tat "), () -> "a Java stack trace:\n" + printed);
        // the run's budget is 2 s; the slack is for a loaded machine's pauses, not for work
        assertTrue(ms < 20_000, () -> "ran " + ms + " ms on:\n" + text(data));
    }
}
