package mmn.engine.explore;

import mmn.engine.EngineException;
import mmn.engine.World;
import mmn.engine.mem.Pte;
import mmn.engine.profile.Profiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A device write that breaks COW races the CPU's write fault (`cow`): every interleaving
 * is explored, none refused. Before the fault starts, the CPU finds the PTE writable and
 * only marks it dirty (handle_pte_fault); between the copy and the PTL, wp_page_copy
 * finds the PTE changed (!pte_same) and drops its copy.
 */
class CowRaceTest {
    private static final long BASE = Scenarios.BASE;

    private static List<List<Action>> deviceWrite() {
        return List.of(List.of(new AtsAccessAction("dma gpu A 0x400000 write", "gpu", "A", BASE, true, 1)));
    }

    @Test
    void everyInterleavingOfCowWithADeviceWriteIsExploredAndAgreesWithBruteForce() {
        World w = Scenarios.forked(Profiles.LINUX_3_19, "range", 1);
        OpProgram cow = Scenarios.cow(BASE);
        BruteForce.Outcome truth = BruteForce.enumerate(w, cow, deviceWrite(), 40, 100_000);
        assertEquals(-1, truth.shortestViolation());
        for (int workers = 1; workers <= 2; workers++) {
            for (Reductions r : OraclePropertiesTest.settings()) {
                OraclePropertiesTest.agree("cow vs device write", w, cow, deviceWrite(), truth,
                        Bounds.defaults().withThreads(workers).withReductions(r));
            }
        }
        Set<Replayer.Key> ends = new HashSet<>();
        Result r = Explorer.explore(w, cow, deviceWrite(), Bounds.defaults().withThreads(1), ends);
        assertEquals(Verdict.COHERENT, r.verdict(), r.render());
        // the device first, the CPU first, and the device inside the copy window end differently
        assertTrue(ends.size() >= 3, ends.size() + " end states\n" + r.render());
    }

    /** wp_page_copy: the device's write resolves the fault while the CPU copies; the CPU's copy is dropped, not mapped over it. */
    @Test
    void aCopyWhosePteChangedUnderItIsDropped() {
        World w = Scenarios.forked(Profiles.LINUX_3_19, "range", 1);
        var a = w.space("A");
        int shared = Pte.pfn(a.pageTable().get(BASE));
        int usedBefore = w.memory().usedFrames();
        w.beginStatement("race");
        w.cow(a, BASE, phase -> {
            if (phase.equals("copy")) w.dma(w.device("gpu"), a, BASE, true); // the device breaks COW in the window
        });
        List<mmn.engine.check.Violation> v = w.endStatement();
        assertTrue(v.isEmpty(), v.toString());
        long pte = a.pageTable().get(BASE);
        assertTrue(Pte.writable(pte), Pte.describe(pte));
        int mine = Pte.pfn(pte);
        assertTrue(mine != shared, "A has its own page");
        // one new frame (the device's copy); the CPU's copy was freed
        assertEquals(usedBefore + 1, w.memory().usedFrames());
        assertEquals(shared, Pte.pfn(w.space("B").pageTable().get(BASE)), "B keeps the shared page");
    }

    /** A script that asks for a cow of a writable page is still told so: the precondition holds in the initial world or it is an error. */
    @Test
    void aCowOfAWritablePageInTheInitialWorldIsStillAScriptError() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "range", 1);
        EngineException e = assertThrows(EngineException.class,
                () -> Explorer.explore(w, Scenarios.cow(BASE), deviceWrite(), Bounds.defaults().withThreads(1)));
        assertTrue(e.getMessage().contains("nothing to copy"), e.getMessage());
    }
}
