package mmn.polyglot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Guest code is bounded and its mistakes are told at the guest's line: a callback that
 * never returns is interrupted past --guest-timeout and named by file:line; an unknown
 * profile is refused as in a .mmn file; a bad argument to a host call names the guest's line.
 */
class GuestBoundsTest {
    @TempDir
    Path dir;

    private static final String SPIN_JS = """
            const s = mmn.session("linux-3.19");
            s.run(SETUP);
            s.notifier("spin", "A", "gpu", {
              start: function (ctx, range) {
                while (true) {}
              }
            });
            s.run("munmap A 0x400000 +4K\\n");
            """;

    private static final String SPIN_PY = """
            s = mmn.session("linux-3.19")
            s.run(SETUP)
            def start(ctx, r):
                while True:
                    pass
            s.notifier("spin", "A", "gpu", {"start": start})
            s.run("munmap A 0x400000 +4K\\n")
            """;

    private Shared.Run run(String name, String code, double timeoutSecs) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, (name.endsWith(".js") ? "const SETUP = " : "SETUP = ") + quoted(Shared.SETUP) + "\n" + code);
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        int rc = Main.runFile(Shared.ENGINE, f, List.of(), Duration.ofMillis((long) (timeoutSecs * 1000)),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        return new Shared.Run(rc, out.toString(java.nio.charset.StandardCharsets.UTF_8), err.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    @Test
    void aJavaScriptCallbackThatNeverReturnsIsInterruptedAndNamed() throws IOException {
        long t0 = System.nanoTime();
        Shared.Run r = run("spin.js", SPIN_JS, 1);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("notifier 'spin': start callback ("), r.err());
        assertTrue(r.err().contains("spin.js:5) did not return within the guest timeout of 1.0 s: it was interrupted"), r.err());
        assertTrue(ms < 60_000, "interrupted, not waited out: " + ms + " ms");
    }

    @Test
    void aPythonCallbackThatNeverReturnsIsInterruptedAndNamed() throws IOException {
        Shared.Run r = run("spin.py", SPIN_PY, 1);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("notifier 'spin': start callback ("), r.err());
        assertTrue(r.err().contains("spin.py:"), r.err());
        assertTrue(r.err().contains("did not return within the guest timeout of 1.0 s"), r.err());
    }

    /** A matrix driver whose start callback never returns (the cells' munmap and mprotect both call start). */
    private static final String SPIN_DRIVER_JS = """
            mmn.driver("device gpu ats { atc 64 }", "spin", {
              start(ctx, r) {
                while (true) {}
              },
              range(ctx, r) { ctx.flush("gpu", r); }
            }, {state: {}});
            """;

    @Test
    void aMatrixDriverCallbackThatNeverReturnsEndsItsCellInconclusiveInBoundedTime() throws IOException {
        Path f = dir.resolve("spin-driver.js");
        Files.writeString(f, SPIN_DRIVER_JS);
        var out = new java.io.ByteArrayOutputStream();
        var err = new java.io.ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int rc = Main.matrix(Shared.ENGINE, List.of(f.toString(), "--profiles", "linux-6.5,linux-6.8", "--ops", "munmap,mprotect",
                        "--mapping", "anon", "--guest-timeout", "0.5"),
                new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8), false);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String table = out.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(3, rc, table + err);
        // the first cell's munmap calls start, which is interrupted and named at its guest line ...
        assertTrue(table.contains("  munmap     ? guest timeout  ? not run\n  mprotect   ? not run        ? not run\n"), table);
        assertTrue(table.contains("notes:\n  operation: notifier 'spin': start callback (" + f + ":2) did not return within the guest timeout"
                + " of 0.5 s: it was interrupted\n      linux-6.5 munmap anon\n"), table);
        // ... and the three cells after it are not run: one guest timeout, not four
        assertTrue(table.contains("  not run: a callback of the driver ran past the guest timeout in the linux-6.5 munmap anon cell\n"
                + "      linux-6.8 munmap anon, linux-6.5 mprotect anon, linux-6.8 mprotect anon\n"), table);
        assertTrue(table.contains("4 cells: 0 coherent, 0 violations, 4 inconclusive, 0 not applicable"), table);
        assertTrue(ms < 30_000, "one timeout of 0.5 s and the context's start, not a hang: " + ms + " ms");
    }

    @Test
    void anUnknownProfileIsTheSameErrorAsInAScript() throws IOException {
        Shared.Run r = run("profile.js", "const s = mmn.session(\"linux-9.9\");\n", 5);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("unknown profile 'linux-9.9'"), r.err());
        assertTrue(r.err().contains("did you mean 'linux-3.19'?"), r.err());
        assertTrue(r.err().contains("profile.js:2"), "at the guest's line: " + r.err());
    }

    @Test
    void aBadArgumentToAHostCallNamesTheGuestLine() throws IOException {
        Shared.Run r = run("flush.js", """
                const s = mmn.session("linux-3.19");
                s.run(SETUP);
                s.notifier("bad", "A", "gpu", {
                  start: function (ctx, range) {
                    ctx.flush("gpu", 42);
                  }
                });
                s.run("munmap A 0x400000 +4K\\n");
                """, 5);
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("notifier 'bad': start callback: not a range: 42 ("), r.err());
        assertTrue(r.err().contains("flush.js:6)"), "the guest's line: " + r.err());
    }
}
