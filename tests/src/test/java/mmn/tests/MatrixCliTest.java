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

/** `mmn matrix`: exit statuses, filters, the JSON and JUnit files, and a driver file run as a script. */
class MatrixCliTest {
    @TempDir
    Path dir;

    private static CliRun mmn(String... args) {
        return CliRun.mmn(args);
    }

    private static String driver(String name) {
        return Run.SCRIPTS.resolve("drivers/" + name + ".mmn").toString();
    }

    @Test
    void theSeedDriverIsCoherentAndStartOnlyIsNotWithTheirExitStatuses() throws Exception {
        CliRun ok = mmn("matrix", driver("range"), "--profiles", "linux-3.19", "--ops", "munmap", "--mapping", "anon");
        assertEquals(0, ok.code(), ok.out() + ok.err());
        assertTrue(ok.out().contains("  munmap     ok"), ok.out());
        Path junit = dir.resolve("m.xml");
        Path json = dir.resolve("m.json");
        CliRun bad = mmn("matrix", driver("start-only"), "--profiles", "linux-3.19", "--ops", "munmap,oom-reap", "--mapping", "anon",
                "--junit", junit.toString(), "--json", json.toString());
        assertEquals(1, bad.code(), bad.out() + bad.err());
        assertTrue(bad.out().contains("linux-3.19 munmap anon: violation use-after-free on gpu during munmap at phase 'free' (explore)"), bad.out());
        assertTrue(bad.out().contains("linux-3.19 has no OOM reaper (it arrived in 4.6)"), bad.out());
        assertTrue(Files.readString(junit).contains("failures=\"1\""));
        assertTrue(Files.readString(json).contains("\"status\": \"violation\", \"kind\": \"use-after-free\""));
    }

    @Test
    void aBoundCutShortExits3() {
        CliRun r = mmn("matrix", driver("range"), "--profiles", "linux-3.19", "--ops", "munmap", "--mapping", "anon", "--max-states", "2");
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("? max-states"), r.out());
    }

    @Test
    void usageErrorsExit2() {
        CliRun r = mmn("matrix", driver("range"), "--ops", "munmapp");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("unknown operation 'munmapp'"), r.err());
        assertEquals(2, mmn("matrix").code());
        assertEquals(2, mmn("matrix", driver("range"), "--mapping", "shm").code());
    }

    @Test
    void aDriverFileRunAsAScriptSaysWhyItCannotBeBound() {
        CliRun r = mmn("run", driver("range"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("error: notifier 'amd' names no space to watch"), r.err());
        assertTrue(r.err().contains("only a driver file given to `mmn matrix` leaves the space out"), r.err());
    }
}
