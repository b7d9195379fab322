package mmn.engine.explore;

import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.device.DriverDevice;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A mirror access stepped by the explorer: its fault is found by owner, and survives being finished by a callback. */
class FaultPathActionTest {
    private static final long BASE = 0x400000;

    private static World world() {
        World w = new World(Profiles.LINUX_6_8);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 0x10000), Vma.READ | Vma.WRITE, null, false, false, false);
        w.bind(w.createMirrorDevice("gpu", 0), a);
        w.register("dmirror", a, w.device("gpu"), "interval");
        w.beginStatement("setup");
        w.touch(a, BASE, true);
        w.touch(a, BASE + 0x1000, true);
        w.endStatement();
        return w;
    }

    private static FaultPathAction read(long va, int owner) {
        return new FaultPathAction("dma gpu A read", "gpu", "A", va, false, ((DriverDevice) world().device("gpu")).faultSteps(), owner);
    }

    @Test
    void aFaultFinishedByTheInvalidateCallbackLeavesTheAccessToRun() {
        World w = world();
        FaultPathAction t1 = read(BASE, 1);
        w.beginStatement("explore");
        int stage = 0;
        // lookup, read_begin, hmm_range_fault, lock: the fault now holds the driver lock
        for (int i = 0; i < 4; i++) stage = t1.step(w, stage);
        DriverDevice gpu = (DriverDevice) w.device("gpu");
        int id = gpu.faultOwnedBy(1);
        assertTrue(id != 0 && gpu.lockHolder() == id);
        // munmap of another page: the interval callback needs the lock, so it runs the holder to its end
        w.munmap(w.space("A"), new Range(BASE + 0x1000, BASE + 0x2000), PhaseListener.NONE);
        assertEquals(0, gpu.faultOwnedBy(1), "the callback finished the fault");
        assertTrue(t1.enabled(w, stage), "the access is not stuck waiting for a fault that is over");
        assertEquals(t1.steps(), t1.step(w, stage));
        assertTrue(w.endStatement().isEmpty());
        assertEquals(1, gpu.faults(), "the access hit the entry its finished fault installed");
    }

    @Test
    void twoAccessesToOnePageEachStepTheirOwnFault() {
        World w = world();
        FaultPathAction t1 = read(BASE, 1);
        FaultPathAction t2 = read(BASE, 2);
        w.beginStatement("explore");
        int s1 = t1.step(w, 0);
        int s2 = t2.step(w, 0);
        DriverDevice gpu = (DriverDevice) w.device("gpu");
        int f1 = gpu.faultOwnedBy(1);
        int f2 = gpu.faultOwnedBy(2);
        assertTrue(f1 != 0 && f2 != 0 && f1 != f2);
        s2 = t2.step(w, s2); // T2's read_begin moves T2's fault only
        assertEquals(0, gpu.faultsInFlight().stream().filter(f -> f.id() == f1).findFirst().orElseThrow().nextStepIndex());
        assertEquals(1, gpu.faultsInFlight().stream().filter(f -> f.id() == f2).findFirst().orElseThrow().nextStepIndex());
        while (s1 < t1.steps()) s1 = t1.step(w, s1);
        while (s2 < t2.steps()) if (t2.enabled(w, s2)) s2 = t2.step(w, s2);
        assertTrue(w.endStatement().isEmpty());
    }
}
