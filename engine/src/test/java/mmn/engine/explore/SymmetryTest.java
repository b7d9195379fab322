package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.profile.Profiles;
import static mmn.engine.explore.Scenarios.BASE;
import static mmn.engine.explore.Scenarios.dma;
import static mmn.engine.explore.Scenarios.thread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The symmetry reduction: identical device threads are interchangeable, so states that
 * differ by a permutation of their program counters are merged. Same verdict, same
 * shortest counterexample length, fewer distinct states.
 */
class SymmetryTest {
    /** The same action with symmetry switched off: what the explorer did before the reduction. */
    private static Action asymmetric(Action a) {
        return new Action() {
            @Override public String label() { return a.label(); }
            @Override public void run(World w) { a.run(w); }
        };
    }

    private static List<List<Action>> identicalThreads(int n, boolean symmetric, Action... as) {
        List<Action> t = symmetric ? thread(as) : java.util.Arrays.stream(as).map(SymmetryTest::asymmetric).toList();
        return java.util.Collections.nCopies(n, t);
    }

    private static Result explore(String strategy, List<List<Action>> threads) {
        World w = Scenarios.world(Profiles.LINUX_3_19, strategy, 2);
        return Explorer.explore(w, Scenarios.munmap(BASE, 2 * Addr.PAGE_SIZE), threads, Bounds.defaults().withThreads(1));
    }

    @Test
    void identicalThreadsAreMergedWithTheSameVerdict() {
        Action[] reads = {dma(BASE, false), dma(BASE + Addr.PAGE_SIZE, true)};
        Result sym = explore("range", identicalThreads(3, true, reads));
        Result full = explore("range", identicalThreads(3, false, reads));
        assertEquals(Verdict.COHERENT, full.verdict());
        assertEquals(full.verdict(), sym.verdict());
        assertEquals(full.stats().maxDepth(), sym.stats().maxDepth());
        assertTrue(sym.stats().distinctStates() < full.stats().distinctStates(),
                sym.stats().distinctStates() + " vs " + full.stats().distinctStates());
    }

    @Test
    void theShortestCounterexampleIsAsShort() {
        Result sym = explore("start-only", identicalThreads(2, true, dma(BASE, false)));
        Result full = explore("start-only", identicalThreads(2, false, dma(BASE, false)));
        assertEquals(Verdict.VIOLATION, full.verdict());
        assertEquals(full.verdict(), sym.verdict());
        assertEquals(full.counterexample().steps().size(), sym.counterexample().steps().size());
        assertEquals(full.counterexample().violation().kind(), sym.counterexample().violation().kind());
    }

    @Test
    void threadsThatDifferAreNotMerged() {
        List<List<Action>> different = List.of(thread(dma(BASE, false)), thread(dma(BASE, true)));
        List<List<Action>> differentOff = List.of(thread(asymmetric(dma(BASE, false))), thread(asymmetric(dma(BASE, true))));
        assertEquals(explore("range", differentOff).stats().distinctStates(), explore("range", different).stats().distinctStates());
    }

    /** Identical threads of stepped ats accesses (PRI round trips, owner-tagged page requests), as a script builds them. */
    private static List<List<Action>> steppedReaders(int n, int pages) {
        List<List<Action>> ths = new java.util.ArrayList<>();
        int owner = 0;
        for (int t = 0; t < n; t++) {
            List<Action> as = new java.util.ArrayList<>();
            for (int p = 0; p < pages; p++) {
                long va = BASE + p * Addr.PAGE_SIZE;
                as.add(new AtsAccessAction("dma gpu A " + Addr.hex(va) + " read", "gpu", "A", va, false, ++owner));
            }
            ths.add(as);
        }
        return ths;
    }

    private static Result exploreUntouched(String strategy, List<List<Action>> threads, boolean symmetry) {
        // nothing cached: every read walks, and a miss is a page request in flight, tagged with its owner
        World w = Scenarios.world(Profiles.LINUX_3_19, strategy, 0);
        w.beginStatement("touch");
        for (int p = 0; p < 2; p++) w.touch(w.space("A"), BASE + p * Addr.PAGE_SIZE, true);
        w.endStatement();
        Bounds b = Bounds.defaults().withThreads(1).withReductions(Reductions.ALL.withSymmetry(symmetry));
        return Explorer.explore(w, Scenarios.munmap(BASE, 2 * Addr.PAGE_SIZE), threads, b);
    }

    @Test
    void identicalDmaThreadsAreMergedWithTheirOwnersRenamed() {
        Result sym = exploreUntouched("range", steppedReaders(3, 2), true);
        Result full = exploreUntouched("range", steppedReaders(3, 2), false);
        assertEquals(Verdict.COHERENT, full.verdict(), full.render());
        assertEquals(full.verdict(), sym.verdict());
        assertEquals(full.stats().maxDepth(), sym.stats().maxDepth());
        assertTrue(sym.stats().distinctStates() * 3 < full.stats().distinctStates(),
                sym.stats().distinctStates() + " vs " + full.stats().distinctStates());
    }

    @Test
    void identicalDmaThreadsKeepTheShortestCounterexample() {
        Result sym = exploreUntouched("start-only", steppedReaders(2, 1), true);
        Result full = exploreUntouched("start-only", steppedReaders(2, 1), false);
        assertEquals(Verdict.VIOLATION, full.verdict(), full.render());
        assertEquals(full.counterexample().violation().kind(), sym.counterexample().violation().kind());
        assertEquals(full.counterexample().schedule(), sym.counterexample().schedule());
        assertTrue(sym.stats().distinctStates() < full.stats().distinctStates());
    }
}
