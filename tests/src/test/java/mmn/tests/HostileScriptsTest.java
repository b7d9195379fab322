package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import mmn.cli.Main;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input conformance suite (tests/hostile/cases.tsv, docs/robustness.md):
 * every hostile script ends with its exit status (2 or 3) and its first error line,
 * never a Java stack trace, and well inside a bound (the budgets, not the machine,
 * stop it). Plus the cases too big to keep as files, made here.
 */
class HostileScriptsTest {
    static final Path DIR = Path.of(System.getProperty("mmn.hostile", "hostile")).toAbsolutePath().normalize();
    /** Far above what any row takes (a few seconds on a loaded 2-core machine): a hang fails, a slow CI does not. */
    private static final long NO_HANG_MILLIS = 60_000;

    record Result(int code, String out, String err, long millis) {
        String firstLine() {
            String text = err.isEmpty() ? out : err;
            int nl = text.indexOf('\n');
            return nl < 0 ? text : text.substring(0, nl);
        }
    }

    static Result mmn(Path dir, String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String prefix = dir + "/";
        return new Result(code, o.toString(StandardCharsets.UTF_8).replace(prefix, ""), e.toString(StandardCharsets.UTF_8).replace(prefix, ""), ms);
    }

    static void assertClean(Result r, String what) {
        String all = r.out() + r.err();
        assertFalse(all.contains("\tat ") || all.contains("Exception") || all.contains("Error:"), what + " printed a Java trace:\n" + all);
        assertTrue(r.millis() < NO_HANG_MILLIS, what + " took " + r.millis() + " ms");
    }

    @TestFactory
    Stream<DynamicTest> everyHostileScriptEndsAsItsRowSays() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : Files.readAllLines(DIR.resolve("cases.tsv"))) {
            if (line.isBlank() || line.startsWith("#")) continue;
            rows.add(line.split("\t", -1));
        }
        assertTrue(rows.size() >= 20, "the suite has its rows");
        return rows.stream().map(row -> DynamicTest.dynamicTest(row[0] + " " + row[1], () -> {
            List<String> args = new ArrayList<>();
            args.add("-q");
            if (!row[1].isBlank()) args.addAll(List.of(row[1].trim().split(" +")));
            args.add("run");
            args.add(DIR.resolve(row[0]).toString());
            Result r = mmn(DIR, args.toArray(String[]::new));
            assertEquals(Integer.parseInt(row[2]), r.code(), row[0] + ":\n" + r.err() + r.out());
            assertTrue(r.firstLine().startsWith(row[3]), row[0] + ": first line\n  " + r.firstLine() + "\nexpected to start with\n  " + row[3]);
            assertClean(r, row[0]);
        }));
    }

    @TempDir
    Path tmp;

    @Test
    void aScriptOverTheSizeCapIsRefusedBeforeItIsRead() throws IOException {
        Path big = tmp.resolve("big.mmn");
        Files.write(big, ("#" + "x".repeat(1022) + "\n").repeat(9 * 1024).getBytes(StandardCharsets.US_ASCII));
        Result r = mmn(tmp, "run", big.toString());
        assertEquals(2, r.code());
        assertEquals("mmn: cannot read big.mmn: it is 9437184 bytes; scripts are read up to 8388608 bytes", r.firstLine());
        assertClean(r, "big.mmn");
    }

    @Test
    void tenThousandDevicesDeclareInSeconds() throws IOException {
        StringBuilder b = new StringBuilder("space A\nmap A 0x400000 +64K rw anon\n");
        for (int i = 0; i < 10_000; i++) b.append("device d").append(i).append(" ats\n");
        b.append("bind d9999 A\ndma d9999 A 0x400000 read\nexpect healthy d9999\n");
        Path f = tmp.resolve("devices.mmn");
        Files.writeString(f, b);
        Result r = mmn(tmp, "-q", "run", f.toString());
        assertEquals(0, r.code(), r.err());
        assertClean(r, "10,000 devices");
    }

    @Test
    void anExploreCutShortByTheRunTimeoutIsInconclusive() throws IOException {
        Path f = tmp.resolve("explore.mmn");
        Files.writeString(f, ExploreCancelTest.BIG);
        Result r = mmn(tmp, "--timeout", "1", "--threads", "2", "run", f.toString());
        assertEquals(3, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("explore inconclusive: bound hit (timeout)"), r.out());
        assertClean(r, "explore");
    }
}
