package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.OpsTestSupport.ALL;
import static mmn.engine.OpsTestSupport.WITH_RANGE;
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Transparent huge pages: khugepaged collapse (anon), page-table retract (file), split. */
class ThpTest {
    private static final long HUGE = 0x800000;
    private static final long FILE = 0xa00000;

    /** A rig with a 2M anon huge-eligible VMA whose first pages the CPU and the device used. */
    private static Rig thp(Profile p, String strategy, boolean walkCache) {
        Rig t = new Rig(p, strategy, 8, walkCache, 64 * 1024);
        t.w.map(t.a, r(HUGE, Addr.PMD_SIZE), Vma.READ | Vma.WRITE, null, false, true, false);
        t.stmt("use", () -> {
            for (int i = 0; i < 4; i++) {
                t.w.touch(t.a, HUGE + i * Addr.PAGE_SIZE, true);
                t.w.dma(t.gpu, t.a, HUGE + i * Addr.PAGE_SIZE, true);
            }
        });
        return t;
    }

    private static Runnable rw(Rig t) {
        return () -> {
            t.w.dma(t.gpu, t.a, HUGE, false);
            t.w.dma(t.gpu, t.a, HUGE + Addr.PAGE_SIZE, true);
        };
    }

    @Test
    void collapseMakesAHugePageWithTheSameDataAndFreesTheSmallOnes() {
        Rig t = thp(Profiles.LINUX_3_19, "range", false);
        int small = Pte.pfn(t.a.pageTable().get(HUGE + Addr.PAGE_SIZE));
        long value = t.w.memory().value(small);
        List<String> phases = new ArrayList<>();
        t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, phases::add));
        assertEquals(List.of("start", "clear-pmd", "end", "copy", "set"), phases);
        assertTrue(t.a.pageTable().isHuge(HUGE));
        long pmd = t.a.pageTable().get(HUGE);
        assertEquals(value, t.w.memory().value(Pte.pfn(pmd) + 1));
        assertEquals(FrameKind.FREE, t.w.memory().kind(small));
        t.stmt("dma", () -> assertEquals(Pte.pfn(pmd) + 1, t.w.dma(t.gpu, t.a, HUGE + Addr.PAGE_SIZE, false).pfn()));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void collapseAndSplitWithRangeAreCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : List.of("start", "clear-pmd", "end", "copy", "set")) {
                Rig t = thp(p, "range", true);
                t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, Rig.after(phase, rw(t))));
                rw(t).run();
                assertTrue(t.a.pageTable().isHuge(HUGE), p.name());
                assertTrue(t.found.isEmpty(), p.name() + " collapse after " + phase + ": " + t.found);
            }
            for (String phase : Operations.phases("split")) {
                Rig t = thp(p, "range", true);
                t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
                int base = Pte.pfn(t.a.pageTable().get(HUGE));
                t.stmt("split", () -> t.w.split(t.a, HUGE, Rig.after(phase, rw(t))));
                t.stmt("dma", rw(t));
                assertFalse(t.a.pageTable().isHuge(HUGE));
                assertEquals(base + 1, Pte.pfn(t.a.pageTable().get(HUGE + Addr.PAGE_SIZE)), "split keeps the subpages");
                assertTrue(t.found.isEmpty(), p.name() + " split after " + phase + ": " + t.found);
            }
        }
    }

    @Test
    void collapseFreesSmallPagesThe316DeviceStillMaps() {
        Rig old = thp(Profiles.LINUX_3_16, "range", false);
        old.stmt("collapse", () -> old.w.collapse(old.a, HUGE, PhaseListener.NONE));
        assertEquals(4, old.of(ViolationKind.USE_AFTER_FREE).size(), old.found.toString());
        assertEquals("copy", old.of(ViolationKind.USE_AFTER_FREE).get(0).phase());
        for (Profile p : ALL) {
            Rig s = thp(p, "start-only", false);
            s.stmt("collapse", () -> s.w.collapse(s.a, HUGE, Rig.after("start", rw(s))));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + ": " + s.found);
            Rig e = thp(p, "end-only", false);
            e.stmt("collapse", () -> e.w.collapse(e.a, HUGE, PhaseListener.NONE));
            assertTrue(e.found.isEmpty(), p.name() + " end-only: " + e.found);
        }
    }

    /** Splitting an anon THP keeps every subpage: no strategy, naive or not, can be caught by it. */
    @Test
    void splitIsSafeEvenForNaiveStrategies() {
        for (Profile p : ALL) {
            for (String strategy : List.of("start-only", "end-only")) {
                Rig t = thp(p, strategy, false);
                t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
                t.stmt("dma", rw(t));
                int before = t.found.size();
                t.stmt("split", () -> t.w.split(t.a, HUGE, Rig.after("start", rw(t))));
                t.stmt("dma", rw(t));
                assertEquals(before, t.found.size(), p.name() + " " + strategy + ": " + t.found);
            }
        }
    }

    @Test
    void thpHookSequencesFollowTheKernel() {
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), collapseHooks(Profiles.LINUX_3_19));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), collapseHooks(Profiles.LINUX_6_8));
        // 3.16/3.19: two windows, both closed before the PTEs are written; from 4.5 one window
        List<String> two = List.of("invalidate_range_start", "invalidate_range_end", "invalidate_range_start", "invalidate_range_end");
        assertEquals(two, splitHooks(Profiles.LINUX_3_16));
        assertEquals(two, splitHooks(Profiles.LINUX_3_19));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_only_end"), splitHooks(Profiles.LINUX_4_15));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_only_end"), splitHooks(Profiles.LINUX_6_5));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), splitHooks(Profiles.LINUX_6_8));
    }

    private static List<String> collapseHooks(Profile p) {
        Rig t = thp(p, "range", false);
        t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
        return hooks(t);
    }

    private static List<String> splitHooks(Profile p) {
        Rig t = thp(p, "range", false);
        t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
        t.stmt("split", () -> t.w.split(t.a, HUGE, PhaseListener.NONE));
        return hooks(t);
    }

    /** khugepaged asks ->test_young for PTEs that are not young; `range` does not implement it, so an aged range stays small. */
    @Test
    void anAgedRangeIsNotCollapsedAndTestYoungWasAsked() {
        Rig t = thp(Profiles.LINUX_4_15, "range", false);
        t.stmt("age", () -> t.w.age(t.a, r(HUGE, 4 * Addr.PAGE_SIZE), PhaseListener.NONE));
        t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
        assertEquals(List.of("test_young", "test_young", "test_young", "test_young"), hooks(t));
        assertFalse(t.a.pageTable().isHuge(HUGE));
    }

    @Test
    void hugePagesSurviveForkAndMunmap() {
        Rig t = thp(Profiles.LINUX_6_8, "arch-tlbs", true);
        t.stmt("collapse", () -> t.w.collapse(t.a, HUGE, PhaseListener.NONE));
        int base = Pte.pfn(t.a.pageTable().get(HUGE));
        t.stmt("fork", () -> t.w.fork(t.a, "B", PhaseListener.NONE));
        t.stmt("munmap", () -> t.w.munmap(t.a, r(HUGE, Addr.PMD_SIZE), PhaseListener.NONE));
        assertEquals(FrameKind.USER, t.w.memory().kind(base + 7)); // B still maps it
        t.stmt("exit B", () -> t.w.exit(t.w.space("B"), PhaseListener.NONE));
        assertEquals(FrameKind.FREE, t.w.memory().kind(base + 7));
        assertTrue(t.found.isEmpty(), t.found.toString());
        assertThrows(EngineException.class, () -> t.w.split(t.a, HUGE, PhaseListener.NONE));
    }

    // ---------------------------------------------------------------- retract (file)

    private static Rig file(Profile p) {
        Rig t = new Rig(p, "range", 8, true, 64 * 1024);
        t.w.map(t.a, r(FILE, Addr.PMD_SIZE), Vma.READ, "lib.so", false, true, false);
        t.stmt("use", () -> t.w.dma(t.gpu, t.a, FILE, false));
        return t;
    }

    /** A device write to the read-only text: the walk caches the PMD's pointer to the PTE table, then the request fails. */
    private static PhaseListener rewalk(Rig t) {
        return Rig.after("unmap", () -> assertEquals(Device.AccessResult.Status.INVALID, t.w.dma(t.gpu, t.a, FILE, true).status()));
    }

    /** kernel-reference §7 #9: 4.15 frees the retracted page table with no hook; the device's walk cache still points at it. */
    @Test
    void retractFreesThePageTableWithNoHookBeforeTheFix() {
        Rig t = file(Profiles.LINUX_4_15);
        List<String> phases = new ArrayList<>();
        t.stmt("collapse", () -> t.w.collapse(t.a, FILE, ph -> {
            phases.add(ph);
            rewalk(t).after(ph);
        }));
        assertEquals(List.of("unmap", "start", "clear-pmd", "end", "free-table"), phases);
        assertTrue(t.has(ViolationKind.STALE_WALK_CACHE), t.found.toString());
        assertEquals("free-table", t.of(ViolationKind.STALE_WALK_CACHE).get(0).phase());
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig f = file(p);
            f.stmt("collapse", () -> f.w.collapse(f.a, FILE, rewalk(f)));
            assertTrue(f.found.isEmpty(), p.name() + ": " + f.found);
        }
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19)) {
            Rig f = file(p);
            assertThrows(EngineException.class, () -> f.w.collapse(f.a, FILE, PhaseListener.NONE));
        }
    }
}
