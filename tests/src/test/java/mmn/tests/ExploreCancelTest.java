package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import org.junit.jupiter.api.Test;

/** Ctrl-C's path: the session's cancel flag stops a running explore cleanly, as inconclusive, and the session goes on. */
class ExploreCancelTest {
    static final String BIG = String.join("\n",
            "profile linux-3.19", "space A", "map A 0x400000 +64K rw anon",
            "device gpu ats { atc 64; walk-cache on }", "bind gpu A", "notifier n on A for gpu uses range",
            "touch A 0x400000 +32K write",
            "explore { munmap A 0x400000 +32K } with { dma gpu A 0x400000 +32K read } with { dma gpu A 0x400000 +32K write }"
                    + " with { dma gpu A 0x400000 +32K read } expect coherent",
            "");

    @Test
    void cancellingARunningExploreEndsItInconclusiveAndTheSessionGoesOn() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Options opts = new Options();
        opts.threads = 1;
        Session s = new Session(opts, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        CompletableFuture<Outcome> run = CompletableFuture.supplyAsync(() -> s.runText("big", BIG));
        // wait until the explore runs (its setup statements have printed nothing; poll the world's trace)
        long until = System.nanoTime() + 10_000_000_000L;
        while (s.world().trace().size() < 20 && System.nanoTime() < until) Thread.sleep(20);
        Thread.sleep(500);
        assertTrue(!run.isDone(), "the explore should still be running: " + out);
        s.cancelFlag().set(true);
        Outcome o = run.get(20, TimeUnit.SECONDS);
        assertEquals(Outcome.INCONCLUSIVE, o, "cut short with nothing found");
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("explore inconclusive: cancelled"), out.toString(StandardCharsets.UTF_8));
        // the world is as it was before the explore, and usable
        assertEquals(Outcome.OK, s.runText("next", "expect mapped A 0x400000\n"));
    }
}
