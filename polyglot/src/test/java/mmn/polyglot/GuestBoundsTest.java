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
