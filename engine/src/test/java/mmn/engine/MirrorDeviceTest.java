package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.device.DriverFault;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Translation;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.Strategies;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.DriverRig.BASE;
import static mmn.engine.DriverRig.PAGE;
import static mmn.engine.Rig.after;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HMM mirror (lib/test_hmm.c's dmirror) and the interval / interval-no-retry strategies. */
class MirrorDeviceTest {
    private static final int READ_BEGIN_AND_WALK = 2;

    @Test
    void missRunsTheFaultPathThenHits() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        t.stmt("dma", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertEquals(Device.AccessResult.Status.OK, t.dev.lastAccess().status());
        assertEquals(1, t.dev.faults());
        Translation e = t.table().lookup(BASE);
        assertNotNull(e);
        assertEquals(t.pfnOf(BASE), e.pfn());
        assertTrue(e.writable(), "hmm_range_fault reports the PTE writable, so dmirror tags the entry for write");
        t.stmt("dma again", () -> t.w.dma(t.dev, t.a, BASE, true));
        assertEquals(1, t.dev.faults(), "the second access hits the mirror table");
        assertEquals(t.pfnOf(BASE), t.dev.lastAccess().pfn());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void writeThroughAReadOnlyZeroPageEntryFaultsAgainAndCows() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("dma read", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertEquals(PhysMem.ZERO_PFN, t.table().lookup(BASE).pfn());
        t.stmt("dma write", () -> t.w.dma(t.dev, t.a, BASE, true));
        assertEquals(2, t.dev.faults());
        Translation e = t.table().lookup(BASE);
        assertNotEquals(PhysMem.ZERO_PFN, e.pfn());
        assertEquals(t.pfnOf(BASE), e.pfn());
        assertTrue(e.writable());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void intervalClearsEntriesAtStartOfMunmap() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_5, "mirror", "interval");
        t.stmt("touch", () -> { for (int i = 0; i < 4; i++) t.w.touch(t.a, BASE + i * PAGE, true); });
        t.stmt("dma", () -> { for (int i = 0; i < 4; i++) t.w.dma(t.dev, t.a, BASE + i * PAGE, false); });
        assertEquals(4, t.table().size());
        int[] atStart = new int[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, 2 * PAGE), after("start", () -> atStart[0] = t.table().size())));
        assertEquals(2, atStart[0], "the invalidate callback erased the two pages before start returned");
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void mirrorWithoutNotifierIsCaught() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", null);
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        t.stmt("dma", () -> t.w.dma(t.dev, t.a, BASE, false));
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), PhaseListener.NONE));
        Violation v = t.found.stream().filter(x -> x.kind() == ViolationKind.USE_AFTER_FREE).findFirst().orElseThrow();
        assertEquals("gpu", v.device());
        assertEquals("free", v.phase());
    }

    /**
     * The fault samples the sequence and walks the CPU table before munmap; the rest of
     * it (lock, read_retry, install, unlock) runs right after one munmap phase. With the
     * interval protocol the retry check sees the moved sequence, the fault starts again,
     * waits in read_begin while the invalidation is active, then finds no VMA: nothing is
     * installed and every step stays coherent.
     */
    @ParameterizedTest
    @ValueSource(strings = {"start", "clear", "end", "unlink-tables", "flush", "free"})
    void intervalFaultRacingMunmapStaysCoherent(String phase) {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault: read_begin, hmm_range_fault", () -> t.run(id, READ_BEGIN_AND_WALK));
        assertEquals(t.pfnOf(BASE), t.dev.faultsInFlight().get(0).pfn());
        DriverFault.Step[] inWindow = new DriverFault.Step[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after(phase, () -> inWindow[0] = t.run(id))));
        boolean insideStartEnd = phase.equals("start") || phase.equals("clear");
        if (insideStartEnd) {
            assertEquals(DriverFault.Outcome.BLOCKED, inWindow[0].outcome());
            assertEquals("read_begin", inWindow[0].step(), "read_begin sleeps until the invalidation ends");
            assertNull(((DriverDevice) t.dev).whyBlocked(id), "after munmap's end read_begin may run");
            t.stmt("fault continues", () -> t.run(id));
        }
        assertEquals(DriverFault.Outcome.FAILED, t.last().outcome(), t.steps.toString());
        assertEquals("hmm_range_fault", t.last().step());
        assertEquals(1, t.count(DriverFault.Outcome.RETRY), "read_retry saw the sequence move once");
        assertNull(t.table().lookup(BASE));
        assertEquals(1, t.dev.faults());
        assertTrue(t.dev.faultsInFlight().isEmpty());
        assertTrue(t.found.isEmpty(), phase + ": " + t.found);
    }

    /**
     * The same race with a driver that never calls mmu_interval_read_retry: it installs
     * the pfn it collected before the invalidation, after the invalidation erased the
     * range. The checker catches the entry, as a use-after-free where the frame is freed
     * under it (or was freed before the install) and as stale-translation otherwise.
     */
    @ParameterizedTest
    @ValueSource(strings = {"start", "clear", "end", "unlink-tables", "flush", "free"})
    void intervalNoRetryInstallAfterInvalidationIsCaught(String phase) {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval-no-retry");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int pfn = t.pfnOf(BASE);
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault: read_begin, hmm_range_fault", () -> t.run(id, READ_BEGIN_AND_WALK));
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after(phase, () -> t.run(id))));
        assertEquals(DriverFault.Outcome.DONE, t.last().outcome(), t.steps.toString());
        assertEquals(0, t.count(DriverFault.Outcome.RETRY));
        assertTrue(t.steps.stream().anyMatch(s -> s.step().equals("read_retry") && s.detail().contains("skipped")));
        List<Violation> uaf = t.found.stream().filter(v -> v.kind() == ViolationKind.USE_AFTER_FREE).toList();
        assertFalse(uaf.isEmpty(), phase + ": " + t.found);
        Violation v = uaf.get(0);
        assertEquals("gpu", v.device());
        assertEquals(pfn, v.pfn());
        // installed before the frame went back to the allocator: caught when it is freed;
        // installed after: caught at the install itself
        assertEquals("free", v.phase());
        if (phase.equals("free")) assertTrue(v.why().contains("installed"), v.why());
        else assertTrue(v.why().contains("was freed while"), v.why());
    }

    /** Without any free racing it, the skipped check still leaves an entry the page table no longer has. */
    @Test
    void intervalNoRetryAgainstDontneedWithoutFreeIsStale() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval-no-retry");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, false)); // the zero page: dontneed frees nothing
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault: read_begin, hmm_range_fault", () -> t.run(id, READ_BEGIN_AND_WALK));
        t.stmt("dontneed", () -> t.w.dontneed(t.a, r(BASE, PAGE), after("end", () -> t.run(id))));
        assertEquals(DriverFault.Outcome.DONE, t.last().outcome());
        assertTrue(t.has(ViolationKind.STALE_TRANSLATION), t.found.toString());
        assertFalse(t.has(ViolationKind.USE_AFTER_FREE), t.found.toString());

        DriverRig ok = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        ok.stmt("touch", () -> ok.w.touch(ok.a, BASE, false));
        int id2 = ok.w.deviceOps().startFault(ok.dev, ok.a, BASE, false);
        ok.stmt("fault: read_begin, hmm_range_fault", () -> ok.run(id2, READ_BEGIN_AND_WALK));
        ok.stmt("dontneed", () -> ok.w.dontneed(ok.a, r(BASE, PAGE), after("end", () -> ok.run(id2))));
        // the retried fault faults the page in again (the VMA is still there) and installs a fresh entry
        assertEquals(DriverFault.Outcome.DONE, ok.last().outcome());
        assertEquals(1, ok.count(DriverFault.Outcome.RETRY));
        assertEquals(ok.pfnOf(BASE), ok.table().lookup(BASE).pfn());
        assertTrue(ok.found.isEmpty(), ok.found.toString());
    }

    /** Case B on a mirror: the COW repoints the PTE while the mirror still maps the zero page, unless start erased it. */
    @Test
    void cowRepointSeesMirrorEntries() {
        DriverRig naive = new DriverRig(Profiles.LINUX_6_8, "mirror", "end-only");
        naive.stmt("dma read", () -> naive.w.dma(naive.dev, naive.a, BASE, false));
        naive.stmt("cpu write", () -> naive.w.touch(naive.a, BASE, true));
        Violation v = naive.found.stream().filter(x -> x.kind() == ViolationKind.STALE_TRANSLATION).findFirst()
                .orElseThrow(() -> new AssertionError(naive.found.toString()));
        assertTrue(v.why().contains("repointed"), v.why());
        assertEquals(PhysMem.ZERO_PFN, v.pfn());

        DriverRig ok = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        ok.stmt("dma read", () -> ok.w.dma(ok.dev, ok.a, BASE, false));
        ok.stmt("cpu write", () -> ok.w.touch(ok.a, BASE, true));
        assertNull(ok.table().lookup(BASE));
        assertTrue(ok.found.isEmpty(), ok.found.toString());
    }

    @Test
    void wholeAccessInsideAnInvalidationStalls() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> { t.w.touch(t.a, BASE, true); t.w.touch(t.a, BASE + PAGE, true); });
        Device.AccessResult[] res = new Device.AccessResult[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after("clear",
                () -> res[0] = t.w.dma(t.dev, t.a, BASE + PAGE, false))));
        assertEquals(Device.AccessResult.Status.STALLED, res[0].status());
        assertTrue(res[0].detail().contains("read_begin"), res[0].detail());
        assertTrue(t.dev.faultsInFlight().isEmpty(), "the stalled fault leaves nothing behind");
        t.stmt("dma after", () -> t.w.dma(t.dev, t.a, BASE + PAGE, false));
        assertEquals(Device.AccessResult.Status.OK, t.dev.lastAccess().status());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    /** A callback that needs the driver mutex waits for the fault holding it: the fault finishes first, then the erase. */
    @Test
    void invalidationWaitsForTheFaultHoldingTheLock() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault up to lock", () -> t.run(id, 3));
        assertEquals(id, ((DriverDevice) t.dev).lockHolder());
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), PhaseListener.NONE));
        assertTrue(t.dev.faultsInFlight().isEmpty(), "the holder ran to its unlock inside the callback");
        assertNull(t.table().lookup(BASE), "then the callback erased what it installed");
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void twoFaultsContendForTheMutex() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> { t.w.touch(t.a, BASE, true); t.w.touch(t.a, BASE + PAGE, true); });
        DriverDevice gpu = (DriverDevice) t.dev;
        int f1 = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        int f2 = t.w.deviceOps().startFault(t.dev, t.a, BASE + PAGE, true);
        assertNotEquals(f1, f2);
        t.stmt("f1 to lock, f2 to walk", () -> { t.run(f1, 3); t.run(f2, 2); });
        assertEquals(f1, gpu.lockHolder());
        String why = gpu.whyBlocked(f2);
        assertNotNull(why);
        assertTrue(why.contains("fault#" + f1), why);
        assertNull(gpu.whyBlocked(f1));
        String before = t.w.stateHash();
        t.stmt("f2 lock", () -> t.run(f2, 1));
        assertEquals(DriverFault.Outcome.BLOCKED, t.last().outcome());
        assertEquals(before, t.w.stateHash(), "a blocked step changes nothing");
        // a device access takes the mutex too: it waits for f1, which finishes first
        t.stmt("dma", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertEquals(Device.AccessResult.Status.OK, t.dev.lastAccess().status());
        assertEquals(0, t.dev.lastAccess().faults(), "f1 installed the entry the access then hit");
        assertEquals(List.of(f2), t.dev.faultsInFlight().stream().map(DriverFault::id).toList());
        t.stmt("f2 rest", () -> t.run(f2));
        assertEquals(DriverFault.Outcome.DONE, t.last().outcome());
        assertTrue(t.table().lookup(BASE + PAGE).writable());
        assertEquals(2, t.dev.faults(), "two faults started by hand, none by the access");
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    /** A write-tagged entry after mprotect(PROT_READ): erased by interval, stale without a notifier. */
    @Test
    void mprotectDowngrade() {
        DriverRig ok = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        ok.stmt("dma write", () -> ok.w.dma(ok.dev, ok.a, BASE, true));
        assertTrue(ok.table().lookup(BASE).writable());
        ok.stmt("mprotect", () -> ok.w.mprotect(ok.a, r(BASE, PAGE), Vma.READ, PhaseListener.NONE));
        assertNull(ok.table().lookup(BASE));
        ok.stmt("dma write again", () -> ok.w.dma(ok.dev, ok.a, BASE, true));
        assertEquals(Device.AccessResult.Status.INVALID, ok.dev.lastAccess().status(), "no VMA allows the write now");
        ok.stmt("dma read", () -> ok.w.dma(ok.dev, ok.a, BASE, false));
        assertFalse(ok.table().lookup(BASE).writable());
        assertTrue(ok.found.isEmpty(), ok.found.toString());

        DriverRig none = new DriverRig(Profiles.LINUX_6_8, "mirror", null);
        none.stmt("dma write", () -> none.w.dma(none.dev, none.a, BASE, true));
        none.stmt("mprotect", () -> none.w.mprotect(none.a, r(BASE, PAGE), Vma.READ, PhaseListener.NONE));
        Violation v = none.found.stream().filter(x -> x.kind() == ViolationKind.STALE_TRANSLATION).findFirst()
                .orElseThrow(() -> new AssertionError(none.found.toString()));
        assertTrue(v.why().contains("read-only"), v.why());
        assertTrue(v.entry().startsWith("gpu.pt["), v.entry());
    }

    @Test
    void exitReleasesTheInterval() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        t.stmt("dma", () -> t.w.dma(t.dev, t.a, BASE, false));
        t.stmt("exit", () -> t.w.exit(t.a, PhaseListener.NONE));
        assertEquals(0, t.table().size());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void snapshotsAndHashesCoverFaultsInFlight() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("one step", () -> t.run(id, 1));
        String oneStep = t.w.stateHash();
        Snapshot snap = t.w.snapshot();
        t.stmt("walk", () -> t.run(id, 1));
        String twoSteps = t.w.stateHash();
        assertNotEquals(oneStep, twoSteps, "the fault's progress is state");
        t.stmt("rest", () -> t.run(id));
        assertEquals(1, t.table().size());

        t.w.restore(snap);
        assertEquals(oneStep, t.w.stateHash());
        Device gpu = t.w.device("gpu");
        assertEquals(1, gpu.faultsInFlight().size());
        assertEquals(1, gpu.faultsInFlight().get(0).nextStepIndex());
        assertEquals(0, ((DriverDevice) gpu).table().size());
        // the restored fault carries on and the restored checker sees what it installs
        t.w.beginStatement("rest after restore");
        DriverFault.Step st;
        do st = t.w.deviceOps().stepFault(gpu, id); while (!st.finished());
        t.w.endStatement();
        assertEquals(DriverFault.Outcome.DONE, st.outcome());
        t.w.beginStatement("munmap");
        t.w.munmap(t.w.space("A"), r(BASE, PAGE), PhaseListener.NONE);
        assertTrue(t.w.endStatement().isEmpty());
        // and the interval's sequence state went through the snapshot too
        Strategies.Interval iv = (Strategies.Interval) t.w.subscriber("n1").ops();
        assertTrue(iv.seq() > 1);
    }

    @Test
    void intervalNeedsAMirrorAndAProfileWithIntervalNotifiers() {
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19, Profiles.LINUX_4_15)) {
            EngineException e = assertThrows(EngineException.class, () -> new DriverRig(p, "mirror", "interval"));
            assertTrue(e.getMessage().contains("5.5") && e.getMessage().contains(p.name()), e.getMessage());
        }
        EngineException ats = assertThrows(EngineException.class, () -> new Rig(Profiles.LINUX_6_8, "interval-no-retry", 8));
        assertTrue(ats.getMessage().contains("mirror") && ats.getMessage().contains("ats"), ats.getMessage());
        EngineException kvm = assertThrows(EngineException.class, () -> new DriverRig(Profiles.LINUX_6_8, "mirror", "kvm"));
        assertTrue(kvm.getMessage().contains("kvm device"), kvm.getMessage());
        EngineException emptyPt = assertThrows(EngineException.class, () -> new DriverRig(Profiles.LINUX_3_16, "mirror", "empty-pt"));
        assertTrue(emptyPt.getMessage().contains("ats"), emptyPt.getMessage());
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "mirror", "interval");
        EngineException twice = assertThrows(EngineException.class, () -> t.w.register("n2", t.a, t.dev, "interval"));
        assertTrue(twice.getMessage().contains("already has an interval notifier"), twice.getMessage());
        EngineException setRoot = assertThrows(EngineException.class, () -> t.w.deviceOps().setDeviceRoot(t.dev, null));
        assertTrue(setRoot.getMessage().contains("mirror"), setRoot.getMessage());
    }

    @Test
    void archTlbsIsTheNewName() {
        for (Profile p : List.of(Profiles.LINUX_3_19, Profiles.LINUX_4_15, Profiles.LINUX_6_5)) {
            EngineException e = assertThrows(EngineException.class, () -> new Rig(p, "arch-tlbs", 8));
            assertTrue(e.getMessage().contains("6.6") && e.getMessage().contains("invalidate_range"), e.getMessage());
            assertEquals("use `range` under " + p.name(), e.hint());
        }
        assertNotNull(new Rig(Profiles.LINUX_6_8, "arch-tlbs", 8).w.subscriber("n1"));
    }

    @Test
    void atsDevicesHaveNoFaultSteps() {
        Rig t = new Rig(Profiles.LINUX_6_8, "arch-tlbs", 8);
        assertTrue(t.gpu.faultSteps().isEmpty());
        assertThrows(EngineException.class, () -> t.w.deviceOps().startFault(t.gpu, t.a, BASE, false));
        assertEquals(MirrorDevice.STEPS, new DriverRig(Profiles.LINUX_6_8, "mirror", null).dev.faultSteps());
    }
}
