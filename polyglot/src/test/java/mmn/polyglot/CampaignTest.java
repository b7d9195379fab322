package mmn.polyglot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The randomised campaign examples with a small N: every built-in strategy gets a row,
 * the naive ones let violations through, the correct ones none, and the two languages
 * print the same table (same generator, same seed). Python's context is the costly part.
 */
class CampaignTest {
    private static String run(String file, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.runFile(Shared.ENGINE, Path.of(file), List.of(args), GuestWatchdog.DEFAULT_TIMEOUT, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8) + out.toString(StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    static String row(String table, String strategy) {
        return table.lines().filter(l -> l.startsWith(strategy + " ")).findFirst().orElseThrow(() -> new AssertionError(table));
    }

    @Test
    void bothLanguagesPrintTheSameTableOfViolationsPerStrategy() {
        String js = run("../scripts/polyglot/campaign.js", "3", "7");
        String py = run("../scripts/polyglot/campaign.py", "3", "7");
        assertEquals(js, py);
        assertTrue(js.startsWith("campaign: 3 random workloads (seed 7) x 8 strategies\nstrategy"), js);
        for (String s : List.of("empty-pt", "range", "arch-tlbs", "start-only", "end-only", "kvm", "interval", "interval-no-retry"))
            row(js, s);
        // the drivers written right let nothing through; the one that flushes only at start is caught
        for (String s : List.of("range", "kvm", "interval"))
            assertTrue(row(js, s).matches(s + " +\\w+ +0/3 +\\d +-"), row(js, s));
        assertTrue(row(js, "start-only").matches("start-only +ats +[123]/3 +0 +.*use-after-free.*"), row(js, "start-only"));
    }
}
