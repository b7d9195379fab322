package mmn.polyglot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mmn.engine.Hook;
import mmn.engine.Subscriber;
import org.graalvm.polyglot.Value;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JavaScriptDriverTest {
    static Shared.Guest js;

    @BeforeAll
    static void open() {
        js = new Shared.Guest("js");
    }

    @AfterAll
    static void close() {
        js.close();
    }

    @Test
    void rangeDriverKeepsMunmapCoherent() {
        Value r = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run(SETUP);
                s.notifier("drv", "A", "gpu", { range(ctx, r) { ctx.flush("gpu", r); } });
                s.run(MUNMAP);
                """);
        assertEquals(0, r.getMember("exitCode").asInt(), r.getMember("output").asString());
        assertTrue(r.getMember("ok").asBoolean());
        assertEquals(List.of(), Shared.strings(r.getMember("kinds")));
    }

    @Test
    void startOnlyDriverIsCaught() {
        Value r = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run(SETUP);
                s.notifier("drv", "A", "gpu", { start: (ctx, r) => ctx.flush(ctx.device, r) });
                s.run(MUNMAP);
                """);
        assertEquals(1, r.getMember("exitCode").asInt());
        assertEquals(List.of("use-after-free"), Shared.strings(r.getMember("kinds")));
        assertTrue(r.getMember("output").asString().contains("violation use-after-free on gpu during munmap"));
    }

    @Test
    void absentCallbackIsNotRegistered() {
        Value calls = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run(SETUP);
                var calls = [];
                s.notifier("drv", "A", "gpu", { start(ctx, r) { calls.push("start " + r); } });
                s.run(MUNMAP);
                calls;
                """);
        Subscriber sub = js.mmn.lastSession().world().subscriber("drv");
        assertTrue(sub.has(Hook.INVALIDATE_RANGE_START));
        assertFalse(sub.has(Hook.INVALIDATE_RANGE));
        assertFalse(sub.has(Hook.INVALIDATE_RANGE_END));
        assertEquals(List.of("start [0x400000, 0x401000)"), Shared.strings(calls));
    }

    @Test
    void guestExceptionInCallbackIsAScriptError() {
        Value r = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run(SETUP);
                s.notifier("drv", "A", "gpu", {
                  range(ctx, r) {
                    throw new Error("driver bug");
                  }
                });
                s.run(MUNMAP);
                """);
        assertEquals(2, r.getMember("exitCode").asInt());
        String err = r.getMember("errors").asString();
        assertTrue(err.contains("range callback failed: Error: driver bug"), err);
        assertTrue(err.contains(":5)"), err); // the guest's line
        assertFalse(err.contains("\tat "), err);
    }

    @Test
    void scriptErrorFromTheRunnerHasTheGuestLine(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.js");
        Files.writeString(f, """
                var s = mmn.session();
                s.run(SETUP_IS_NOT_DEFINED);
                """);
        Shared.Run run = Shared.runFile(f.toString());
        assertEquals(2, run.exit());
        assertTrue(run.err().contains("ReferenceError: SETUP_IS_NOT_DEFINED is not defined"), run.err());
        assertTrue(run.err().contains("bad.js:2"), run.err());
        assertFalse(run.err().contains("\tat "), run.err());
    }

    @Test
    void exampleRunsAsTheReadmeShows() {
        Shared.Run run = Shared.runFile("../scripts/polyglot/range-driver.js");
        assertEquals(1, run.exit(), run.err());
        assertTrue(run.out().contains("range driver:      exit 0, violations []"), run.out());
        assertTrue(run.out().contains("start-only driver: exit 1, violations [use-after-free]"), run.out());
    }
}
