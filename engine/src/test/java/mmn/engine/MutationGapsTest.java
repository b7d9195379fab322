package mmn.engine;

import static mmn.engine.OpsTestSupport.warmed;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.profile.Profiles;
import org.junit.jupiter.api.Test;

/**
 * Holes a hand mutation check found: each test here fails when one line of the engine
 * is broken as its comment says, where every other test still passed (the mutations
 * are listed in the test's javadoc; docs: /work/notes/housetests.md).
 */
class MutationGapsTest {
    /**
     * Mutation: Checker.deviceUsed counts a write as lost only behind a migration entry
     * (the swap half of {@code copyingOut} dropped). After reclaim's pageout the swap
     * slot holds the data the process will read back; a device write through a stale
     * entry into the old frame after that is lost, as after migrate's copy. Before the
     * pageout the same write is written out with the page.
     */
    @Test
    void aWriteThroughAStaleEntryAfterThePageoutIsLost() {
        // 3.19 reclaim fires invalidate_page only, which start-only ignores: the device keeps its rw entry
        Rig t = aged("start-only");
        t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), Rig.after("writeback", () -> t.w.dma(t.gpu, t.a, BASE, true))));
        List<Violation> lost = t.of(ViolationKind.LOST_WRITE);
        assertEquals(1, lost.size(), t.found.toString());
        assertEquals("writeback", lost.get(0).phase());
        assertTrue(lost.get(0).why().contains("swap"), lost.get(0).why());

        Rig u = aged("start-only");
        u.stmt("reclaim", () -> u.w.reclaim(u.a, r(BASE, Addr.PAGE_SIZE), Rig.after("flush", () -> u.w.dma(u.gpu, u.a, BASE, true))));
        assertTrue(u.of(ViolationKind.LOST_WRITE).isEmpty(), u.found.toString());
    }

    /**
     * Mutation: mprotect under 6.x (where do_mprotect_pkey gathers, mprotectGathers)
     * fires the device's invalidation for the gathered range but skips the CPU's own
     * flush of it. Only a lucky seed of RandomWorkloadPropertiesTest caught that; here
     * a CPU that wrote the page keeps no writable TLB entry once the page is read-only.
     */
    @Test
    void mprotectFlushesTheCpuTlbOfTheGatheredRangeUnder6x() {
        for (var p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = new Rig(p, "range", 8);
            t.touchAll(BASE, 2);
            t.stmt("mprotect", () -> t.w.mprotect(t.a, r(BASE, 2 * Addr.PAGE_SIZE), mmn.engine.mem.Vma.READ, PhaseListener.NONE));
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
            assertThrows(EngineException.class, () -> t.stmt("touch", () -> t.w.touch(t.a, BASE, true)), p.name() + ": a write to the read-only page faults");
        }
    }

    /** A page the device and the CPU wrote, then aged so reclaim's young test lets it go. */
    private static Rig aged(String strategy) {
        Rig t = warmed(Profiles.LINUX_3_19, strategy, 1);
        t.stmt("age", () -> t.w.age(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        return t;
    }
}
