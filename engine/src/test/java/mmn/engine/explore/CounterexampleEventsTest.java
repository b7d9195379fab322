package mmn.engine.explore;

import static mmn.engine.explore.Scenarios.BASE;
import static mmn.engine.explore.Scenarios.dma;
import static mmn.engine.explore.Scenarios.thread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.profile.Profiles;
import org.junit.jupiter.api.Test;

/**
 * A counterexample's recorded events are numbered as the explored world's trace would
 * number them, whichever worker recorded it and whatever that worker ran before: the
 * same script gives the same trace, byte for byte, with one worker or several.
 */
class CounterexampleEventsTest {
    private static List<Integer> seqs(Result r) {
        List<Integer> out = new ArrayList<>();
        for (Counterexample.Step s : r.counterexample().steps())
            for (Trace.Event e : s.events()) out.add(e.seq());
        return out;
    }

    /** An explorer worker's fresh world restored to the explored world's snapshot numbers events as that world would. */
    @Test
    void aFreshWorldRestoredToASnapshotContinuesItsNumbering() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "range", 2);
        World fresh = new World();
        fresh.restore(w.snapshot());
        assertEquals(w.trace().size(), fresh.trace().size());
        fresh.beginStatement("touch");
        fresh.touch(fresh.space("A"), BASE, true);
        fresh.endStatement();
        assertEquals(w.trace().size() + 1, fresh.trace().events().get(0).seq(), "the first event after the restore");
    }

    @Test
    void eventsContinueTheWorldsTraceWithAnyNumberOfWorkers() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "start-only", 2);
        int traceSize = w.trace().size();
        OpProgram op = Scenarios.munmap(BASE, 8192);
        List<List<Action>> ths = List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE + 4096, false), dma(BASE, true)));
        List<Integer> one = seqs(Explorer.explore(w, op, ths, Bounds.defaults().withThreads(1)));
        assertFalse(one.isEmpty(), "the counterexample records events");
        assertEquals(traceSize + 1, (int) one.get(0), "first recorded event: " + one);
        for (int i = 1; i < one.size(); i++) assertEquals(one.get(i - 1) + 1, (int) one.get(i), "consecutive: " + one);
        for (int run = 0; run < 3; run++)
            assertEquals(one, seqs(Explorer.explore(w, op, ths, Bounds.defaults().withThreads(2))), "two workers, run " + run);
    }
}
