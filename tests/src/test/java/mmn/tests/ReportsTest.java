package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import mmn.cli.Main;
import mmn.report.HtmlReport;
import mmn.report.TraceDoc;
import mmn.report.TraceJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The CI outputs (JUnit XML, the summary line, mmn run DIR) and the HTML/SVG report. */
class ReportsTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    static Result mmn(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** A directory with a coherent script, a violating one (in a subdirectory) and one with a typo. */
    private Path mixedDir() throws Exception {
        Path d = dir.resolve("scripts");
        Files.createDirectories(d.resolve("sub"));
        Files.copy(Run.SCRIPTS.resolve("tour.mmn"), d.resolve("a-tour.mmn"));
        Files.copy(Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn"), d.resolve("sub/b-bug.mmn"));
        Files.copy(Run.SCRIPTS.resolve("explore/start-only-munmap.mmn"), d.resolve("sub/c-explore.mmn"));
        Files.writeString(d.resolve("d-typo.mmn"), "spcae A\n");
        Files.writeString(d.resolve("notes.txt"), "not a script\n");
        return d;
    }

    @Test
    void runDirRunsEveryScriptUnderItAndEndsWithTheSummaryLine() throws Exception {
        Result r = mmn("run", mixedDir() + "/");
        assertEquals(2, r.code(), r.err()); // the worst: a script error
        String[] lines = r.out().strip().split("\n");
        String last = lines[lines.length - 1];
        Matcher m = Pattern.compile("^4 files, 4 expectations held, 0 failed, 1 violations, 0 inconclusive, 1 errors, \\d+\\.\\d s$").matcher(last);
        assertTrue(m.matches(), last);
        // in path order: a-tour, d-typo, sub/b-bug, sub/c-explore
        assertTrue(r.out().indexOf("a-tour.mmn: ok") < r.out().indexOf("b-bug.mmn: FAILED"), r.out());
    }

    @Test
    void junitXmlIsValidAndHasATestcasePerExpectationExploreAndViolation() throws Exception {
        Path xml = dir.resolve("out/junit.xml");
        mmn("-q", "--junit", xml.toString(), "run", mixedDir().toString());
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
                .newSchema(new StreamSource(ReportsTest.class.getResourceAsStream("/junit.xsd")))
                .newValidator().validate(new StreamSource(xml.toFile()));
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element root = doc.getDocumentElement();
        assertEquals("testsuites", root.getTagName());
        assertEquals("4", String.valueOf(doc.getElementsByTagName("testsuite").getLength()));
        List<Element> cases = elements(doc.getElementsByTagName("testcase"));
        // tour: 3 expectations; bug: 1 violation; explore: 1; typo: 1 error
        assertEquals(6, cases.size());
        assertEquals("6", root.getAttribute("tests"));
        assertEquals("1", root.getAttribute("failures"));
        assertEquals("1", root.getAttribute("errors"));
        Element failure = (Element) doc.getElementsByTagName("failure").item(0);
        Element bug = (Element) failure.getParentNode();
        assertTrue(bug.getAttribute("file").endsWith("sub/b-bug.mmn"), bug.getAttribute("file"));
        assertEquals("15", bug.getAttribute("line"));
        assertEquals("use-after-free", failure.getAttribute("type"));
        assertTrue(failure.getTextContent().contains("b-bug.mmn:15:1: violation use-after-free on gpu"), failure.getTextContent());
        Element error = (Element) doc.getElementsByTagName("error").item(0);
        assertTrue(error.getAttribute("message").contains("d-typo.mmn:1:1: error"), error.getAttribute("message"));
        assertTrue(cases.stream().anyMatch(c -> c.getAttribute("name").startsWith("line 16: explore {") && !c.hasChildNodes()));
    }

    @Test
    void anInconclusiveExploreIsAnErrorNotAPass() throws Exception {
        Path xml = dir.resolve("j.xml");
        Result r = mmn("--max-states", "5", "--junit", xml.toString(), "run", Run.SCRIPTS.resolve("explore/range-319-munmap.mmn").toString());
        assertTrue(r.out().strip().endsWith(" s") && r.out().contains("0 expectations held, 0 failed, 0 violations, 1 inconclusive"), r.out());
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        Element error = (Element) doc.getElementsByTagName("error").item(0);
        assertEquals("inconclusive", error.getAttribute("type"));
    }

    private static List<Element> elements(NodeList l) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < l.getLength(); i++) out.add((Element) l.item(i));
        return out;
    }

    @Test
    void reportDrawsTheViolatingAccessAndTheFreedFrameAndFetchesNothing() throws Exception {
        Path trace = dir.resolve("t.json");
        Path html = dir.resolve("r.html");
        assertEquals(1, mmn("-q", "--trace", trace.toString(), "run", Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn").toString()).code());
        assertEquals(0, mmn("report", trace.toString(), "-o", html.toString()).code());
        String page = Files.readString(html);
        // the gpu's read at phase start, drawn as the violating access; the free of pfn 6 as the freed frame
        Matcher access = Pattern.compile("<g class=\"ev kind-access ev-violating\"[^>]*data-text=\"gpu read 0x400000: OK pfn 6 \\(walk\\)\"").matcher(page);
        assertTrue(access.find(), "violating access not drawn");
        assertTrue(page.contains("<g class=\"ev kind-free ev-freed\""), "freed frame not drawn");
        assertTrue(page.contains("data-site=\"unmap_vmas:invalidate_range_start — mm/memory.c unmap_vmas -&gt; mmu_notifier_invalidate_range_start\""),
                "hooks carry their call site");
        // self-contained: no external script, style, image or font
        assertFalse(Pattern.compile("(src|href)\\s*=\\s*\"(https?:)?//").matcher(page).find(), "the page fetches something");
        assertFalse(page.contains("@import") || page.contains("url(http"), "the page fetches something");
        // the same from --report in one go, and an SVG
        Path svg = dir.resolve("r.svg");
        assertEquals(1, mmn("-q", "--report", svg.toString(), "run", Run.SCRIPTS.resolve("claims/bug-start-only-unexpected.mmn").toString()).code());
        String s = Files.readString(svg);
        assertTrue(s.startsWith("<?xml") && s.contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && s.contains("ev-violating"), s.substring(0, 200));
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile()); // well-formed XML
    }

    @Test
    void aCounterexampleDiagramLabelsItsStepsAndMarksTheDriversStaleInstall() throws Exception {
        Path html = dir.resolve("x.html");
        assertEquals(0, mmn("-q", "--report", html.toString(), "run", Run.SCRIPTS.resolve("explore/mirror-interval-no-retry-munmap.mmn").toString()).code());
        String page = Files.readString(html);
        // the fault path's install after the munmap freed the frame: the step that went wrong
        Matcher install = Pattern.compile("<g class=\"ev kind-fault ev-violating\"[^>]*data-text=\"gpu fault#1 0x400000 read install: ran \\(0x400000 -&gt; pfn 6 rw\\)\"").matcher(page);
        assertTrue(install.find(), "the install is not drawn as the violating step");
        assertTrue(page.contains(">12. T1 dma gpu A 0x400000 read [install]<"), "steps are labelled in the gutter");
        assertTrue(page.contains("<g class=\"ev kind-free ev-freed\""));
    }

    @Test
    void aTraceThatIsNotOneIsAUsageError() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"hello\": 1}");
        Result r = mmn("report", bad.toString(), "-o", dir.resolve("x.html").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("version 0 trace") || r.err().contains("not an mmn trace"), r.err());
        assertEquals(2, mmn("report", bad.toString()).code());
    }

    /** A trace of {@code n} events in statements of 20, the last statement with a violation. */
    static TraceDoc bigTrace(int n) {
        List<TraceDoc.Event> evs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            int st = (i - 1) / 20 + 1;
            TraceDoc.At at = new TraceDoc.At("big.mmn", st, 1);
            boolean last = i == n;
            evs.add(last ? new TraceDoc.Event(i, "violation", st, at, "munmap", "free", null, null, null, "gpu", null, null, null, null, 6, 1, null,
                    "use-after-free", "gpu.atc[0x400000 -> pfn 6 gen 1 rw]", "frame 6 was freed while gpu.atc still translates it", null, null,
                    "violation use-after-free on gpu")
                    : i % 3 == 0 ? new TraceDoc.Event(i, "hook", st, at, "munmap", "start", "invalidate_range_start", "unmap_vmas:invalidate_range_start",
                    "mm/memory.c unmap_vmas -> mmu_notifier_invalidate_range_start", null, "A", new TraceDoc.AddrRange("0x400000", "0x401000", null), null, null, null, null, null, null, null, null, null, null,
                    "invalidate_range_start [0x400000, 0x401000)")
                    : new TraceDoc.Event(i, "access", st, at, "munmap", "start", null, null, null, "gpu", "A", null, "0x400000", false, 6, 1, "atc",
                    "ok", null, null, null, null, "gpu read 0x400000: OK pfn 6 (atc)"));
        }
        TraceDoc.FileRun f = new TraceDoc.FileRun("big.mmn", "linux-3.19", 0, "violation", 1, null, evs, List.of(), List.of());
        return mmn.report.TraceDocs.of(List.of(f));
    }

    @Test
    void tenThousandEventsRenderWellUnderTwoSeconds() {
        TraceDoc doc = bigTrace(10_000);
        HtmlReport.html(doc); // warm up the JIT
        // CPU time of this thread, not wall time: the test machine runs other builds (wall is printed)
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long c0 = cpu.getCurrentThreadCpuTime(), t0 = System.nanoTime();
        String page = HtmlReport.html(doc);
        double s = (cpu.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.printf("ReportsTest: 10,000 events rendered in %.3f s CPU (%.3f s wall)%n", s, (System.nanoTime() - t0) / 1e9);
        assertTrue(s < 2.0, "rendering took " + s + " s of CPU");
        // statements without findings are collapsed; the one with the violation is open and drawn
        assertEquals(500, page.split("<details class=\"stmt\"", -1).length - 1);
        assertEquals(1, page.split("<details class=\"stmt\" open>", -1).length - 1);
        assertTrue(page.contains("ev-violation"));
    }
}
