package mmn.polyglot;

import mmn.engine.notifier.Subscriber;
import mmn.engine.profile.Hook;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Python context is created once for the class: the first one costs seconds. */
class PythonDriverTest {
    static Shared.Guest py;

    @BeforeAll
    static void open() {
        py = new Shared.Guest("python");
    }

    @AfterAll
    static void close() {
        py.close();
    }

    @Test
    void rangeDriverKeepsMunmapCoherent() {
        Value r = py.eval("""
                class Drv:
                    def range(self, ctx, r):
                        ctx.flush("gpu", r)
                s = mmn.session("linux-3.19")
                s.run(SETUP)
                s.notifier("drv", "A", "gpu", Drv())
                s.run(MUNMAP)
                """);
        assertEquals(0, r.getMember("exitCode").asInt(), r.getMember("output").asString());
        assertTrue(r.getMember("ok").asBoolean());
        assertEquals(List.of(), Shared.strings(r.getMember("kinds")));
    }

    @Test
    void startOnlyDriverIsCaught() {
        Value r = py.eval("""
                s = mmn.session("linux-3.19")
                s.run(SETUP)
                s.notifier("drv", "A", "gpu", {"start": lambda ctx, r: ctx.flush(ctx.device, r)})
                s.run(MUNMAP)
                """);
        assertEquals(1, r.getMember("exitCode").asInt());
        assertEquals(List.of("use-after-free"), Shared.strings(r.getMember("kinds")));
        assertTrue(r.getMember("output").asString().contains("violation use-after-free on gpu during munmap"));
    }

    @Test
    void absentCallbackIsNotRegistered() {
        Value calls = py.eval("""
                s = mmn.session("linux-3.19")
                s.run(SETUP)
                calls = []
                class StartOnly:
                    def start(self, ctx, r):
                        calls.append(f"start {r} {r.start:#x}-{r.end:#x}")
                s.notifier("drv", "A", "gpu", StartOnly())
                s.run(MUNMAP)
                calls
                """);
        Subscriber sub = py.mmn.lastSession().world().subscriber("drv");
        assertTrue(sub.has(Hook.INVALIDATE_RANGE_START));
        assertFalse(sub.has(Hook.INVALIDATE_RANGE));
        assertFalse(sub.has(Hook.INVALIDATE_RANGE_END));
        assertEquals(List.of("start [0x400000, 0x401000) 0x400000-0x401000"), Shared.strings(calls));
    }

    @Test
    void guestExceptionInCallbackIsAScriptError() {
        Value r = py.eval("""
                s = mmn.session("linux-3.19")
                s.run(SETUP)
                class Buggy:
                    def range(self, ctx, r):
                        raise ValueError("driver bug")
                s.notifier("drv", "A", "gpu", Buggy())
                s.run(MUNMAP)
                """);
        assertEquals(2, r.getMember("exitCode").asInt());
        String err = r.getMember("errors").asString();
        assertTrue(err.contains("range callback failed: ValueError: driver bug"), err);
        assertTrue(err.contains(":5)"), err); // the guest's line
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void scriptErrorFromTheRunnerHasTheGuestLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.py");
        Files.writeString(f, """
                s = mmn.session()
                s.run(SETUP_IS_NOT_DEFINED)
                """);
        Shared.Run run = Shared.runFile(f.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("NameError: name 'SETUP_IS_NOT_DEFINED' is not defined"), run.err());
        assertTrue(run.err().contains("bad.py:2"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void exampleRunsAsTheReadmeShows() {
        Shared.Run run = Shared.runFile("../scripts/polyglot/range-driver.py");
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.out().contains("range driver:      exit 0, violations []"), run.out());
        assertTrue(run.out().contains("start-only driver: exit 1, violations [use-after-free]"), run.out());
    }
}
