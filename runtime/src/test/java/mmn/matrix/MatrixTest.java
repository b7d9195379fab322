package mmn.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import org.junit.jupiter.api.Test;

/** mmn matrix's cells: verdicts on known cases, reasons, bounds, exit codes, order, and the rerunnable script. */
class MatrixTest {
    static final String ATS = "device gpu ats { atc 64; walk-cache on; pri retries 8 }\n";

    static MatrixResult run(String strategy, List<String> profiles, List<String> ops, List<String> mappings) {
        return new Matrix().profiles(profiles).ops(ops).mappings(mappings).workers(1)
                .run(MmnDriver.of(strategy + ".mmn", ATS + "notifier n for gpu uses " + strategy + "\n"), null);
    }

    @Test
    void seedDriverIsCoherentUnderMunmapFrom319ButNotOn316() {
        MatrixResult r = run("range", List.of("linux-3.16", "linux-3.19"), List.of("munmap"), List.of("anon"));
        Cell old = r.cell("linux-3.16", "munmap", Mapping.ANON);
        Cell fixed = r.cell("linux-3.19", "munmap", Mapping.ANON);
        assertEquals(Cell.Status.VIOLATION, old.status(), old.toString());
        assertEquals("use-after-free", old.kind()); // 3.16 has no invalidate_range: the freed page stays in the ATC
        assertEquals("explore", old.foundBy());
        assertEquals(Cell.Status.COHERENT, fixed.status(), fixed.toString());
        assertTrue(fixed.states() > 10, "the explore ran: " + fixed.states() + " states");
        assertEquals(1, r.exitCode());
    }

    @Test
    void startOnlyShowsTheUseAfterFreeWithItsShortestCounterexample() {
        Cell c = run("start-only", List.of("linux-3.19"), List.of("munmap"), List.of("anon")).cells().get(0);
        assertEquals(Cell.Status.VIOLATION, c.status());
        assertEquals("use-after-free", c.kind());
        assertTrue(c.steps() > 0 && c.counterexample().contains("counterexample, " + c.steps() + " steps"), c.counterexample());
        assertTrue(c.counterexample().contains("munmap: free"), c.counterexample());
    }

    @Test
    void aHandlerOfTheDriverThatFailsIsADriverErrorAtTheDriversLineNotNotApplicable() {
        MmnDriver d = MmnDriver.of("drv.mmn", ATS + "notifier n for gpu {\n  on start(r) { let z = 1 / 0 }\n}\n");
        MatrixResult r = new Matrix().profiles(List.of("linux-6.8")).ops(List.of("munmap", "age")).mappings(List.of("anon")).workers(1).run(d, null);
        Cell munmap = r.cell("linux-6.8", "munmap", Mapping.ANON);
        assertEquals(Cell.Status.DRIVER_ERROR, munmap.status(), munmap.toString());
        assertTrue(munmap.headline().startsWith("division by zero (drv.mmn:3:"), munmap.headline());
        assertTrue(munmap.headline().endsWith("(in the operation alone)"), munmap.headline());
        // age fires no invalidate_range_start: the handler never runs and the cell has a verdict
        assertEquals(Cell.Status.COHERENT, r.cell("linux-6.8", "age", Mapping.ANON).status());
        assertEquals(2, r.exitCode());
    }

    @Test
    void anOperationTheKernelLacksIsNotApplicableWithItsReason() {
        MatrixResult r = run("range", List.of("linux-3.19", "linux-4.15"), List.of("oom-reap", "dontneed"), List.of("anon", "hugetlb"));
        Cell oom = r.cell("linux-3.19", "oom-reap", Mapping.ANON);
        assertEquals(Cell.Status.NOT_APPLICABLE, oom.status());
        assertTrue(oom.headline().contains("4.6"), oom.headline());
        Cell dontneed = r.cell("linux-4.15", "dontneed", Mapping.HUGETLB);
        assertEquals(Cell.Status.NOT_APPLICABLE, dontneed.status());
        assertTrue(dontneed.headline().contains("-EINVAL"), dontneed.headline());
        assertEquals(Cell.Status.COHERENT, r.cell("linux-4.15", "oom-reap", Mapping.ANON).status());
        assertEquals(0, r.exitCode());
    }

    @Test
    void aStrategyTheProfileLacksMakesItsCellsNotApplicable() {
        Cell c = run("arch-tlbs", List.of("linux-6.5"), List.of("munmap"), List.of("anon")).cells().get(0);
        assertEquals(Cell.Status.NOT_APPLICABLE, c.status());
        assertTrue(c.headline().contains("arch_invalidate_secondary_tlbs"), c.headline());
    }

    @Test
    void aBoundHitIsInconclusiveNamingTheBoundAndExits3() {
        MatrixResult r = new Matrix().profiles(List.of("linux-3.19")).ops(List.of("munmap")).mappings(List.of("anon")).workers(1)
                .bounds(new MatrixBounds(3, 1000, MatrixBounds.DEFAULT_TIMEOUT))
                .run(MmnDriver.of("range.mmn", ATS + "notifier n for gpu uses range\n"), null);
        Cell c = r.cells().get(0);
        assertEquals(Cell.Status.INCONCLUSIVE, c.status());
        assertEquals("max-states", c.headline());
        assertEquals(3, r.exitCode());
    }

    @Test
    void cellsComeInTheSameOrderAndTheReportsAreTheSameForAnyNumberOfWorkers() {
        Driver d = MmnDriver.of("start-only.mmn", ATS + "notifier n for gpu uses start-only\n");
        Matrix m = new Matrix().profiles(List.of("linux-3.16", "linux-6.8")).ops(List.of("munmap", "mprotect", "migrate")).mappings(List.of("anon", "file"));
        String one = JsonReport.render(m.workers(1).run(d, null));
        String two = JsonReport.render(m.workers(2).run(d, null));
        assertEquals(one, two);
        assertTrue(one.indexOf("\"linux-3.16\", \"operation\": \"munmap\", \"mapping\": \"anon\"")
                < one.indexOf("\"linux-6.8\", \"operation\": \"munmap\", \"mapping\": \"anon\""));
    }

    @Test
    void aCellsScriptRerunsToTheSameVerdict() {
        Cell c = run("start-only", List.of("linux-3.19"), List.of("munmap"), List.of("anon")).cells().get(0);
        assertNotNull(c.script());
        assertTrue(c.script().contains("notifier n on A for gpu uses start-only"), c.script());
        Session s = session();
        assertEquals(Outcome.VIOLATION, s.runText("cell.mmn", c.script()));
        assertEquals(c.kind(), s.lastExplore().counterexample().violation().kind().label());
        assertEquals(c.steps(), s.lastExplore().counterexample().steps().size());
    }

    @Test
    void junitMarksViolationsAsFailuresAndNotApplicableAsSkipped() {
        String x = JUnitReport.render(run("start-only", List.of("linux-3.19"), List.of("munmap", "oom-reap"), List.of("anon")));
        assertTrue(x.contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""), x);
        assertTrue(x.contains("<failure type=\"use-after-free\""), x);
        assertTrue(x.contains("<skipped message=\"linux-3.19 has no OOM reaper"), x);
    }

    @Test
    void htmlLinksEachViolationCellToItsCounterexamplesDiagram() {
        String h = HtmlMatrixReport.render(run("start-only", List.of("linux-3.19"), List.of("munmap", "oom-reap"), List.of("anon")));
        assertTrue(h.contains("<td class=\"violation\"><a href=\"#f1-x1\""), h);
        assertTrue(h.contains("id=\"f1-x1\""), h);
        assertTrue(h.contains("<svg"), h);
        assertTrue(h.contains("explore counterexample: use-after-free on gpu"), h);
        assertTrue(h.contains("title=\"linux-3.19 has no OOM reaper (it arrived in 4.6)\">n/a</td>"), h);
    }

    // ---------------------------------------------------------------- the driver form of `notifier`

    @Test
    void aNotifierWithoutASpaceIsAnErrorInAnOrdinaryScript() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Session s = new Session(new Options(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        Outcome o = s.runText("x.mmn", "space A\n" + ATS + "notifier amd for gpu uses range\n");
        String e = err.toString(StandardCharsets.UTF_8);
        assertEquals(Outcome.ERROR, o);
        assertTrue(e.startsWith("x.mmn:3:10: error: notifier 'amd' names no space to watch"), e);
        assertTrue(e.contains("only a driver file given to `mmn matrix` leaves the space out"), e);
    }

    @Test
    void aDriverFileMayDeclareOnlyItsDeviceAndNotifier() {
        assertDriverError("space A\n" + ATS + "notifier n for gpu uses range\n", "x.mmn:1:1: error: a driver file declares a device and its notifier only");
        assertDriverError(ATS + "notifier n on A for gpu uses range\n", "x.mmn:2:15: error: a driver's notifier leaves out `on A`");
        assertDriverError(ATS, "error: a driver file declares the notifier its device uses");
    }

    private static void assertDriverError(String text, String want) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Session s = new Session(new Options(), new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        s.runText("setup", "space A\n");
        Outcome o = s.runDriver(mmn.ast.Source.ofText("x.mmn", text), "A");
        assertEquals(Outcome.ERROR, o);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains(want), err.toString(StandardCharsets.UTF_8));
    }

    private static Session session() {
        Options o = new Options();
        o.quiet = true;
        o.threads = 1;
        return new Session(o, new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }
}
