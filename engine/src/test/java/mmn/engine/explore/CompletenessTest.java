package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Programs whose only violation needs a particular class of schedules, so that a search
 * that skips that class answers "coherent" and fails here (a test expecting coherent
 * cannot notice a search that skips schedules). Each is also checked against brute force.
 */
class CompletenessTest {
    private static final long BASE = 0x400000;

    /** linux-3.19, space A with four untouched pages, an ats device gpu bound to it under the strategy. */
    private static World untouched(String strategy) {
        World w = new World(Profiles.LINUX_3_19);
        w.setMemory(1L << 20);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 4 * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        var gpu = w.createAtsDevice("gpu", 8, false, 4);
        w.bind(gpu, a);
        w.register("n1", a, gpu, strategy);
        return w;
    }

    private static OpProgram munmapOnePage() {
        return (x, l) -> x.munmap(x.space("A"), new Range(BASE, BASE + Addr.PAGE_SIZE), l);
    }

    /**
     * munmap under linux-3.19's start-only strategy, of a page nobody has touched, against
     * one ats thread reading it twice. A violation needs the device to cache the page
     * after munmap's start flushed the ATC, from a PTE that is still present; but nobody
     * has touched the page, and once munmap holds the mmap write lock a page request
     * waits until it returns. So the first read must have its page request handled
     * (walk, handle_mm_fault) before munmap's first step: only schedules in which the
     * device steps before the operation starts reach a violation (the shortest: the
     * retry's walk refills the ATC inside the window; the entry outlives the free).
     */
    @Test
    void aViolationThatNeedsDeviceOpsBeforeTheOperationStartsIsFound() {
        World w = untouched("start-only");
        OpProgram op = munmapOnePage();
        List<List<Action>> ths = List.of(List.of(
                new AtsAccessAction("dma gpu A 0x400000 read", "gpu", "A", BASE, false, 1),
                new AtsAccessAction("dma gpu A 0x400000 read", "gpu", "A", BASE, false, 2)));

        BruteForce.Outcome truth = BruteForce.enumerate(w, op, ths, 40, 100_000);
        assertTrue(truth.shortestViolation() > 0, "brute force finds the use-after-free");
        for (int workers = 1; workers <= 2; workers++) {
            for (Reductions r : OraclePropertiesTest.settings()) {
                Bounds b = Bounds.defaults().withThreads(workers).withReductions(r);
                Result res = Explorer.explore(w, op, ths, b);
                assertEquals(Verdict.VIOLATION, res.verdict(), res.render());
                assertTrue(truth.kindsAtShortest().contains(res.counterexample().violation().kind()), res.render());
                assertEquals(truth.shortestViolation(), OraclePropertiesTest.length(res.counterexample()), res.render());
                // the first read's page request is handled before munmap's first step
                List<String> who = res.counterexample().schedule();
                assertEquals(List.of("T1", "T1", "op"), who.subList(0, 3), res.render());
                assertTrue(res.counterexample().steps().get(1).label().endsWith("[handle_mm_fault]"), res.render());
                OraclePropertiesTest.agree("start-only, untouched page", w, op, ths, truth, b);
            }
        }
    }

    /** The same program under `range`: coherent, and every end state brute force reaches is reached. */
    @Test
    void everyEndStateIsReached() {
        World w = untouched("range");
        OpProgram op = munmapOnePage();
        List<List<Action>> ths = List.of(List.of(new AtsAccessAction("dma gpu A 0x400000 write", "gpu", "A", BASE, true, 1)));
        BruteForce.Outcome truth = BruteForce.enumerate(w, op, ths, 40, 100_000);
        assertEquals(-1, truth.shortestViolation());
        // the write before munmap (the page is faulted in, then freed) and after (answered INVALID) end differently
        assertTrue(truth.exactEnds().size() >= 2, truth.exactEnds().toString());
        Set<Replayer.Key> ends = new HashSet<>();
        Result r = Explorer.explore(w, op, ths, Bounds.defaults().withThreads(1).withReductions(Reductions.ALL), ends);
        assertEquals(Verdict.COHERENT, r.verdict(), r.render());
        assertEquals(truth.endStates(true), ends);
    }
}
