package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Range;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.after;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed's five claims (semantics.md §5), through the public engine API. */
class SeedClaimsTest {
    private static final long PAGE = Addr.PAGE_SIZE;

    /** Claim 1: 3.16 + empty-pt: an access to a still-mapped page in the window faults on every retry until the device fails. */
    @Test
    void emptyPageTableDrivesDeviceToFailure() {
        Rig t = new Rig(Profiles.LINUX_3_16, "empty-pt", 8);
        t.touchAll(BASE, 16);
        Device.AccessResult[] res = new Device.AccessResult[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after("start",
                () -> res[0] = t.w.dma(t.gpu, t.a, BASE + 4 * PAGE, false))));
        assertEquals(Device.AccessResult.Status.FAILED, res[0].status());
        assertTrue(t.gpu.failed());
        // the first fault plus 8 retries, each answered SUCCESS and each faulting again
        assertEquals(9, res[0].faults());
        assertEquals(9, t.gpu.faults());
        assertEquals(1, t.of(ViolationKind.DEVICE_FAILED).size());
        Violation v = t.of(ViolationKind.DEVICE_FAILED).get(0);
        assertEquals("gpu", v.device());
        assertEquals("start", v.phase());
        assertTrue(v.hooks().stream().anyMatch(h -> h.startsWith("invalidate_range_start")), v.hooks().toString());
    }

    /** Claim 2: with no retry limit the faults of one operation pass the storm threshold. */
    @Test
    void emptyPageTableWithoutRetryLimitStorms() {
        Rig t = new Rig(Profiles.LINUX_3_16, "empty-pt", null);
        t.w.setKnob("storm-threshold", 20);
        t.touchAll(BASE, 16);
        Device.AccessResult[] res = new Device.AccessResult[1];
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after("start",
                () -> res[0] = t.w.dma(t.gpu, t.a, BASE + 4 * PAGE, false))));
        assertEquals(Device.AccessResult.Status.ABANDONED, res[0].status());
        assertEquals(21, t.gpu.opFaults());
        assertFalse(t.gpu.failed());
        assertEquals(1, t.of(ViolationKind.FAULT_STORM).size());
        assertFalse(t.has(ViolationKind.DEVICE_FAILED));
    }

    /** Claim 3: 3.16, any strategy: page-table pages freed by free_pgtables reach no hook. */
    @ParameterizedTest
    @ValueSource(strings = {"empty-pt", "range", "start-only", "end-only"})
    void freedPageTablesLeaveWalkCacheStale316(String strategy) {
        Rig t = new Rig(Profiles.LINUX_3_16, strategy, 8, true, Addr.PMD_SIZE);
        t.touchAll(BASE, 4);
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, Addr.PMD_SIZE), after("end",
                () -> t.w.dma(t.gpu, t.a, BASE, false))));
        List<Violation> stale = t.of(ViolationKind.STALE_WALK_CACHE);
        assertFalse(stale.isEmpty(), "expected stale-walk-cache with " + strategy + ", got " + t.found);
        assertEquals("free", stale.get(0).phase());
        assertEquals(FrameKind.FREE, t.w.memory().kind(stale.get(0).pfn()));
    }

    /** Claim 4: 3.19 + range: the workloads of claims 1-3 are coherent, the device never fails, faults stay bounded. */
    @Test
    void rangeUnder319IsCoherentForAllThreeWorkloads() {
        // claim 1/2 workload: an access to a still-mapped page inside the window
        for (Integer retries : new Integer[] {8, null}) {
            Rig t = new Rig(Profiles.LINUX_3_19, "range", retries);
            t.touchAll(BASE, 16);
            t.dmaAll(BASE, 16, false);
            long faultsBefore = t.gpu.faults();
            Device.AccessResult[] res = new Device.AccessResult[1];
            t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after("start",
                    () -> res[0] = t.w.dma(t.gpu, t.a, BASE + 4 * PAGE, false))));
            assertTrue(res[0].ok());
            assertFalse(t.gpu.failed());
            assertEquals(faultsBefore, t.gpu.faults(), "no faults for an access to a still-mapped page");
            assertTrue(t.found.isEmpty(), t.found.toString());
        }
        // claim 3 workload: walk cache over freed page tables
        Rig t = new Rig(Profiles.LINUX_3_19, "range", 8, true, Addr.PMD_SIZE);
        t.touchAll(BASE, 4);
        t.dmaAll(BASE, 4, true);
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, Addr.PMD_SIZE), after("end",
                () -> t.w.dma(t.gpu, t.a, BASE, false))));
        assertTrue(t.found.isEmpty(), t.found.toString());
        assertFalse(t.gpu.failed());
        assertEquals(1, t.gpu.faults(), "the one access after end faults once and is answered INVALID");
        assertEquals(Device.AccessResult.Status.INVALID, t.gpu.lastAccess().status());
    }

    /** Claim 5a: start-only: a refill between start and the PTE clear survives to the free. */
    @Test
    void startOnlyIsCaughtByRefillBeforeClear() {
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19)) {
            Rig t = new Rig(p, "start-only", 8);
            t.touchAll(BASE, 4);
            t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, PAGE), after("start",
                    () -> t.w.dma(t.gpu, t.a, BASE, false))));
            List<Violation> uaf = t.of(ViolationKind.USE_AFTER_FREE);
            assertEquals(1, uaf.size(), p.name() + ": " + t.found);
            assertEquals("free", uaf.get(0).phase());
            assertTrue(uaf.get(0).entry().startsWith("gpu.atc") || uaf.get(0).entry().startsWith("gpu.iotlb"));
        }
    }

    /** Claim 5b: end-only is caught where a full batch frees pages before end, and only there. */
    @Test
    void endOnlyCaughtOnlyWhereTheGatherFreesBeforeEnd() {
        Rig full = new Rig(Profiles.LINUX_3_16, "end-only", 8);
        full.w.setKnob("gather-batch", 2);
        full.touchAll(BASE, 4);
        full.dmaAll(BASE, 4, false);
        full.stmt("munmap", () -> full.w.munmap(full.a, r(BASE, 4 * PAGE), PhaseListener.NONE));
        List<Violation> uaf = full.of(ViolationKind.USE_AFTER_FREE);
        assertFalse(uaf.isEmpty());
        assertTrue(uaf.stream().allMatch(v -> v.phase().equals("batch-flush")), uaf.toString());
        assertTrue(uaf.get(0).why().contains("freed"));

        Rig roomy = new Rig(Profiles.LINUX_3_16, "end-only", 8);
        roomy.touchAll(BASE, 4);
        roomy.dmaAll(BASE, 4, false);
        roomy.stmt("munmap", () -> roomy.w.munmap(roomy.a, r(BASE, 4 * PAGE), PhaseListener.NONE));
        assertTrue(roomy.found.isEmpty(), "pages are freed after end when the batch does not fill: " + roomy.found);
    }

    /** exit: a subscriber whose release does not detach the device is caught. */
    @Test
    void exitWithReleaseThatDoesNotDetachIsCaught() {
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19)) {
            Rig t = new Rig(p, null, 8);
            int[] releases = {0};
            t.w.register("lazy", t.a, t.gpu, "custom", new MmuNotifierOps() {
                @Override
                public java.util.Set<Hook> implemented() {
                    return java.util.EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE);
                }

                @Override
                public void release(NotifierContext c) {
                    releases[0]++;
                }

                @Override
                public void invalidateRange(NotifierContext c, Range r) {
                    c.flushAll(c.device());
                }
            });
            t.touchAll(BASE, 2);
            t.dmaAll(BASE, 2, false);
            t.stmt("exit", () -> t.w.exit(t.a, PhaseListener.NONE));
            assertEquals(1, releases[0]);
            List<Violation> uaf = t.of(ViolationKind.USE_AFTER_FREE);
            assertTrue(uaf.stream().anyMatch(v -> v.entry().equals("gpu.root")), p.name() + ": " + t.found);
            assertTrue(uaf.stream().anyMatch(v -> v.entry().startsWith("gpu.atc")), p.name() + ": " + t.found);
        }
        // the built-in range strategy detaches in release: clean
        Rig ok = new Rig(Profiles.LINUX_3_19, "range", 8);
        ok.touchAll(BASE, 2);
        ok.dmaAll(BASE, 2, false);
        ok.stmt("exit", () -> ok.w.exit(ok.a, PhaseListener.NONE));
        assertTrue(ok.found.isEmpty(), ok.found.toString());
    }

    /** mprotect: the notifier window closes before the CPU flush, and a device write through a stale rw entry is caught. */
    @Test
    void mprotectDowngradeUnder316WithRangeStrategyLeavesWritableEntry() {
        Rig t = new Rig(Profiles.LINUX_3_16, "range", 8);
        t.touchAll(BASE, 1);
        t.dmaAll(BASE, 1, true);
        t.stmt("mprotect", () -> t.w.mprotect(t.a, r(BASE, PAGE), Vma.READ, PhaseListener.NONE));
        assertEquals(1, t.of(ViolationKind.STALE_TRANSLATION).size(), t.found.toString());

        Rig u = new Rig(Profiles.LINUX_3_19, "range", 8);
        u.touchAll(BASE, 1);
        u.dmaAll(BASE, 1, true);
        u.stmt("mprotect", () -> u.w.mprotect(u.a, r(BASE, PAGE), Vma.READ, PhaseListener.NONE));
        assertTrue(u.found.isEmpty(), u.found.toString());
        // the device now needs write access: the PTE is read-only and the VMA forbids writes
        u.stmt("dma", () -> u.w.dma(u.gpu, u.a, BASE, true));
        assertEquals(Device.AccessResult.Status.INVALID, u.gpu.lastAccess().status());
    }

    /** dontneed (zap_page_range) keeps page tables; with start-only a refill after start is caught at the free. */
    @Test
    void dontneedStartOnlyCaught() {
        Rig t = new Rig(Profiles.LINUX_3_19, "start-only", 8);
        t.touchAll(BASE, 2);
        t.stmt("dontneed", () -> t.w.dontneed(t.a, r(BASE, 2 * PAGE), Rig.inject(Map.of("start",
                () -> t.w.dma(t.gpu, t.a, BASE + PAGE, true)))));
        assertEquals(1, t.of(ViolationKind.USE_AFTER_FREE).size(), t.found.toString());
        assertTrue(t.a.pageTable().tableAt(BASE, 1) >= 0, "MADV_DONTNEED keeps the PTE table");
    }
}
