package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mmn.matrix.Atlas;
import mmn.matrix.Cell;
import mmn.matrix.Mapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * docs/atlas.md is what the built-in strategies' matrices give today: regenerated here,
 * compared byte for byte ({@code -Dmmn.atlas=check}; {@code -Dmmn.atlas=write} rewrites
 * it). Also holds the cells the page's hand-written explanations rely on (the seed's
 * three claims, and why each disagreement is what the kernel does or where the model
 * falls short), so a model change that breaks one fails here even if the page is
 * rewritten. Not in every verify: the eight strategies' 2,560 cells cost about 160 s of
 * CPU (empty-pt's 20-step counterexamples and kvm's fault paths half of it), more than a
 * core for a minute and a half on the CI's two.
 */
@EnabledIfSystemProperty(named = "mmn.atlas", matches = "check|write")
class AtlasTest {
    static final Path DOC = Run.SCRIPTS.getParent().resolve("docs/atlas.md");

    @Test
    void theAtlasIsCurrentAndAgreesWithTheSeed() throws Exception {
        Atlas a = Atlas.build(Run.SCRIPTS.resolve("drivers"), Runtime.getRuntime().availableProcessors(), null);
        String text = a.render();
        if ("write".equals(System.getProperty("mmn.atlas"))) Files.writeString(DOC, text, StandardCharsets.UTF_8);
        assertEquals(Files.readString(DOC, StandardCharsets.UTF_8), text,
                "docs/atlas.md is stale: rerun with -Dmmn.atlas=write (see the comment at its top)");

        // 1. empty-pt: a page-table page freed under munmap with no hook fails the walk cache; the workload frees one
        // only where munmap empties the whole VMA (THP), on every kernel (the pre-series driver has no invalidate_range)
        for (String p : a.result("empty-pt").profiles()) {
            Cell thp = a.result("empty-pt").cell(p, "munmap", Mapping.THP);
            assertEquals("stale-walk-cache", thp.kind(), thp.toString());
        }
        for (Mapping m : new Mapping[] {Mapping.ANON, Mapping.FILE, Mapping.HUGETLB})
            assertEquals(Cell.Status.COHERENT, a.result("empty-pt").cell("linux-3.16", "munmap", m).status(), m.label);
        assertEquals("device-failed", a.result("empty-pt").cell("linux-3.16", "dontneed", Mapping.ANON).kind());
        // 2. range: from 3.19 on, no cell has a violation (6.8 mprotect of a THP was one, the model's: it gathered the
        // huge PTE as one 4K page; scripts/bugs/mprotect-thp-68.mmn); on 3.16 some do
        for (Cell c : a.result("range").cells()) {
            if (c.profile().equals("linux-3.16")) continue;
            assertTrue(c.status() == Cell.Status.COHERENT || c.status() == Cell.Status.NOT_APPLICABLE, c.toString());
        }
        assertEquals(Cell.Status.VIOLATION, a.result("range").cell("linux-3.16", "munmap", Mapping.ANON).status());
        // 3. start-only: every coherent cell of an operation that may free pages has its reason written in the page
        for (Cell c : a.result("start-only").cells())
            if (Atlas.freesPages(c.op()) && c.status() != Cell.Status.VIOLATION && c.status() != Cell.Status.NOT_APPLICABLE)
                assertTrue(Atlas.whyNoFree(c) != null, "no reason written for " + c);
        // the cells the reasons name: the model's hugetlb limit up to 4.15, the young test up to 4.15, the 4.15 OOM skip
        for (String p : new String[] {"linux-3.16", "linux-3.19", "linux-4.15"}) {
            assertEquals(Cell.Status.COHERENT, a.result("start-only").cell(p, "munmap", Mapping.HUGETLB).status(), p);
            assertEquals(Cell.Status.COHERENT, a.result("start-only").cell(p, "reclaim", Mapping.ANON).status(), p);
        }
        for (String p : new String[] {"linux-6.5", "linux-6.8"}) {
            assertEquals("use-after-free", a.result("start-only").cell(p, "munmap", Mapping.HUGETLB).kind(), p);
            assertEquals("use-after-free", a.result("start-only").cell(p, "reclaim", Mapping.ANON).kind(), p);
            assertEquals("use-after-free", a.result("start-only").cell(p, "oom-reap", Mapping.ANON).kind(), p);
        }
        assertEquals(Cell.Status.COHERENT, a.result("start-only").cell("linux-4.15", "oom-reap", Mapping.ANON).status());
        for (Mapping m : Mapping.values()) assertEquals(Cell.Status.VIOLATION, a.result("start-only").cell("linux-6.8", "munmap", m).status(), m.label);
    }
}
