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

    /** The trace events' texts of the last session run, for asserting hook sequences. */
    private static List<String> events() {
        return js.mmn.lastSession().world().trace().events().stream().map(e -> e.text()).toList();
    }

    @Test
    void runsAreNamedAfterTheGuestLineThatCalledRun() {
        Value r = js.eval("""
                var s = mmn.session();
                s.run("space A");
                s.run("bogus");
                """, "driver.js");
        assertTrue(r.getMember("errors").asString().startsWith("<driver.js:3>:1:1: error: expected a statement"),
                r.getMember("errors").asString());
    }

    @Test
    void aNonBlockingStartThatReturnsFalseIsEagain() {
        // linux-6.5: the OOM reaper's start is non-blocking; a driver that would sleep says -EAGAIN,
        // the core calls end, and the reaper leaves the VMA mapped (__oom_reap_task_mm)
        Value r = js.eval("""
                var s = mmn.session("linux-6.5");
                s.run("space A\\nmap A 0x400000 +16K rw anon\\ndevice gpu ats\\nbind gpu A\\ntouch A 0x400000 +16K write");
                var seen = [];
                s.notifier("drv", "A", "gpu", {
                  start(ctx, r) { seen.push("start " + r.blockable); return r.blockable; },
                  end(ctx, r) { seen.push("end " + r.blockable); } });
                s.run("oom-reap A\\nexpect mapped A 0x400000");
                seen.join(",");
                """);
        assertEquals("start false,end false", r.asString());
        List<String> ev = events();
        assertTrue(ev.stream().anyMatch(e -> e.contains("-EAGAIN from drv")), ev.toString());
        assertTrue(ev.stream().anyMatch(e -> e.contains("start failed")), ev.toString());
        assertEquals(0, js.mmn.lastExitCode());
        // a blocking start's return value is not an error: munmap goes on and unmaps
        Value m = js.eval("""
                var s = mmn.session("linux-6.5");
                s.run("space A\\nmap A 0x400000 +16K rw anon\\ndevice gpu ats\\nbind gpu A\\ntouch A 0x400000 write");
                s.notifier("drv", "A", "gpu", { start(ctx, r) { return false; }, range(ctx, r) { ctx.flush("gpu", r); } });
                s.run("munmap A 0x400000 +16K\\nexpect unmapped A 0x400000");
                """);
        assertEquals(0, m.getMember("exitCode").asInt(), m.getMember("output").asString() + m.getMember("errors").asString());
        assertFalse(events().stream().anyMatch(e -> e.contains("-EAGAIN")), events().toString());
    }

    @Test
    void theAgingCallbacksReturnValueDecidesReferenced() {
        // page_referenced: a page is referenced if its PTE or a secondary MMU saw it young;
        // the second age finds the PTE's young bit already cleared, so only the driver's answer counts
        for (boolean young : new boolean[] {true, false}) {
            js.eval("""
                    var s = mmn.session("linux-6.8");
                    s.run("space A\\nmap A 0x400000 +4K rw anon\\ndevice gpu ats\\nbind gpu A\\ntouch A 0x400000 write");
                    s.notifier("drv", "A", "gpu", { clearFlushYoung(ctx, r) { return YOUNG; } });
                    s.run("age A 0x400000 +4K\\nage A 0x400000 +4K");
                    """.replace("YOUNG", String.valueOf(young)));
            List<String> ages = events().stream().filter(e -> e.startsWith("pfn ")).toList();
            assertEquals(2, ages.size(), ages.toString());
            assertTrue(ages.get(0).endsWith(" referenced"), ages.toString());
            assertEquals(young, ages.get(1).endsWith(" referenced") && !ages.get(1).endsWith("not referenced"), ages.toString());
        }
    }

    private static final String EXPLORE_SETUP = "space A\\nmap A 0x400000 +64K rw anon\\ndevice gpu ats { atc 64; pri retries 8 }\\n"
            + "bind gpu A\\ntouch A 0x400000 write";
    private static final String EXPLORE = "explore { munmap A 0x400000 +4K } with { dma gpu A 0x400000 read }";

    /** thread/phase/label of each step, the violation's kind/device/address/pfn: what must agree. */
    private static List<String> shape(Value explore) {
        Value c = explore.getMember("counterexample");
        List<String> l = new java.util.ArrayList<>();
        Value steps = c.getMember("steps");
        for (long i = 0; i < steps.getArraySize(); i++) {
            Value st = steps.getArrayElement(i);
            l.add(st.getMember("thread").asString() + " " + st.getMember("phase") + " " + st.getMember("label").asString());
        }
        Value v = c.getMember("violation");
        l.add(v.getMember("kind").asString() + " " + v.getMember("device").asString() + " " + v.getMember("address").asLong()
                + " pfn " + v.getMember("pfn").asInt());
        return l;
    }

    @Test
    void exploreWithAGuestDriver() {
        Value good = js.eval(("""
                var s = mmn.session("linux-3.19");
                s.run("SETUP");
                s.notifier("drv", "A", "gpu", { range(ctx, r) { ctx.flush("gpu", r); } }, {state: {}});
                s.run("EXPLORE");
                """).replace("SETUP", EXPLORE_SETUP).replace("EXPLORE", EXPLORE));
        assertEquals(0, good.getMember("exitCode").asInt(), good.getMember("output").asString() + good.getMember("errors"));
        assertEquals("coherent", good.getMember("explores").getArrayElement(0).getMember("verdict").asString());

        Value guest = js.eval(("""
                var s = mmn.session("linux-3.19");
                s.run("SETUP");
                s.notifier("naive", "A", "gpu", { start(ctx, r) { ctx.flush(ctx.device, r); } }, {state: {}});
                s.run("EXPLORE");
                """).replace("SETUP", EXPLORE_SETUP).replace("EXPLORE", EXPLORE));
        Value builtin = js.eval(("""
                var s = mmn.session("linux-3.19");
                s.run("SETUP\\nnotifier naive on A for gpu uses start-only");
                s.run("EXPLORE");
                """).replace("SETUP", EXPLORE_SETUP).replace("EXPLORE", EXPLORE));
        List<String> g = shape(guest.getMember("explores").getArrayElement(0));
        assertEquals(shape(builtin.getMember("explores").getArrayElement(0)), g);
        assertTrue(g.get(g.size() - 1).startsWith("use-after-free gpu " + 0x400000L), g.toString());
    }

    @Test
    void exploreRefusesAGuestWhoseStateIsNotDeclared() {
        Value r = js.eval(("""
                var s = mmn.session("linux-3.19");
                s.run("SETUP");
                var flushes = 0;
                s.notifier("drv", "A", "gpu", { range(ctx, r) { flushes++; ctx.flush("gpu", r); } });
                s.run("EXPLORE");
                """).replace("SETUP", EXPLORE_SETUP).replace("EXPLORE", EXPLORE));
        assertEquals(2, r.getMember("exitCode").asInt());
        String err = r.getMember("errors").asString();
        assertTrue(err.contains("notifier 'drv' is a guest driver that declared no state"), err);
        assertTrue(err.contains("{state: {...}}"), err);
    }

    @Test
    void declaredStateIsCopiedBySnapshotsAndRestored() {
        Value r = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run("space A\\nmap A 0x400000 +64K rw anon\\ndevice gpu ats\\nbind gpu A\\ntouch A 0x400000 +8K write");
                var seen = [];
                s.notifier("drv", "A", "gpu", {
                  start(ctx, r) { ctx.state.starts = ctx.state.starts + 1; seen.push(ctx.state.starts); },
                  range(ctx, r) { ctx.flush("gpu", r); } }, {state: {starts: 0}});
                var before = s.snapshot();
                s.run("munmap A 0x400000 +4K");
                s.run("munmap A 0x401000 +4K");
                s.restore(before);
                s.run("munmap A 0x400000 +4K");
                [seen.join(","), s.spaces()[0].mappings.length, s.spaces()[0].notifiers[0]].join(" ");
                """);
        // after restore the count is back to 0, and the first munmap's unmap is undone (2 mappings again, split by it)
        assertEquals("1,2,1", r.asString().split(" ")[0]);
        assertTrue(r.asString().endsWith(" drv"), r.asString());
    }

    @Test
    void theWorldAsValues() {
        Value r = js.eval("""
                var s = mmn.session("linux-3.19");
                s.run(SETUP);
                s.notifier("naive", "A", "gpu", { start(ctx, r) { ctx.flush(ctx.device, r); } });
                var cached = s.devices()[0].caches;
                var atc = Object.keys(cached).map(k => k + ":" + cached[k].length).join(",");
                s.run(MUNMAP);
                var v = s.violations()[0];
                var m = s.spaces()[0].mappings[0];
                [s.profile(), s.devices()[0].kind, s.devices()[0].space, atc, v.kind, v.device, v.address.toString(16), v.pfn >= 0,
                 m.start.toString(16), m.prot, m.anon].join(" ");
                """);
        String[] f = r.asString().split(" ");
        assertEquals("linux-3.19", f[0]);
        assertEquals("ats", f[1]);
        assertEquals("A", f[2]);
        assertTrue(f[3].contains("gpu.atc:4"), f[3]);
        // the munmap took the first page: the mapping now starts at the second
        assertEquals(List.of("use-after-free", "gpu", "400000", "true", "401000", "rw-", "true"),
                List.of(f[4], f[5], f[6], f[7], f[8], f[9], f[10]));
    }
}
