package mmn.engine.explore;

import mmn.engine.Snapshot;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.explore.Scenarios.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** An ats access stepped one actor at a time: the device's walk, the kernel's handle_mm_fault, the device's retry. */
class AtsAccessActionTest {
    private static final Bounds ONE = Bounds.defaults().withThreads(1);
    private static final Bounds TWO = Bounds.defaults().withThreads(2);
    private static final long OTHER = BASE + 4 * Addr.PAGE_SIZE;

    /** Space A with 64K anon; `touched` pages written by the CPU (none in gpu's ATC); gpu (pri retries 8) under `strategy`. */
    private static World world(Profile p, String strategy, int touched) {
        World w = new World(p);
        w.setMemory(1L << 20);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 64 * 1024), Vma.READ | Vma.WRITE, null, false, false, false);
        Device gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("n1", a, gpu, strategy);
        w.beginStatement("setup");
        for (int i = 0; i < touched; i++) w.touch(a, BASE + i * Addr.PAGE_SIZE, true);
        w.endStatement();
        return w;
    }

    private static AtsAccessAction read(long va, int owner) {
        return new AtsAccessAction("dma gpu A " + Addr.hex(va) + " read", "gpu", "A", va, false, owner);
    }

    private static AtsDevice gpu(World w) {
        return (AtsDevice) w.device("gpu");
    }

    @Test
    void aHitIsOneStep() {
        World w = world(Profiles.LINUX_3_19, "range", 1);
        w.beginStatement("setup");
        w.dma(w.device("gpu"), w.space("A"), BASE, false);
        w.endStatement();
        AtsAccessAction t = read(BASE, 1);
        w.beginStatement("explore");
        assertEquals(t.steps(), t.step(w, 0));
        assertTrue(gpu(w).lastAccess().ok());
        assertTrue(gpu(w).pendingRequests().isEmpty());
    }

    @Test
    void munmapBetweenThePageRequestAndItsHandlingMakesItInvalid() {
        World w = world(Profiles.LINUX_3_19, "range", 0);
        AtsAccessAction t = read(BASE, 7);
        w.beginStatement("explore");
        int stage = t.step(w, 0); // the walk finds no PTE: page request sent
        assertEquals(1, stage);
        assertEquals(AtsDevice.AccessStage.REQUESTED, gpu(w).pendingRequests().get(7));
        assertEquals(1, gpu(w).faults());
        // the page request is in the world: a snapshot keeps it, the state hash sees it
        Snapshot snap = w.snapshotMidStatement();
        String withRequest = w.stateHash();
        w.munmap(w.space("A"), new Range(BASE, BASE + 0x1000), PhaseListener.NONE);
        stage = t.step(w, stage); // handle_mm_fault: no VMA any more
        assertEquals(2, stage);
        assertEquals(AtsDevice.AccessStage.ANSWERED, gpu(w).pendingRequests().get(7));
        assertEquals(t.steps(), t.step(w, stage)); // the device receives INVALID: the access ends with an error
        assertEquals(Device.AccessResult.Status.INVALID, gpu(w).lastAccess().status());
        assertTrue(gpu(w).pendingRequests().isEmpty());
        assertFalse(gpu(w).failed());
        assertTrue(w.endStatement().isEmpty());

        World r = new World();
        r.restore(snap);
        assertEquals(AtsDevice.AccessStage.REQUESTED, gpu(r).pendingRequests().get(7));
        assertEquals(withRequest, r.stateHash());
        // without the request the world hashes differently
        World plain = world(Profiles.LINUX_3_19, "range", 0);
        plain.beginStatement("explore");
        assertNotEquals(withRequest, plain.stateHash());
    }

    @Test
    void underEmptyPtAResponseAnsweredBeforeStartIsRetriedInsideTheWindow() {
        // linux-3.16, AMD's empty page table between start and end: the walk faults before
        // munmap starts (the page was never touched), the kernel maps it (SUCCESS); then
        // munmap of another page reaches `start` and the device's retry walks from the
        // empty table: it faults again, on every retry, and fails past its 8 retries
        World w = world(Profiles.LINUX_3_16, "empty-pt", 1);
        AtsAccessAction t = read(OTHER, 3);
        w.beginStatement("explore");
        int[] stage = {t.step(w, 0)};
        assertEquals(1, stage[0]);
        stage[0] = t.step(w, stage[0]); // handled: SUCCESS, the page is now mapped
        assertEquals(2, stage[0]);
        assertTrue(w.space("A").pageTable().get(OTHER) != 0);
        List<String> seen = new java.util.ArrayList<>();
        w.munmap(w.space("A"), new Range(BASE, BASE + 0x1000), phase -> {
            seen.add(phase);
            if (!phase.equals("start")) return;
            // between the response and the retry: start has run, the root is the empty table
            while (stage[0] < t.steps()) {
                assertTrue(t.enabled(w, stage[0]));
                stage[0] = t.step(w, stage[0]);
            }
        });
        assertTrue(seen.contains("start"));
        assertTrue(gpu(w).failed());
        assertEquals(9, gpu(w).faults(), "the first fault plus 8 retries");
        assertEquals(Device.AccessResult.Status.FAILED, gpu(w).lastAccess().status());
        assertTrue(w.violations().stream().anyMatch(v -> v.kind() == ViolationKind.DEVICE_FAILED));
    }

    @Test
    void theScriptedDmaIsUnchanged() {
        // run() is the atomic dma: the same result and fault count as World.dma
        World a = world(Profiles.LINUX_3_19, "range", 0);
        World b = world(Profiles.LINUX_3_19, "range", 0);
        a.beginStatement("dma");
        read(BASE, 1).run(a);
        a.endStatement();
        b.beginStatement("dma");
        Device.AccessResult r = b.dma(b.device("gpu"), b.space("A"), BASE, false);
        b.endStatement();
        assertEquals(r, gpu(a).lastAccess());
        assertEquals(b.stateHash(), a.stateHash());
        // and stepping the whole round trip with nothing in between ends in the same world
        World c = world(Profiles.LINUX_3_19, "range", 0);
        c.beginStatement("dma");
        AtsAccessAction t = read(BASE, 1);
        int s = 0;
        while (s < t.steps()) s = t.step(c, s);
        c.endStatement();
        assertEquals(r, gpu(c).lastAccess());
        assertEquals(b.stateHash(), c.stateHash());
    }

    @Test
    void theHandlerWaitsWhileTheOperationHoldsThePtl() {
        // A forked: its page is write-protected; a device write faults (write request) and
        // the kernel's handling sleeps on the PTL while cow holds it
        World w = world(Profiles.LINUX_3_19, "range", 1);
        w.beginStatement("fork");
        w.fork(w.space("A"), "B", PhaseListener.NONE);
        w.endStatement();
        AtsAccessAction t = new AtsAccessAction("dma gpu A " + Addr.hex(BASE) + " write", "gpu", "A", BASE, true, 1);
        w.beginStatement("explore");
        int[] stage = {t.step(w, 0)};
        assertEquals(1, stage[0]);
        boolean[] waited = {false};
        w.cow(w.space("A"), BASE, phase -> {
            if (w.space("A").ptlHeld()) waited[0] |= !t.enabled(w, stage[0]);
        });
        assertTrue(waited[0], "handle_mm_fault is disabled while cow holds the PTL");
        assertTrue(t.enabled(w, stage[0]));
        while (stage[0] < t.steps()) stage[0] = t.step(w, stage[0]);
        assertTrue(gpu(w).lastAccess().ok(), gpu(w).lastAccess().toString());
        assertTrue(w.endStatement().isEmpty());
    }

    @Test
    void exploreFindsTheEmptyPtRaceUnder316AndRangeIsCoherentUnder319() {
        List<List<Action>> threads = List.of(List.of(read(OTHER, 1)));
        OpProgram munmap = Scenarios.munmap(BASE, 4096);
        Result old = Explorer.explore(world(Profiles.LINUX_3_16, "empty-pt", 1), munmap, threads, ONE);
        assertEquals(Verdict.VIOLATION, old.verdict(), old.render());
        assertEquals(ViolationKind.DEVICE_FAILED, old.counterexample().violation().kind(), old.render());
        // walk, then 9 handle/retry pairs: every retry inside start..end faults again
        long handled = old.counterexample().steps().stream().filter(s -> s.label().endsWith("[handle_mm_fault]")).count();
        assertEquals(9, handled, old.render());

        Result fixed = Explorer.explore(world(Profiles.LINUX_3_19, "range", 1), munmap, threads, ONE);
        assertEquals(Verdict.COHERENT, fixed.verdict(), fixed.render());
        assertNull(fixed.counterexample());

        // the round trip is split: more states than the same access run atomically
        List<List<Action>> atomic = List.of(List.of(Action.of("dma gpu A " + Addr.hex(OTHER) + " read",
                w -> w.dma(w.device("gpu"), w.space("A"), OTHER, false))));
        Result whole = Explorer.explore(world(Profiles.LINUX_3_19, "range", 1), munmap, atomic, ONE);
        assertEquals(Verdict.COHERENT, whole.verdict());
        assertTrue(fixed.stats().distinctStates() > whole.stats().distinctStates(),
                fixed.stats().distinctStates() + " vs " + whole.stats().distinctStates());
    }

    @Test
    void accessesOwnTheirRequestsAndAreSymmetricUpToTheirOwners() {
        // the same access under two owners is interchangeable once the explorer renames owners (SymmetryTest)
        assertEquals(read(BASE, 1).symmetryKey(), read(BASE, 2).symmetryKey());
        assertTrue(!read(BASE, 1).symmetryKey().equals(read(OTHER, 1).symmetryKey()));
        // two identical reads of an untouched page: both threads' requests coexist, keyed by owner
        World w = world(Profiles.LINUX_3_19, "range", 0);
        AtsAccessAction t1 = read(BASE, 1);
        AtsAccessAction t2 = read(BASE, 2);
        w.beginStatement("explore");
        int s1 = t1.step(w, 0);
        int s2 = t2.step(w, 0);
        assertEquals(2, gpu(w).pendingRequests().size());
        s2 = t2.step(w, s2);
        assertEquals(AtsDevice.AccessStage.REQUESTED, gpu(w).pendingRequests().get(1));
        assertEquals(AtsDevice.AccessStage.ANSWERED, gpu(w).pendingRequests().get(2));
        while (s1 < t1.steps()) s1 = t1.step(w, s1);
        while (s2 < t2.steps()) s2 = t2.step(w, s2);
        assertTrue(gpu(w).pendingRequests().isEmpty());
        assertTrue(w.endStatement().isEmpty());
    }

    @Test
    void oneAndTwoWorkersAndTheSnapshotCacheAgree() {
        boolean cacheWas = Explorer.cache;
        boolean checkWas = Explorer.checkCache;
        try {
            for (String strategy : List.of("start-only", "range")) {
                World w = world(Profiles.LINUX_3_19, strategy, 2);
                List<List<Action>> ths = List.of(List.of(read(BASE, 1), read(OTHER, 2)), List.of(read(BASE + 4096, 3)));
                OpProgram op = Scenarios.replayed(Scenarios.munmap(BASE, 8192)); // the cache serves replayed operations
                Explorer.cache = false;
                Result a = Explorer.explore(w, op, ths, ONE);
                Result b = Explorer.explore(w, op, ths, TWO);
                Explorer.cache = true;
                Explorer.checkCache = true;
                Result c = Explorer.explore(w, op, ths, TWO);
                for (Result x : List.of(b, c)) {
                    assertEquals(a.verdict(), x.verdict(), strategy);
                    assertEquals(a.stats().distinctStates(), x.stats().distinctStates(), strategy);
                    assertEquals(a.stats().transitions(), x.stats().transitions(), strategy);
                    if (a.counterexample() != null) assertEquals(a.counterexample().render(), x.counterexample().render());
                }
            }
        } finally {
            Explorer.cache = cacheWas;
            Explorer.checkCache = checkWas;
        }
    }
}
