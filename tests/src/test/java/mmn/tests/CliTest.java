package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mmn.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mmn command: exit codes, options, the JSON trace, profile reports, determinism. */
class CliTest {
    @TempDir
    Path dir;

    private static CliRun mmn(String... args) {
        return CliRun.mmn(args);
    }

    private static String script(String name) {
        return Run.SCRIPTS.resolve(name).toString();
    }

    @Test
    void exitCodesFollowTheLanguageContract() throws Exception {
        assertEquals(0, mmn("run", script("tour.mmn")).code());
        assertEquals(1, mmn("run", script("claims/bug-start-only-unexpected.mmn")).code());
        Path typo = dir.resolve("typo.mmn");
        Files.writeString(typo, "spcae A\n");
        CliRun r = mmn("run", typo.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("typo.mmn:1:1: error"), r.err());
        assertEquals(2, mmn("run", dir.resolve("missing.mmn").toString()).code());
        // several files: the worst outcome
        assertEquals(2, mmn("run", script("tour.mmn"), typo.toString()).code());
    }

    @Test
    void quietPrintsOnlyViolationsAndErrors() {
        CliRun ok = mmn("--quiet", "run", script("tour.mmn"));
        assertEquals("", ok.out());
        CliRun bad = mmn("-q", "run", script("claims/bug-start-only-unexpected.mmn"));
        assertTrue(bad.out().startsWith("violation use-after-free on gpu during munmap at phase 'free'"), bad.out());
        assertTrue(bad.out().contains("hooks so far in this statement"), bad.out());
    }

    @Test
    void traceIsJsonWithEveryHookAndStep() throws Exception {
        Path trace = dir.resolve("t.json");
        assertEquals(0, mmn("--quiet", "--trace", trace.toString(), "run", script("claims/5a-start-only-refill.mmn")).code());
        String json = Files.readString(trace);
        assertTrue(json.startsWith("[") || json.startsWith("{"), json.substring(0, Math.min(80, json.length())));
        assertTrue(json.contains("\"hook\" : \"invalidate_range_start\""), "hooks are in the trace");
        assertTrue(json.contains("\"kind\" : \"step\""), "steps are in the trace");
    }

    @Test
    void sameScriptSameSeedSameTraceByteForByte() throws Exception {
        Path t1 = dir.resolve("1.json");
        Path t2 = dir.resolve("2.json");
        mmn("-q", "--seed", "7", "--trace", t1.toString(), "run", script("tour.mmn"));
        mmn("-q", "--seed", "7", "--trace", t2.toString(), "run", script("tour.mmn"));
        assertEquals(Files.readString(t1), Files.readString(t2));
    }

    @Test
    void helpVersionAndUsageErrors() {
        assertTrue(mmn("--help").out().contains("usage: mmn"));
        assertTrue(mmn("--version").out().startsWith("mmn 0."));
        assertEquals(2, mmn("--bogus").code());
        assertEquals(2, mmn("frobnicate").code());
        CliRun p = mmn("--profile", "linux-9.9", "run", script("tour.mmn"));
        assertEquals(2, p.code());
        assertTrue(p.err().contains("unknown profile 'linux-9.9'"), p.err());
    }

    @Test
    void everySubcommandHasHelpAndTyposGetTheNearestSpelling() {
        for (String cmd : new String[] {"run", "check", "repl", "profile", "js", "py", "completion"}) {
            CliRun r = mmn(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().startsWith("usage: mmn " + cmd), cmd + ": " + r.out());
        }
        assertTrue(mmn("run", "--help").out().contains("3   inconclusive"), "exit codes are in the help");
        CliRun cmdTypo = mmn("rnu", "x.mmn");
        assertEquals(2, cmdTypo.code());
        assertTrue(cmdTypo.err().contains("did you mean 'run'?"), cmdTypo.err());
        CliRun optTypo = mmn("run", "--quite", script("tour.mmn"));
        assertEquals(2, optTypo.code());
        assertTrue(optTypo.err().contains("--quiet"), optTypo.err());
        // options may follow the subcommand's name
        assertEquals("", mmn("run", "--quiet", script("tour.mmn")).out());
    }

    @Test
    void completionScriptKnowsTheCommandsAndOptions() {
        CliRun r = mmn("completion");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("#!/usr/bin/env bash"), r.out().substring(0, 40));
        for (String w : new String[] {"check", "profile", "--max-states", "--quiet", "linux-3.19"})
            assertTrue(r.out().contains(w), "completion offers " + w);
    }

    @Test
    void profileReportShowsHooksAndDiffs() {
        CliRun one = mmn("profile", "linux-3.19", "munmap");
        assertEquals(0, one.code());
        assertTrue(one.out().contains("invalidate_range"), one.out());
        CliRun diff = mmn("profile", "--diff", "linux-3.16", "linux-3.19", "munmap");
        assertEquals(0, diff.code());
        assertTrue(diff.out().contains("linux-3.16") && diff.out().contains("linux-3.19"), diff.out());
    }

    @Test
    void checkRunsExploresAndPrintsTheShortestCounterexample() throws Exception {
        Path t1 = dir.resolve("c1.json");
        CliRun r = mmn("--threads", "1", "--trace", t1.toString(), "check", script("explore/start-only-munmap.mmn"));
        assertEquals(0, r.code(), r.err());
        // the read lands between start and the PTE clear
        int start = r.out().indexOf("1. op   [phase start]");
        int read = r.out().indexOf("2. T1   [phase start]                dma gpu A 0x400000 read");
        int clear = r.out().indexOf("3. op   [phase clear]");
        assertTrue(start >= 0 && read > start && clear > read, r.out());
        assertEquals("use-after-free", mmn.report.TraceJson.read(t1).files().get(0).explores().get(0).counterexample().violation().kind());

        // two workers: the same verdict, counts and counterexample, byte for byte
        Path t2 = dir.resolve("c2.json");
        CliRun r2 = mmn("--threads", "2", "--trace", t2.toString(), "check", script("explore/start-only-munmap.mmn"));
        assertEquals(strip(r.out()), strip(r2.out()));
        assertEquals(strip(Files.readString(t1)), strip(Files.readString(t2)));
    }

    @Test
    void aBoundHitIsNeverCoherent() {
        CliRun r = mmn("--max-states", "5", "check", script("explore/range-319-munmap.mmn"));
        assertEquals(3, r.code(), "a bound hit with nothing found is inconclusive");
        assertTrue(r.out().contains("inconclusive: bound hit (max-states)"), r.out());
    }

    /** Timings differ from run to run; everything else must not. */
    private static String strip(String s) {
        return s.replaceAll("\\d+\\.\\d+ s, \\d+ states/s", "T").replaceAll(", \\d+\\.\\d s\n", ", T\n");
    }
}
