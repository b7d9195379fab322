package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.device.DriverFault;
import mmn.engine.device.KvmDevice;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.notifier.Strategies;
import mmn.engine.profile.Hook;
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

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** KVM's shadow page table and the kvm strategy (mmu_notifier_seq / mmu_notifier_count). */
class KvmDeviceTest {
    private static final int SEQ_AND_FAULTIN = 2;

    static List<Profile> profiles() {
        return Profiles.all();
    }

    private static KvmDevice kvm(DriverRig t) {
        return (KvmDevice) t.dev;
    }

    @ParameterizedTest
    @MethodSource("profiles")
    void faultInThenMunmapIsCoherentUnderEveryProfile(Profile p) {
        DriverRig t = new DriverRig(p, "kvm", "kvm");
        t.stmt("touch", () -> { for (int i = 0; i < 4; i++) t.w.touch(t.a, BASE + i * PAGE, true); });
        t.stmt("guest access", () -> { for (int i = 0; i < 4; i++) t.w.dma(t.dev, t.a, BASE + i * PAGE, true); });
        assertEquals(4, t.dev.faults());
        assertEquals(4, t.table().size());
        assertEquals(t.pfnOf(BASE + PAGE), t.table().lookup(BASE + PAGE).pfn());
        t.stmt("guest access again", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertEquals(4, t.dev.faults(), "an SPTE hit takes no fault");
        int[] countAtClear = new int[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, 2 * PAGE), after("clear", () -> countAtClear[0] = kvm(t).count())));
        assertEquals(1, countAtClear[0], "mmu_notifier_count is raised between start and end");
        assertEquals(0, kvm(t).count());
        assertEquals(1, kvm(t).mmuSeq(), "end bumped the sequence");
        assertEquals(2, t.table().size());
        assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
    }

    /**
     * The fault samples the sequence and takes its page reference before munmap; lock,
     * the retry check, map and unlock run after one munmap phase. Inside start..end the
     * count is raised, after it the sequence has moved: either way the check fails, the
     * fault drops its reference and faults again, and now finds no VMA.
     */
    @ParameterizedTest
    @ValueSource(strings = {"start", "clear", "end", "unlink-tables", "flush", "free"})
    void faultRacingMunmapRetriesAndStaysCoherent(String phase) {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "kvm", "kvm");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int pfn = t.pfnOf(BASE);
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, true);
        t.stmt("fault: mmu_seq, faultin_pfn", () -> t.run(id, SEQ_AND_FAULTIN));
        assertEquals(2, t.w.memory().refcount(pfn), "hva_to_pfn holds a reference");
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after(phase, () -> t.run(id))));
        DriverFault.Step retry = t.steps.stream().filter(s -> s.outcome() == DriverFault.Outcome.RETRY).findFirst().orElseThrow();
        boolean inside = phase.equals("start") || phase.equals("clear");
        assertTrue(retry.detail().contains(inside ? "count 1" : "seq moved"), retry.detail());
        assertEquals(1, t.count(DriverFault.Outcome.RETRY));
        assertEquals(DriverFault.Outcome.FAILED, t.last().outcome());
        assertEquals("faultin_pfn", t.last().step());
        assertNull(t.table().lookup(BASE));
        assertEquals(FrameKind.FREE, t.w.memory().kind(pfn), "the reference was dropped and the page freed");
        assertTrue(t.found.isEmpty(), phase + ": " + t.found);
    }

    /** KVM's notifier with the count and sequence taken out: it zaps at start, nothing else. */
    static final class ZapOnly implements MmuNotifierOps {
        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.INVALIDATE_RANGE_START, Hook.RELEASE);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
            return true;
        }

        @Override
        public void release(NotifierContext c) {
            c.flushAll(c.device());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"start", "clear", "end", "unlink-tables", "flush", "free"})
    void withoutCountAndSeqTheRacingFaultIsCaught(String phase) {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "kvm", null);
        t.w.register("zap-only", t.a, t.dev, "zap-only", new ZapOnly());
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int pfn = t.pfnOf(BASE);
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, true);
        t.stmt("fault: mmu_seq, faultin_pfn", () -> t.run(id, SEQ_AND_FAULTIN));
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after(phase, () -> t.run(id))));
        assertEquals(DriverFault.Outcome.DONE, t.last().outcome());
        assertEquals(0, t.count(DriverFault.Outcome.RETRY));
        Violation v = t.found.stream().filter(x -> x.kind() == ViolationKind.USE_AFTER_FREE).findFirst()
                .orElseThrow(() -> new AssertionError(phase + ": " + t.found));
        assertEquals("vm", v.device());
        assertEquals(pfn, v.pfn());
        assertTrue(v.entry().startsWith("vm.spt["), v.entry());
        // the page dies where the last reference goes: munmap's free, or the fault's
        // kvm_release_pfn_clean when the fault still held it then
        assertEquals("free", v.phase());
    }

    /**
     * A whole guest access inside dontneed's window. 4.15's mmu_notifier_retry refuses
     * every fault while count &gt; 0; 6.x's mmu_invalidate_retry_hva only those inside the
     * range being invalidated. A refused fault would spin until end: the access stalls
     * and drops its page reference.
     */
    @Test
    void wholeGuestAccessInsideAnInvalidation() {
        record Case(Profile p, long va, Device.AccessResult.Status want) {}
        for (Case c : List.of(new Case(Profiles.LINUX_4_15, BASE + PAGE, Device.AccessResult.Status.STALLED),
                new Case(Profiles.LINUX_6_8, BASE + PAGE, Device.AccessResult.Status.OK),
                new Case(Profiles.LINUX_6_8, BASE, Device.AccessResult.Status.STALLED))) {
            DriverRig t = new DriverRig(c.p(), "kvm", "kvm");
            t.stmt("touch", () -> { t.w.touch(t.a, BASE, true); t.w.touch(t.a, BASE + PAGE, true); });
            Device.AccessResult[] res = new Device.AccessResult[1];
            t.stmt("dontneed", () -> t.w.dontneed(t.a, r(BASE, PAGE), after("clear",
                    () -> res[0] = t.w.dma(t.dev, t.a, c.va(), false))));
            assertEquals(c.want(), res[0].status(), c.toString());
            assertTrue(t.dev.faultsInFlight().isEmpty());
            int pfn = t.pfnOf(c.va());
            boolean installed = c.want() == Device.AccessResult.Status.OK;
            assertEquals(installed, t.table().lookup(c.va()) != null, c.toString());
            assertEquals(1, t.w.memory().refcount(pfn), c + ": the fault's page reference was dropped");
            t.stmt("guest access after", () -> t.w.dma(t.dev, t.a, c.va(), false));
            assertEquals(Device.AccessResult.Status.OK, t.dev.lastAccess().status());
            assertTrue(t.found.isEmpty(), c + ": " + t.found);
        }
    }

    /** A write fault on a zero-page SPTE: COW repoints the PTE; change_pte / start zap the SPTE in time in every era. */
    @ParameterizedTest
    @MethodSource("profiles")
    void cowOfAMappedPageIsCoherent(Profile p) {
        DriverRig t = new DriverRig(p, "kvm", "kvm");
        t.stmt("guest read", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertEquals(PhysMem.ZERO_PFN, t.table().lookup(BASE).pfn());
        t.stmt("cpu write", () -> t.w.touch(t.a, BASE, true));
        assertNull(t.table().lookup(BASE));
        assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
        t.stmt("guest write", () -> t.w.dma(t.dev, t.a, BASE, true));
        assertEquals(t.pfnOf(BASE), t.table().lookup(BASE).pfn());
        assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
    }

    /**
     * 3.16's invalidate_page (try_to_unmap_one, page_mkclean) has no start/end around it:
     * KVM bumps the sequence before dropping mmu_lock, so a fault that sampled the old
     * value retries. Fired here through the core's dispatch directly, since the model's
     * rmap operations are not built yet.
     */
    @Test
    void invalidatePageBumpsTheSequenceSoARacingFaultRetries() {
        DriverRig t = new DriverRig(Profiles.LINUX_3_16, "kvm", "kvm");
        t.stmt("touch", () -> { t.w.touch(t.a, BASE, true); t.w.touch(t.a, BASE + PAGE, true); });
        t.stmt("guest access", () -> t.w.dma(t.dev, t.a, BASE + PAGE, false));
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault: mmu_seq, faultin_pfn", () -> t.run(id, SEQ_AND_FAULTIN));
        t.stmt("invalidate_page", () -> t.w.notifier.invalidatePage(t.a, BASE + PAGE, "test"));
        assertEquals(1, kvm(t).mmuSeq());
        assertNull(t.table().lookup(BASE + PAGE), "the page's SPTE is zapped");
        t.stmt("fault rest", () -> t.run(id));
        assertEquals(1, t.count(DriverFault.Outcome.RETRY), "the whole-VM check retries for any page");
        assertEquals(DriverFault.Outcome.DONE, t.last().outcome());
        assertEquals(t.pfnOf(BASE), t.table().lookup(BASE).pfn());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void clearFlushYoungReportsMappedPages() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "kvm", "kvm");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        assertFalse(t.w.notifier.clearFlushYoung(t.a, r(BASE, PAGE), "test"));
        t.stmt("guest access", () -> t.w.dma(t.dev, t.a, BASE, false));
        assertTrue(t.w.notifier.clearFlushYoung(t.a, r(BASE, PAGE), "test"));
        assertFalse(t.w.notifier.clearFlushYoung(t.a, r(BASE + PAGE, PAGE), "test"));
        assertNotNull(t.table().lookup(BASE), "aging keeps the SPTE");
    }

    @Test
    void exitZapsEverything() {
        DriverRig t = new DriverRig(Profiles.LINUX_4_15, "kvm", "kvm");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        t.stmt("guest access", () -> t.w.dma(t.dev, t.a, BASE, false));
        t.stmt("exit", () -> t.w.exit(t.a, PhaseListener.NONE));
        assertEquals(0, t.table().size());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void snapshotCoversSequenceCountAndHeldReference() {
        DriverRig t = new DriverRig(Profiles.LINUX_6_8, "kvm", "kvm");
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        int pfn = t.pfnOf(BASE);
        int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
        t.stmt("fault: mmu_seq, faultin_pfn", () -> t.run(id, SEQ_AND_FAULTIN));
        String h = t.w.stateHash();
        Snapshot snap = t.w.snapshot();
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), PhaseListener.NONE));
        assertEquals(1, kvm(t).mmuSeq());
        assertNotEquals(h, t.w.stateHash());
        t.w.restore(snap);
        assertEquals(h, t.w.stateHash());
        KvmDevice vm = (KvmDevice) t.w.device("vm");
        assertEquals(0, vm.mmuSeq());
        assertEquals(2, t.w.memory().refcount(pfn));
        assertEquals(List.of(id), vm.faultsInFlight().stream().map(DriverFault::id).toList());
        t.w.beginStatement("fault rest");
        DriverFault.Step st;
        do st = t.w.deviceOps().stepFault(vm, id); while (!st.finished());
        assertTrue(t.w.endStatement().isEmpty());
        assertEquals(DriverFault.Outcome.DONE, st.outcome());
        assertNotNull(vm.table().lookup(BASE));
        assertEquals(1, t.w.memory().refcount(pfn));
    }

    @Test
    void kvmNeedsAKvmDevice() {
        EngineException ats = assertThrows(EngineException.class, () -> new Rig(Profiles.LINUX_6_8, "kvm", 8));
        assertTrue(ats.getMessage().contains("kvm device") && ats.getMessage().contains("ats"), ats.getMessage());
        assertEquals("declare `device gpu kvm` or choose another strategy", ats.hint());
        EngineException interval = assertThrows(EngineException.class, () -> new DriverRig(Profiles.LINUX_6_8, "kvm", "interval"));
        assertTrue(interval.getMessage().contains("mirror device"), interval.getMessage());
        assertFalse(Strategies.PLANNED.contains("kvm"));
        assertTrue(Strategies.NAMES.containsAll(List.of("kvm", "interval", "interval-no-retry")));
        assertEquals(KvmDevice.STEPS, new DriverRig(Profiles.LINUX_3_16, "kvm", "kvm").dev.faultSteps());
    }
}
