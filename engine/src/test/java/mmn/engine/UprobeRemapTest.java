package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.ProfileReport;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.Sites;
import static mmn.engine.OpsTestSupport.ALL;
import static mmn.engine.OpsTestSupport.WITH_RANGE;
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** uprobes' __replace_page and remap_file_pages, across profiles. */
class UprobeRemapTest {
    private static final long TEXT = 0x600000;
    private static final long DATA = 0x700000;

    /** A rig with a private r-x text mapping whose first page the device has read. */
    private static Rig text(Profile p, String strategy) {
        Rig t = new Rig(p, strategy, 8);
        t.w.map(t.a, r(TEXT, 4 * Addr.PAGE_SIZE), Vma.READ | Vma.EXEC, "prog", false, false, false);
        t.stmt("dma", () -> t.w.dma(t.gpu, t.a, TEXT, false));
        return t;
    }

    private static Runnable read(Rig t, long va) {
        return () -> t.w.dma(t.gpu, t.a, va, false);
    }

    @Test
    void uprobeReplacesTheTextPageWithABreakpointCopy() {
        Rig t = text(Profiles.LINUX_4_15, "range");
        int old = Pte.pfn(t.a.pageTable().get(TEXT));
        List<String> phases = new ArrayList<>();
        t.stmt("uprobe", () -> t.w.uprobe(t.a, TEXT, phases::add));
        assertEquals(List.of("start", "clear", "set", "unlock", "end"), phases);
        int fresh = Pte.pfn(t.a.pageTable().get(TEXT));
        assertNotEquals(old, fresh);
        assertNotEquals(t.w.memory().value(old), t.w.memory().value(fresh));
        assertEquals(FrameKind.USER, t.w.memory().kind(old)); // the page cache keeps it
        assertEquals(1, t.w.memory().refcount(old));
        t.stmt("dma", () -> assertEquals(fresh, t.w.dma(t.gpu, t.a, TEXT, false).pfn()));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void uprobeWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : Operations.phases("uprobe")) {
                Rig t = text(p, "range");
                t.stmt("uprobe", () -> t.w.uprobe(t.a, TEXT, Rig.after(phase, read(t, TEXT))));
                t.stmt("dma", read(t, TEXT));
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
            }
        }
    }

    /** A new page with different content (case B): the device must be told under the PTL. */
    @Test
    void uprobeCatchesEndOnlyEverywhereAndRangeIn316() {
        for (Profile p : ALL) {
            Rig e = text(p, "end-only");
            e.stmt("uprobe", () -> e.w.uprobe(e.a, TEXT, PhaseListener.NONE));
            assertTrue(e.has(ViolationKind.STALE_TRANSLATION), p.name() + ": " + e.found);
            assertEquals("set", e.of(ViolationKind.STALE_TRANSLATION).get(0).phase());
            Rig s = text(p, "start-only");
            s.stmt("uprobe", () -> s.w.uprobe(s.a, TEXT, Rig.after("start", read(s, TEXT))));
            assertTrue(s.has(ViolationKind.STALE_TRANSLATION), p.name() + ": " + s.found);
        }
        Rig old = text(Profiles.LINUX_3_16, "range");
        old.stmt("uprobe", () -> old.w.uprobe(old.a, TEXT, PhaseListener.NONE));
        assertTrue(old.has(ViolationKind.STALE_TRANSLATION), old.found.toString());
    }

    @Test
    void uprobeHookSequencesFollowTheKernel() {
        assertEquals(List.of("invalidate_range_start", "change_pte", "invalidate_range_end"), uprobeHooks(Profiles.LINUX_3_16));
        for (Profile p : List.of(Profiles.LINUX_3_19, Profiles.LINUX_4_15, Profiles.LINUX_6_5))
            assertEquals(List.of("invalidate_range_start", "invalidate_range", "change_pte", "invalidate_range_end"), uprobeHooks(p), p.name());
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "change_pte", "invalidate_range_end"),
                uprobeHooks(Profiles.LINUX_6_8));
    }

    private static List<String> uprobeHooks(Profile p) {
        Rig t = text(p, "range");
        t.stmt("uprobe", () -> t.w.uprobe(t.a, TEXT, PhaseListener.NONE));
        return hooks(t);
    }

    @Test
    void uprobeNeedsAFileMapping() {
        Rig t = new Rig(Profiles.LINUX_6_8, "range", 8);
        t.touchAll(Rig.BASE, 1);
        assertThrows(EngineException.class, () -> t.w.uprobe(t.a, Rig.BASE, PhaseListener.NONE));
    }

    // ---------------------------------------------------------------- remap_file_pages

    /** A rig with a shared file mapping whose first two pages the CPU and the device have used. */
    private static Rig data(Profile p, String strategy) {
        Rig t = new Rig(p, strategy, 8);
        t.w.map(t.a, r(DATA, 4 * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, "data", true, false, false);
        t.stmt("use", () -> {
            for (int i = 0; i < 4; i++) t.w.touch(t.a, DATA + i * Addr.PAGE_SIZE, false);
            t.w.dma(t.gpu, t.a, DATA, false);
            t.w.dma(t.gpu, t.a, DATA + Addr.PAGE_SIZE, false);
        });
        return t;
    }

    @Test
    void remapPointsTheRangeAtOtherFilePages() {
        Rig t = data(Profiles.LINUX_3_19, "range");
        int page2 = Pte.pfn(t.a.pageTable().get(DATA + 2 * Addr.PAGE_SIZE));
        int page0 = Pte.pfn(t.a.pageTable().get(DATA));
        List<String> phases = new ArrayList<>();
        t.stmt("remap", () -> t.w.remap(t.a, r(DATA, 2 * Addr.PAGE_SIZE), phases::add));
        assertEquals(List.of("start", "clear", "clear", "end"), phases);
        assertTrue(Pte.isFile(t.a.pageTable().get(DATA)));
        assertEquals(FrameKind.USER, t.w.memory().kind(page0)); // the page cache keeps it
        // the nonlinear fault maps file page 2 at DATA: the same frame as at DATA + 2 pages
        t.stmt("dma", () -> assertEquals(page2, t.w.dma(t.gpu, t.a, DATA, false).pfn()));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void remapWithRangeIsCoherentIn319AndCaughtIn316() {
        for (String phase : Operations.phases("remap")) {
            Rig t = data(Profiles.LINUX_3_19, "range");
            t.stmt("remap", () -> t.w.remap(t.a, r(DATA, 2 * Addr.PAGE_SIZE), Rig.after(phase, read(t, DATA))));
            t.stmt("dma", read(t, DATA));
            assertTrue(t.found.isEmpty(), "after " + phase + ": " + t.found);
        }
        Rig old = data(Profiles.LINUX_3_16, "range");
        old.stmt("remap", () -> old.w.remap(old.a, r(DATA, 2 * Addr.PAGE_SIZE), PhaseListener.NONE));
        assertEquals(2, old.of(ViolationKind.STALE_TRANSLATION).size(), old.found.toString());
        // start-only: a refill after start outlives the zap
        Rig s = data(Profiles.LINUX_3_19, "start-only");
        s.stmt("remap", () -> s.w.remap(s.a, r(DATA, 2 * Addr.PAGE_SIZE), Rig.after("start", read(s, DATA))));
        assertTrue(s.has(ViolationKind.STALE_TRANSLATION), s.found.toString());
    }

    @Test
    void remapHooksIn316And319() {
        Rig t16 = data(Profiles.LINUX_3_16, "range");
        t16.stmt("remap", () -> t16.w.remap(t16.a, r(DATA, 2 * Addr.PAGE_SIZE), PhaseListener.NONE));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), hooks(t16));
        Rig t19 = data(Profiles.LINUX_3_19, "range");
        t19.stmt("remap", () -> t19.w.remap(t19.a, r(DATA, 2 * Addr.PAGE_SIZE), PhaseListener.NONE));
        assertEquals(List.of("invalidate_range_start", "invalidate_range", "invalidate_range", "invalidate_range_end"), hooks(t19));
    }

    /**
     * 4.0+ mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): pr_warn_once, then
     * do_mmap(MAP_SHARED|MAP_FIXED|MAP_POPULATE, pgoff) (do_mmap_pgoff in 4.15):
     * mmap_region's do_munmap fires munmap's hooks over the range, a new VMA at pgoff is
     * linked, and mm_populate read-faults each page in with no hook.
     */
    @Test
    void remapIsAnMmapEmulationFrom40() {
        for (Profile p : List.of(Profiles.LINUX_4_15, Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = data(p, "range");
            int page2 = Pte.pfn(t.a.pageTable().get(DATA + 2 * Addr.PAGE_SIZE));
            List<String> phases = new ArrayList<>();
            t.stmt("remap", () -> t.w.remap(t.a, r(DATA, 2 * Addr.PAGE_SIZE), phases::add));
            assertEquals(List.of("start", "clear", "end", "unlink-tables", "flush", "free", "map", "populate", "populate"), phases, p.name());
            Rig m = data(p, "range");
            m.stmt("munmap", () -> m.w.munmap(m.a, r(DATA, 2 * Addr.PAGE_SIZE), PhaseListener.NONE));
            assertEquals(hooks(m), hooks(t), p.name() + ": the emulation fires munmap's hooks");
            assertEquals(page2, Pte.pfn(t.a.pageTable().get(DATA)), p.name() + ": populated from file page 2");
            assertTrue(Pte.present(t.a.pageTable().get(DATA + Addr.PAGE_SIZE)));
            List<String> log = t.w.takeKernelLog();
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).contains("uses deprecated remap_file_pages() syscall"), log.get(0));
            t.stmt("remap again", () -> t.w.remap(t.a, r(DATA, 2 * Addr.PAGE_SIZE), PhaseListener.NONE));
            assertEquals(List.of(), t.w.takeKernelLog(), "pr_warn_once");
            t.stmt("dma", () -> assertEquals(Pte.pfn(t.a.pageTable().get(DATA)), t.w.dma(t.gpu, t.a, DATA, false).pfn()));
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
            assertTrue(p.row(Sites.REMAP_EMULATE).cite().startsWith("mm/mmap.c SYSCALL_DEFINE5(remap_file_pages) -> pr_warn_once, do_mmap"));
        }
        String diff = ProfileReport.diff(Profiles.LINUX_3_19, Profiles.LINUX_4_15, "remap");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("* flag: remap_file_pages is an mmap") && l.endsWith("no | yes")), diff);
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("*") && l.contains("mm/fremap.c remap_file_pages")), diff);
    }
}
