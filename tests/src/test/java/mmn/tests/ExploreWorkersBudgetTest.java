package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Language handlers run on an explore's worker threads: with two workers they give
 * the verdict and counts of one worker, and every step they take is counted against
 * the one --max-steps budget, which stops the run (exit 3) exactly at its limit.
 */
class ExploreWorkersBudgetTest {
    /** A correct `range` notifier, and one whose start and end handlers loop (20 steps each) on every invalidation. */
    static final String SCRIPT = """
            profile linux-6.5
            space A
            map A 0x400000 +64K rw anon
            device gpu ats { atc 64 }
            bind gpu A
            notifier amd on A for gpu uses range
            notifier busy on A for gpu {
              on start(r) { repeat 20 { let x = 1 } }
              on end(r)   { repeat 20 { let y = 2 } }
            }
            touch A 0x400000 +16K write
            dma gpu A 0x400000 +16K read
            explore { munmap A 0x400000 +16K } with { dma gpu A 0x400000 +16K read } with { dma gpu A 0x400000 +8K write } expect coherent
            """;

    @TempDir
    static Path dir;
    static Path script;

    @BeforeAll
    static void write() throws Exception {
        script = dir.resolve("busy.mmn");
        Files.writeString(script, SCRIPT);
    }

    private static String counts(CliRun r) {
        Matcher m = Pattern.compile("(\\d+) states visited, (\\d+) distinct, (\\d+) transitions, depth (\\d+)").matcher(r.out());
        assertTrue(m.find(), r.out() + r.err());
        return m.group();
    }

    @Test
    void twoWorkersRunningHandlersFindWhatOneFinds() {
        CliRun one = CliRun.mmn("--threads", "1", "run", script.toString());
        CliRun two = CliRun.mmn("--threads", "2", "run", script.toString());
        assertEquals(0, one.code(), one.out() + one.err());
        assertEquals(0, two.code(), two.out() + two.err());
        assertTrue(one.out().contains("explore: coherent over every interleaving"), one.out());
        assertEquals(counts(one), counts(two));
    }

    @Test
    void twoWorkersStopAtTheStepBudget() {
        long t0 = System.nanoTime();
        CliRun r = CliRun.mmn("--threads", "2", "--max-steps", "20000", "run", script.toString());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(3, r.code(), r.out() + r.err());
        Matcher m = Pattern.compile("busy.mmn:(8|9):\\d+: inconclusive: stopped after 20000 steps \\(the --max-steps budget; (\\d+) statements run\\)")
                .matcher(r.err());
        assertTrue(m.find(), "stopped inside a handler, on a worker:\n" + r.err());
        long statements = Long.parseLong(m.group(2));
        assertTrue(statements > 1000 && statements <= 20000, "statements counted within the budget: " + statements);
        assertTrue(r.err().contains("(inside the statement at " + script + ":13:1)"), r.err());
        assertFalse(r.out().contains("explore: coherent") || (r.out() + r.err()).contains("\tat "), r.out() + r.err());
        assertTrue(ms < 30_000, "took " + ms + " ms");
    }
}
