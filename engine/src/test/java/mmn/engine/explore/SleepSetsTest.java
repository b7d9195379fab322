package mmn.engine.explore;

import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import static mmn.engine.explore.Scenarios.BASE;
import static mmn.engine.explore.Scenarios.thread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The sleep sets' independence: which steps are quiet, and that skipping them keeps every state. */
class SleepSetsTest {
    /**
     * Accesses to pages nobody maps any more are quiet at every step (a walk that finds no
     * PTE, a request refused for want of a VMA, the INVALID answer received): each writes
     * only its own page request. Three such accesses against an mprotect elsewhere: sleep
     * sets skip transitions (2144 -> 1991 here: the operation's steps, dependent with
     * everything, wake every sleeper) and keep every state, every depth and the verdict.
     * None of these steps reads a TLB hit, so without the private kind of quiet step
     * nothing would be skipped.
     */
    /** gpu's access to page i of A, stepped as the interpreter makes it (walk, handle_mm_fault, retry). */
    private static Action access(int page, boolean write, int owner) {
        long va = BASE + page * Addr.PAGE_SIZE;
        return new AtsAccessAction("dma gpu A " + Addr.hex(va) + (write ? " write" : " read"), "gpu", "A", va, write, owner);
    }

    @Test
    void accessesToUnmappedPagesCommute() {
        World w = Scenarios.world(Profiles.LINUX_6_8, "range", 3);
        w.beginStatement("munmap");
        w.munmap(w.space("A"), new Range(BASE + 8 * Addr.PAGE_SIZE, BASE + 12 * Addr.PAGE_SIZE), PhaseListener.NONE);
        w.endStatement();
        Range elsewhere = new Range(BASE, BASE + 2 * Addr.PAGE_SIZE);
        OpProgram op = OpProgram.stepped((x, l) -> x.mprotect(x.space("A"), elsewhere, Vma.READ, l),
                x -> x.mprotectFrame(x.space("A"), elsewhere, Vma.READ));
        List<List<Action>> ths = List.of(thread(access(8, false, 1), access(9, true, 2)), thread(access(10, false, 3)), thread(access(11, true, 4)));
        for (Reductions r : List.of(Reductions.ALL, Reductions.NONE.withSleepSets(true))) {
            Bounds on = Bounds.defaults().withThreads(1).withReductions(r);
            Result with = Explorer.explore(w, op, ths, on);
            Result without = Explorer.explore(w, op, ths, on.withReductions(r.withSleepSets(false)));
            assertEquals(without.verdict(), with.verdict(), r.toString());
            assertEquals(without.stats().distinctStates(), with.stats().distinctStates(), r.toString());
            assertEquals(without.stats().maxDepth(), with.stats().maxDepth(), r.toString());
            assertTrue(with.stats().transitions() < without.stats().transitions(),
                    r + ": " + with.stats().transitions() + " transitions with sleep sets, " + without.stats().transitions() + " without");
        }
    }
}
