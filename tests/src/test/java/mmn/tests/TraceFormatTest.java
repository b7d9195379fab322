package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mmn.report.TraceDoc;
import mmn.report.TraceDocs;
import mmn.report.TraceJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed trace (docs/trace-format.md): typed fields, expectations and explores as data, the schema's teeth, quieter text. */
class TraceFormatTest {
    @TempDir
    Path dir;

    private static TraceDoc.Event first(TraceDoc.FileRun f, String kind) {
        return f.events().stream().filter(e -> e.kind().equals(kind)).findFirst().orElseThrow(() -> new AssertionError("no " + kind + " event"));
    }

    @Test
    void aViolationIsTypedAndPlacedAtItsStatement() {
        TraceDoc.FileRun f = Run.file(Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn")).trace();
        assertEquals("violation", f.outcome());
        TraceDoc.Event v = first(f, "violation");
        assertEquals("use-after-free", v.result());
        assertEquals("gpu", v.device());
        assertEquals("munmap", v.operation());
        assertEquals("free", v.phase());
        assertEquals(15, v.at().line());
        assertEquals(1, v.at().col());
        assertTrue(v.at().file().endsWith("bug-start-only-unexpected.mmn"), v.at().file());
        assertNotNull(v.pfn());
        // the device's access that refilled the entry: address, hit level, frame and generation
        TraceDoc.Event read = f.events().stream().filter(e -> e.kind().equals("access") && "gpu".equals(e.device())).reduce((a, b) -> b).orElseThrow();
        assertEquals("0x400000", read.address());
        assertEquals(Boolean.FALSE, read.write());
        assertEquals("ok", read.result());
        assertEquals("walk", read.level());
        assertEquals(v.pfn(), read.pfn());
        assertEquals(v.gen(), read.gen());
        assertEquals("start", read.phase());
        // a hook: its name, kernel call site, space and range
        TraceDoc.Event hook = first(f, "hook");
        assertEquals("invalidate_range_start", hook.hook());
        assertEquals("unmap_vmas:invalidate_range_start", hook.site());
        assertEquals("A", hook.space());
        assertEquals(new TraceDoc.AddrRange("0x400000", "0x401000", null), hook.range());
        // the free that gave the frame back lists it
        assertTrue(f.events().stream().anyMatch(e -> e.kind().equals("free") && e.pfns() != null && e.pfns().contains(v.pfn())));
        // and the run stopped on it: a failure with its place
        assertEquals(1, f.failures().size());
        assertEquals(15, f.failures().get(0).at().line());
    }

    @Test
    void everyExpectationIsAnEventWithItsResult() {
        TraceDoc.FileRun f = Run.file(Run.SCRIPTS.resolve("tour.mmn")).trace();
        List<TraceDoc.Event> expects = f.events().stream().filter(e -> e.kind().equals("expect")).toList();
        assertEquals(3, expects.size());
        assertTrue(expects.stream().allMatch(e -> e.result().equals("held")), expects.toString());
        assertEquals(List.of(24, 40, 45), expects.stream().map(e -> e.at().line()).toList());
        assertTrue(expects.get(1).why().startsWith("use-after-free on npu"), expects.get(1).why());
    }

    @Test
    void aFailedExpectationSaysWhy() throws Exception {
        Run r = Run.text(dir, "fail.mmn", String.join("\n", "profile linux-3.19", "space A", "map A 0x400000 +4K rw anon",
                "device gpu ats { atc 8; pri retries 8 }", "bind gpu A", "expect faults gpu == 3", ""));
        TraceDoc.Event e = first(r.trace(), "expect");
        assertEquals("failed", e.result());
        assertEquals(6, e.at().line());
        assertEquals("gpu took 0 faults, expected == 3", e.why());
        assertEquals(1, TraceDocs.summary(List.of(r.trace())).expectationsFailed());
    }

    @Test
    void anExploreHasItsStatisticsAndATypedCounterexample() {
        TraceDoc.FileRun f = Run.file(Run.SCRIPTS.resolve("explore/start-only-munmap.mmn")).trace();
        TraceDoc.Explore x = f.explores().get(0);
        assertEquals("violation", x.verdict());
        assertEquals("use-after-free", x.expected());
        assertEquals("held", x.result());
        assertTrue(x.stats().distinct() > 0 && x.stats().states() >= x.stats().distinct(), x.stats().toString());
        List<TraceDoc.Step> steps = x.counterexample().steps();
        assertEquals("T1", steps.get(1).thread());
        assertEquals("start", steps.get(1).phase());
        // the device's read in step 2 is a typed access; the last step raises the violation
        assertTrue(steps.get(1).events().stream().anyMatch(e -> e.kind().equals("access") && "0x400000".equals(e.address())), steps.get(1).toString());
        assertTrue(steps.get(steps.size() - 1).events().stream().anyMatch(e -> e.kind().equals("violation") && "use-after-free".equals(e.result())));
        // replayed events get the explore's place
        assertEquals(x.at(), steps.get(0).events().get(0).at());
    }

    @Test
    void theTraceReadsBackAsItWasWritten() throws Exception {
        TraceDoc doc = TraceDocs.of(List.of(Run.file(Run.SCRIPTS.resolve("explore/start-only-munmap.mmn")).trace(),
                Run.file(Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn")).trace()));
        Path p = dir.resolve("t.json");
        Files.writeString(p, TraceJson.write(doc));
        assertEquals(doc, TraceJson.read(p));
    }

    @Test
    void theSchemaHasTeeth() {
        String good = TraceJson.write(TraceDocs.of(List.of(Run.file(Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn")).trace())));
        assertTrue(TraceSchema.problems(good).isEmpty());
        assertFalse(TraceSchema.problems(good.replace("\"version\" : 1", "\"version\" : 2")).isEmpty(), "another version");
        assertFalse(TraceSchema.problems(good.replaceFirst("\"kind\" : \"hook\"", "\"kind\" : \"hoook\"")).isEmpty(), "unknown kind");
        assertFalse(TraceSchema.problems(good.replaceFirst("\"address\" : \"0x400000\"", "\"address\" : 4194304")).isEmpty(), "address as number");
        assertFalse(TraceSchema.problems(good.replaceFirst("\"site\" : \"unmap_vmas:invalidate_range_start\",", "")).isEmpty(), "a hook without its call site");
    }

    @Test
    void violationsOfOneStatementShareOneHookList() throws Exception {
        Run r = Run.text(dir, "many.mmn", String.join("\n", "profile linux-3.19", "space A", "map A 0x400000 +16K rw anon",
                "device gpu ats { atc 64; pri retries 8 }", "bind gpu A", "touch A 0x400000 +16K write", "dma gpu A 0x400000 +16K read",
                "munmap A 0x400000 +16K", ""));
        assertEquals(4, r.out().split("violation use-after-free on gpu", -1).length - 1, r.out());
        assertEquals(1, r.out().split("hooks so far in this statement", -1).length - 1, r.out());
        assertTrue(r.out().contains("(the 4 violations above share this statement's hooks)"), r.out());
    }

    @Test
    void theWholeMmIsNamedAsTheKernelNamesIt() throws Exception {
        Run r = Run.text(dir, "exit.mmn", String.join("\n", "profile linux-3.19", "space A", "map A 0x400000 +16K rw anon",
                "device gpu ats { atc 64; pri retries 8 }", "bind gpu A", "notifier n on A for gpu uses range", "touch A 0x400000 write",
                "exit A", "show trace", ""));
        assertTrue(r.out().contains("invalidate_range_start [0, ULONG_MAX] (unmap_vmas:invalidate_range_start), the whole mm"), r.out());
        assertFalse(r.out().contains("[0, -1)"), r.out());
        TraceDoc.Event start = r.trace().events().stream().filter(e -> "invalidate_range_start".equals(e.hook())).findFirst().orElseThrow();
        assertEquals(new TraceDoc.AddrRange("0x0", "0xffffffffffffffff", true), start.range());
    }
}
