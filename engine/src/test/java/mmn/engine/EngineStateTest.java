package mmn.engine;

import mmn.engine.check.Trace;
import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Space;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.after;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Determinism, snapshots, canonical hashing, and the COW repoint check. */
class EngineStateTest {
    private static final long PAGE = Addr.PAGE_SIZE;

    private static String texts(List<Trace.Event> evs) {
        return evs.stream().map(e -> e.type() + "|" + e.phase() + "|" + e.text()).collect(Collectors.joining("\n"));
    }

    private static Rig workload() {
        Rig t = new Rig(Profiles.LINUX_3_19, "range", 8, true, 64 * 1024);
        t.w.setKnob("gather-batch", 3);
        t.touchAll(BASE, 8);
        t.dmaAll(BASE, 8, true);
        return t;
    }

    @Test
    void sameInputsSameTrace() {
        Rig a = workload();
        Rig b = workload();
        a.stmt("munmap", () -> a.w.munmap(a.a, r(BASE, 8 * PAGE), after("clear", () -> a.w.dma(a.gpu, a.a, BASE, false))));
        b.stmt("munmap", () -> b.w.munmap(b.a, r(BASE, 8 * PAGE), after("clear", () -> b.w.dma(b.gpu, b.a, BASE, false))));
        assertEquals(a.w.trace().events().toString(), b.w.trace().events().toString());
        assertEquals(a.w.stateHash(), b.w.stateHash());
    }

    /**
     * A restore into a world that already holds another state of the same explore
     * refills its objects in place (Kernel.assignStateFrom). Every pair of snapshots
     * (mid-munmap states with a gather, a split VMA, walk-cache entries, a page request
     * in flight, a PTE-less page) restored one after the other into one world must give
     * exactly what a restore into a fresh world gives: the state hash and the checker's
     * pending statement-end work.
     */
    @Test
    void restoringInPlaceEqualsRestoringIntoAFreshWorld() {
        Rig t = workload();
        List<Snapshot> snaps = new java.util.ArrayList<>();
        snaps.add(t.w.snapshot());
        t.stmt("mprotect", () -> t.w.mprotect(t.a, r(BASE + 2 * PAGE, PAGE), mmn.engine.mem.Vma.READ, PhaseListener.NONE));
        snaps.add(t.w.snapshot());
        t.w.beginStatement("munmap");
        t.w.deviceOps().startAccess(t.gpu, t.a, BASE + 9 * PAGE, false, 7); // past the touched pages: a page request in flight
        snaps.add(t.w.snapshotMidStatement());
        t.w.munmap(t.a, r(BASE, 4 * PAGE), phase -> snaps.add(t.w.snapshotMidStatement()));
        snaps.add(t.w.snapshotMidStatement());
        t.w.endStatement();
        snaps.add(t.w.snapshot());
        assertTrue(snaps.size() > 6, "the munmap passed its phase points");

        World into = new World();
        for (int i = 0; i < snaps.size(); i++) {
            for (int j = 0; j < snaps.size(); j++) {
                into.restore(snaps.get(i));
                into.dma(into.device("gpu"), into.space("A"), BASE + 5 * PAGE, true); // the step a restore undoes
                into.restore(snaps.get(j));
                World fresh = new World();
                fresh.restore(snaps.get(j));
                assertEquals(fresh.stateHash(), into.stateHash(), "snapshot " + j + " restored over " + i);
                assertEquals(pending(fresh), pending(into), "pending work of snapshot " + j + " restored over " + i);
            }
        }
    }

    /**
     * A restore skips the structural shape comparison between worlds of one shape
     * (Kernel.Shape); every change of shape must give the world a new one. After each kind
     * of change (a space made, a device declared and bound, a notifier registered and
     * unregistered, an mm's subscriptions released by exit), restoring the snapshot again
     * must bring back exactly its state, as a restore into a fresh world does.
     */
    @Test
    void aRestoreAfterAShapeChangeBringsBackTheSnapshot() {
        Rig t = workload();
        Snapshot snap = t.w.snapshot();
        World fresh = new World();
        fresh.restore(snap);
        String want = fresh.stateHash();
        List<java.util.function.Consumer<World>> changes = List.of(
                w -> w.createSpace("C"),
                w -> w.bind(w.createAtsDevice("gpu2", 8, false, 4), w.space("A")),
                w -> w.register("n2", w.space("A"), w.device("gpu"), "range"),
                w -> w.unregister("n1"),
                w -> {
                    w.beginStatement("exit");
                    w.exit(w.space("A"), PhaseListener.NONE);
                    w.endStatement();
                });
        World into = new World();
        for (int i = 0; i < changes.size(); i++) {
            into.restore(snap);
            into.restore(snap); // the second restore is in place: the shapes are one
            changes.get(i).accept(into);
            into.restore(snap);
            assertEquals(want, into.stateHash(), "after change " + i);
            assertEquals(pending(fresh), pending(into), "pending work after change " + i);
        }
    }

    private static String pending(World w) {
        mmn.engine.mem.StateHasher h = new mmn.engine.mem.StateHasher();
        w.hashPendingChecks(h);
        return h.hex();
    }

    @Test
    void restoreBringsBackTheExactState() {
        Rig t = workload();
        String before = t.w.stateHash();
        Snapshot snap = t.w.snapshot();
        int traceAt = t.w.trace().size();
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, 8 * PAGE), PhaseListener.NONE));
        String firstRun = texts(t.w.trace().since(traceAt));
        String after = t.w.stateHash();
        assertNotEquals(before, after);

        t.w.restore(snap);
        assertEquals(before, t.w.stateHash());
        assertEquals(traceAt, t.w.trace().size());
        // the restored world behaves exactly as the original did
        Space a = t.w.space("A");
        Device gpu = t.w.device("gpu");
        assertEquals(8, gpu.caches().get(0).size());
        t.w.beginStatement("munmap");
        t.w.munmap(a, r(BASE, 8 * PAGE), PhaseListener.NONE);
        t.w.endStatement();
        assertEquals(firstRun, texts(t.w.trace().since(traceAt)));
        assertEquals(after, t.w.stateHash());
        // and the restored checker still sees the device's entries (reverse maps rebuilt)
        Rig bare = new Rig(Profiles.LINUX_3_19, null, 8);
        bare.touchAll(BASE, 2);
        bare.dmaAll(BASE, 2, false);
        Snapshot s2 = bare.w.snapshot();
        bare.stmt("noise", () -> bare.w.touch(bare.a, BASE + 4 * PAGE, true));
        bare.w.restore(s2);
        bare.w.beginStatement("munmap with no subscriber");
        bare.w.munmap(bare.w.space("A"), r(BASE, PAGE), PhaseListener.NONE);
        List<Violation> v = bare.w.endStatement();
        assertTrue(v.stream().anyMatch(x -> x.kind() == ViolationKind.USE_AFTER_FREE), v.toString());
    }

    @Test
    void hashIsCanonical() {
        // two histories, one state: fault a page in and out again vs never
        Rig a = new Rig(Profiles.LINUX_3_19, "range", 8);
        Rig b = new Rig(Profiles.LINUX_3_19, "range", 8);
        a.stmt("touch", () -> a.w.touch(a.a, BASE, false));
        a.stmt("dontneed", () -> a.w.dontneed(a.a, r(BASE, PAGE), PhaseListener.NONE));
        b.stmt("touch", () -> b.w.touch(b.a, BASE, false));
        b.stmt("dontneed", () -> b.w.dontneed(b.a, r(BASE, PAGE), PhaseListener.NONE));
        assertEquals(a.w.stateHash(), b.w.stateHash());
        b.stmt("touch", () -> b.w.touch(b.a, BASE + PAGE, false));
        assertNotEquals(a.w.stateHash(), b.w.stateHash());
    }

    /**
     * Case B (kernel-reference §7 #4): a write fault repoints a PTE from the zero page to a
     * new page. The device's read-only entry for the old page must be gone before the new
     * PTE is set: 3.19's ptep_clear_flush_notify does it under the PTL, 3.16's change_pte
     * does it for subscribers that implement it; end-only is too late.
     */
    @Test
    void cowRepointNeedsInvalidationBeforeTheNewPte() {
        record Case(Profile p, String strategy, boolean stale) {}
        for (Case c : List.of(new Case(Profiles.LINUX_3_19, "range", false), new Case(Profiles.LINUX_3_16, "empty-pt", false),
                new Case(Profiles.LINUX_3_16, "range", true), new Case(Profiles.LINUX_3_19, "end-only", true))) {
            Rig t = new Rig(c.p(), c.strategy(), 8);
            t.stmt("dma read", () -> t.w.dma(t.gpu, t.a, BASE, false));
            assertEquals(PhysMem.ZERO_PFN, t.gpu.lastAccess().pfn(), "a read fault maps the zero page");
            t.stmt("touch write", () -> t.w.touch(t.a, BASE, true));
            boolean stale = t.has(ViolationKind.STALE_TRANSLATION);
            assertEquals(c.stale(), stale, c + ": " + t.found);
            if (stale) assertTrue(t.of(ViolationKind.STALE_TRANSLATION).get(0).why().contains("repointed"));
        }
    }

    /**
     * A snapshot taken in the middle of an operation carries its in-flight state: the
     * explorer restores between micro-steps, and a migration's "already copied" mark
     * left behind by an earlier replay once made a device write look lost.
     */
    @Test
    void snapshotInsideAnOperationCarriesWhatItHasCopiedOut() {
        Rig t = workload();
        Snapshot[] atCopy = new Snapshot[1];
        String[] hashAtCopy = new String[1];
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, PAGE), after("copy", () -> {
            atCopy[0] = t.w.snapshot();
            hashAtCopy[0] = t.w.stateHash();
        })));
        World fresh = new World();
        fresh.restore(atCopy[0]);
        assertEquals(hashAtCopy[0], fresh.stateHash());
        assertTrue(!fresh.copiedOut.isEmpty(), "the copied frame is part of the state at phase copy");
    }
}
