package mmn.polyglot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mmn.matrix.Cell;
import mmn.matrix.Driver;
import mmn.matrix.Matrix;
import mmn.matrix.MatrixResult;
import mmn.matrix.MmnDriver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A driver whose notifier is JavaScript or Python gives the same matrix as the built-in
 * strategy it reimplements: every cell's verdict, kind and counterexample. Few cells
 * (two profiles on either side of the invalidate_range series, two operations) and one
 * context per language for the whole class, as Python takes seconds to start.
 */
class MatrixDriverTest {
    static final String ATS = "device gpu ats { atc 64; walk-cache on; pri retries 8 }";
    static Shared.Guest js;
    static Shared.Guest py;

    @BeforeAll
    static void contexts() {
        js = new Shared.Guest("js");
        py = new Shared.Guest("python");
    }

    @AfterAll
    static void close() {
        js.close();
        py.close();
    }

    /** Guest callbacks run in GraalVM's interpreter (stock JDK 17): a few cells only. */
    static MatrixResult matrix(Driver d, String... ops) {
        return new Matrix().profiles(List.of("linux-3.16", "linux-3.19")).ops(List.of(ops)).mappings(List.of("anon")).run(d, null);
    }

    static MatrixResult builtin(String strategy, String... ops) {
        return matrix(MmnDriver.of(strategy + ".mmn", ATS + "\nnotifier n for gpu uses " + strategy + "\n"), ops);
    }

    static void assertSameCells(MatrixResult want, MatrixResult got) {
        assertEquals(want.cells().size(), got.cells().size());
        for (int i = 0; i < want.cells().size(); i++) {
            Cell w = want.cells().get(i), g = got.cells().get(i);
            String at = w.profile() + " " + w.op() + " " + w.mapping().label;
            assertEquals(w.status(), g.status(), at);
            assertEquals(w.kind(), g.kind(), at);
            assertEquals(w.steps(), g.steps(), at);
            assertEquals(w.counterexample(), g.counterexample(), at);
        }
    }

    @Test
    void aJavaScriptRangeDriverGivesTheRangeStrategysMatrix() {
        js.eval("mmn.driver('" + ATS + "', 'js-range', { range(ctx, r) { ctx.flush('gpu', r); } }, {state: {}})");
        Driver d = js.mmn.registeredDriver();
        assertNotNull(d);
        MatrixResult got = matrix(d, "munmap", "mprotect");
        assertSameCells(builtin("range", "munmap", "mprotect"), got);
        // and the matrix shows something: 3.16 has no invalidate_range, 3.19 calls it
        assertEquals(Cell.Status.VIOLATION, got.cell("linux-3.16", "munmap", mmn.matrix.Mapping.ANON).status());
        assertEquals(Cell.Status.COHERENT, got.cell("linux-3.19", "munmap", mmn.matrix.Mapping.ANON).status());
    }

    @Test
    void aPythonStartOnlyDriverGivesTheStartOnlyStrategysMatrix() {
        py.eval("def start(ctx, r):\n    ctx.flush(ctx.device, r)\n\nmmn.driver('" + ATS + "', 'py-start-only', {'start': start}, {'state': {}})\n");
        MatrixResult got = matrix(py.mmn.registeredDriver(), "munmap");
        assertSameCells(builtin("start-only", "munmap"), got);
        assertEquals("use-after-free", got.cell("linux-3.19", "munmap", mmn.matrix.Mapping.ANON).kind());
    }

    @Test
    void aJavaScriptCallbackThatThrowsIsADriverErrorWithTheGuestsMessageAndLine() {
        js.eval("mmn.driver('" + ATS + "', 'js-bad', {\n  range(ctx, r) {\n    throw new Error('no IOMMU domain');\n  }\n}, {state: {}})", "bad.js");
        MatrixResult got = matrix(js.mmn.registeredDriver(), "munmap");
        Cell c = got.cell("linux-3.19", "munmap", mmn.matrix.Mapping.ANON);
        assertEquals(Cell.Status.DRIVER_ERROR, c.status(), c.toString());
        assertTrue(c.headline().contains("no IOMMU domain") && c.headline().contains("(bad.js:3)"), c.headline());
        // linux-3.16 never calls invalidate_range: the callback never runs there, and the cell is range's
        assertEquals(Cell.Status.VIOLATION, got.cell("linux-3.16", "munmap", mmn.matrix.Mapping.ANON).status());
        assertEquals(2, got.exitCode(), "a script error in the driver: exit 2, not 4 (internal) nor 1");
    }

    @Test
    void aPythonCallbackThatRaisesIsADriverErrorWithTheGuestsMessageAndLine() {
        py.eval("def start(ctx, r):\n    raise ValueError('device gone')\n\nmmn.driver('" + ATS + "', 'py-bad', {'start': start}, {'state': {}})\n", "bad.py");
        MatrixResult got = matrix(py.mmn.registeredDriver(), "munmap");
        for (Cell c : got.cells()) {
            assertEquals(Cell.Status.DRIVER_ERROR, c.status(), c.toString());
            assertTrue(c.headline().contains("device gone") && c.headline().contains("bad.py:2"), c.headline());
        }
    }

    @Test
    void aDriverFileWhoseCallbackThrowsExitsTwoAndSaysWhere() throws Exception {
        java.nio.file.Path f = java.nio.file.Files.createTempFile("bad-driver", ".js");
        try {
            java.nio.file.Files.writeString(f, "mmn.driver('" + ATS + "', 'js-bad', {\n  range(ctx, r) {\n    throw new Error('no IOMMU domain');\n  },\n}, {state: {}});\n");
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int rc = Main.matrix(Shared.ENGINE, List.of(f.toString(), "--profiles", "linux-3.16,linux-3.19", "--ops", "munmap", "--mapping", "anon"),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
            String o = out.toString(StandardCharsets.UTF_8);
            assertEquals(2, rc, o + err.toString(StandardCharsets.UTF_8));
            assertTrue(o.contains("driver error"), o);
            assertTrue(o.contains("no IOMMU domain (" + f.getFileName() + ":3)") || o.contains("no IOMMU domain (" + f + ":3)"), o);
            assertTrue(o.contains("1 violations") && o.contains("1 driver errors"), o);
        } finally {
            java.nio.file.Files.deleteIfExists(f);
        }
    }

    @Test
    void theExampleDriverFileRunsAsMmnMatrixDoes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = Main.matrix(Shared.ENGINE, List.of("../scripts/polyglot/matrix-driver.js", "--profiles", "linux-3.19", "--ops", "munmap", "--mapping", "anon"),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        String o = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, o + err.toString(StandardCharsets.UTF_8));
        assertTrue(o.startsWith("matrix of ../scripts/polyglot/matrix-driver.js (device gpu)"), o);
        assertTrue(o.contains("1 cells: 1 coherent"), o);
    }
}
