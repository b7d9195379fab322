package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.ProfileReport;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.Sites;
import static mmn.engine.OpsTestSupport.ALL;
import static mmn.engine.OpsTestSupport.WITH_RANGE;
import static mmn.engine.OpsTestSupport.dmaRw;
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.OpsTestSupport.warmed;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** migrate and reclaim: try_to_unmap_one with migration and swap entries, across profiles. */
class MigrateReclaimTest {
    private static final long TWO = 2 * Addr.PAGE_SIZE;

    // ---------------------------------------------------------------- migrate

    @Test
    void migrateMovesTheDataToANewFrameAndFreesTheOldOne() {
        Rig t = warmed(Profiles.LINUX_3_19, "range", 1);
        int old = Pte.pfn(t.a.pageTable().get(BASE));
        long value = t.w.memory().value(old);
        List<String> phases = new ArrayList<>();
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), phases::add));
        assertEquals(List.of("start", "clear", "unlock", "end", "copy", "remap", "free"), phases);
        long pte = t.a.pageTable().get(BASE);
        assertNotEquals(old, Pte.pfn(pte));
        assertTrue(Pte.present(pte) && Pte.writable(pte), Pte.describe(pte));
        assertEquals(value, t.w.memory().value(Pte.pfn(pte)));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void migrateWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : ALL) {
            for (String phase : Operations.phases("migrate")) {
                Rig t = warmed(p, "range", 2);
                t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, TWO), Rig.after(phase, dmaRw(t, 2))));
                t.dmaAll(BASE, 2, true);
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
                assertTrue(!t.gpu.failed() && t.gpu.faults() < 16, p.name() + " " + phase + ": " + t.gpu.faults() + " faults");
            }
        }
    }

    /** A device access that finds the migration entry waits for the migration; it does not fault again and again. */
    @Test
    void aDeviceAccessDuringMigrationWaits() {
        Rig t = warmed(Profiles.LINUX_4_15, "range", 1);
        List<Device.AccessResult> res = new ArrayList<>();
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE),
                Rig.after("copy", () -> res.add(t.w.dma(t.gpu, t.a, BASE, true)))));
        assertEquals(Device.AccessResult.Status.STALLED, res.get(0).status());
        assertEquals(1, t.gpu.faults());
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void startOnlyIsCaughtEverywhereEndOnlyOnlyBeforeTheStartEndBracket() {
        for (Profile p : ALL) {
            // start-only: a refill after start (or no start at all in 3.16/3.19) outlives the clear
            Rig s = warmed(p, "start-only", 1);
            s.stmt("migrate", () -> s.w.migrate(s.a, r(BASE, Addr.PAGE_SIZE), Rig.after("start", dmaRw(s, 1))));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + " start-only: " + s.found);
            // end-only: 3.16/3.19 try_to_unmap_one has no end, so the entry outlives the free
            Rig e = warmed(p, "end-only", 1);
            e.stmt("migrate", () -> e.w.migrate(e.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
            boolean bracketed = p.hasSite(Sites.MIGRATE_END) && p.row(Sites.MIGRATE_END).hooks().contains(Hook.INVALIDATE_RANGE_END);
            assertEquals(!bracketed, e.has(ViolationKind.USE_AFTER_FREE), p.name() + " end-only: " + e.found);
        }
    }

    /** After the copy, a write through a stale entry goes to the old frame: lost. */
    @Test
    void aWriteThroughAStaleEntryAfterTheCopyIsLost() {
        Rig t = warmed(Profiles.LINUX_3_19, "start-only", 1);
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), Rig.after("copy", () -> t.w.dma(t.gpu, t.a, BASE, true))));
        assertTrue(t.has(ViolationKind.LOST_WRITE), t.found.toString());
        // before the copy the same write is carried over to the new page
        Rig u = warmed(Profiles.LINUX_3_19, "start-only", 1);
        u.stmt("migrate", () -> u.w.migrate(u.a, r(BASE, Addr.PAGE_SIZE), Rig.after("clear", () -> u.w.dma(u.gpu, u.a, BASE, true))));
        assertTrue(u.of(ViolationKind.LOST_WRITE).isEmpty(), u.found.toString());
    }

    @Test
    void migrateHookSequencesFollowTheKernel() {
        assertEquals(List.of("invalidate_page"), migrateHooks(Profiles.LINUX_3_16));
        assertEquals(List.of("invalidate_page"), migrateHooks(Profiles.LINUX_3_19));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), migrateHooks(Profiles.LINUX_4_15));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), migrateHooks(Profiles.LINUX_6_5));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), migrateHooks(Profiles.LINUX_6_8));
    }

    private static List<String> migrateHooks(Profile p) {
        Rig t = warmed(p, "range", 1);
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        return hooks(t);
    }

    /** 3.16: invalidate_page comes after the PTL is dropped; the trace shows the order. */
    @Test
    void invalidatePageFollowsTheUnlockIn316() {
        Rig t = warmed(Profiles.LINUX_3_16, "range", 1);
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        List<String> seq = t.w.hooksThisStatement();
        int unlock = seq.indexOf("[migrate: unlock]"), clear = seq.indexOf("[migrate: clear]");
        int ip = -1;
        for (int i = 0; i < seq.size(); i++) if (seq.get(i).startsWith("invalidate_page")) ip = i;
        assertTrue(clear < ip && ip < unlock, seq.toString());
    }

    @Test
    void migrateFollowsEveryMappingOfASharedPage() {
        Rig t = warmed(Profiles.LINUX_4_15, "range", 1);
        t.stmt("fork", () -> t.w.fork(t.a, "B", PhaseListener.NONE));
        Space b = t.w.space("B");
        int old = Pte.pfn(t.a.pageTable().get(BASE));
        List<String> phases = new ArrayList<>();
        t.stmt("migrate", () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), phases::add));
        assertEquals(List.of("start", "clear", "unlock", "end", "start", "clear", "unlock", "end", "copy", "remap", "remap", "free"), phases);
        int fresh = Pte.pfn(t.a.pageTable().get(BASE));
        assertEquals(fresh, Pte.pfn(b.pageTable().get(BASE)));
        assertEquals(2, t.w.memory().mapcount(fresh));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    /** A page-cache page: migrate_page_move_mapping moves the cache's slot to the new frame. */
    @Test
    void migrateOfAFilePageMovesThePageCacheEntry() {
        Rig t = new Rig(Profiles.LINUX_6_8, "arch-tlbs", 8);
        long file = 0x600000;
        t.w.map(t.a, r(file, Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, "data", true, false, false);
        t.stmt("touch", () -> t.w.touch(t.a, file, true));
        int old = Pte.pfn(t.a.pageTable().get(file));
        t.stmt("migrate", () -> t.w.migrate(t.a, r(file, Addr.PAGE_SIZE), PhaseListener.NONE));
        int fresh = Pte.pfn(t.a.pageTable().get(file));
        assertNotEquals(old, fresh);
        assertEquals(fresh, t.w.pageCache.find("data", 0L));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        assertEquals(2, t.w.memory().refcount(fresh)); // the mapping and the page cache
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void migrateOfNothingIsAnError() {
        Rig t = new Rig(Profiles.LINUX_3_19, "range", 8);
        assertThrows(EngineException.class, () -> t.w.migrate(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
    }

    // ---------------------------------------------------------------- reclaim

    @Test
    void reclaimSwapsOutAndADeviceReadSwapsBackIn() {
        Rig t = warmed(Profiles.LINUX_6_8, "arch-tlbs", 1);
        int old = Pte.pfn(t.a.pageTable().get(BASE));
        long value = t.w.memory().value(old);
        List<String> phases = new ArrayList<>();
        t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), phases::add));
        assertEquals(List.of("start", "clear", "unlock", "end", "flush", "writeback", "free"), phases);
        assertTrue(Pte.isSwap(t.a.pageTable().get(BASE)));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        t.stmt("dma", () -> assertEquals(Device.AccessResult.Status.OK, t.w.dma(t.gpu, t.a, BASE, false).status()));
        long pte = t.a.pageTable().get(BASE);
        assertTrue(Pte.present(pte));
        assertEquals(value, t.w.memory().value(Pte.pfn(pte)));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void reclaimWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : Operations.phases("reclaim")) {
                Rig t = aged(p, "range", 2);
                t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, TWO), Rig.after(phase, dmaRw(t, 2))));
                t.dmaAll(BASE, 2, true);
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
                assertTrue(!t.gpu.failed() && t.gpu.faults() < 16, p.name() + " " + phase + ": " + t.gpu.faults() + " faults");
            }
        }
    }

    /** A device fault between the unmap and the free maps the swap-cache page again: reclaim must not free it. */
    @Test
    void aPageFaultedBackInIsNotFreed() {
        Rig t = warmed(Profiles.LINUX_3_19, "range", 1);
        int old = Pte.pfn(t.a.pageTable().get(BASE));
        t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), Rig.after("end", () -> t.w.dma(t.gpu, t.a, BASE, false))));
        assertEquals(old, Pte.pfn(t.a.pageTable().get(BASE)));
        assertEquals(FrameKind.USER, t.w.memory().kind(old));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void reclaimCatchesNaiveStrategiesWhereTheKernelMakesThemUnsafe() {
        for (Profile p : ALL) {
            Rig s = aged(p, "start-only", 1);
            // a device access after start sets the PTE's accessed bit: 3.16-4.15's young test would keep the page, so
            // the refill that start-only misses is the one after that test
            String refill = p.row(Sites.RECLAIM_YOUNG).hooks().isEmpty() ? "start" : "young";
            s.stmt("reclaim", () -> s.w.reclaim(s.a, r(BASE, Addr.PAGE_SIZE), Rig.after(refill, () -> s.w.dma(s.gpu, s.a, BASE, false))));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + " start-only: " + s.found);
            Rig e = aged(p, "end-only", 1);
            e.stmt("reclaim", () -> e.w.reclaim(e.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
            boolean hasEnd = p.row(Sites.RECLAIM_END).hooks().contains(Hook.INVALIDATE_RANGE_END);
            assertEquals(!hasEnd, e.has(ViolationKind.USE_AFTER_FREE), p.name() + " end-only: " + e.found);
        }
    }

    @Test
    void reclaimHookSequencesFollowTheKernel() {
        // 3.16-4.15: try_to_unmap_one's young test (ptep_clear_flush_young_notify) comes first, under the PTL
        assertEquals(List.of("clear_flush_young", "invalidate_page"), reclaimHooks(Profiles.LINUX_3_16));
        assertEquals(List.of("clear_flush_young", "invalidate_page"), reclaimHooks(Profiles.LINUX_3_19));
        // 4.15 and 6.5: an in-PTL invalidate_range for the swap-out, then end repeats it
        assertEquals(List.of("invalidate_range_start", "clear_flush_young", "invalidate_range", "invalidate_range_end"), reclaimHooks(Profiles.LINUX_4_15));
        assertEquals(List.of("invalidate_range_start", "invalidate_range", "invalidate_range_end"), reclaimHooks(Profiles.LINUX_6_5));
        // 6.8: the secondary flush goes out for the whole mm when the batched flush is queued
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), reclaimHooks(Profiles.LINUX_6_8));
        Rig t = warmed(Profiles.LINUX_6_8, "arch-tlbs", 1);
        t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        assertTrue(t.w.hooksThisStatement().stream().anyMatch(h -> h.startsWith("arch_invalidate_secondary_tlbs [0, ULONG_MAX]")),
                t.w.hooksThisStatement().toString());
    }

    /**
     * mm/rmap.c try_to_unmap_one in 3.16, 3.19 and 4.15 (reclaim passes no
     * TTU_IGNORE_ACCESS): ptep_clear_flush_young_notify under the PTL before the PTE is
     * cleared; young in the PTE or to a subscriber abandons the unmap (SWAP_FAIL / ret =
     * false): the PTE stays, 3.x fires no invalidate_page, 4.15 still fires end, and
     * shrink_page_list reactivates the page. 6.5 has no such test.
     */
    @Test
    void reclaimAbandonsAYoungPageUpTo415() {
        for (Profile p : ALL) {
            Rig t = warmed(p, "range", 1); // the CPU wrote it: the PTE is young
            int pfn = Pte.pfn(t.a.pageTable().get(BASE));
            t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
            boolean keeps = p.row(Sites.RECLAIM_YOUNG).hooks().contains(Hook.CLEAR_FLUSH_YOUNG);
            assertEquals(keeps, p == Profiles.LINUX_3_16 || p == Profiles.LINUX_3_19 || p == Profiles.LINUX_4_15, p.name());
            assertEquals(keeps, Pte.present(t.a.pageTable().get(BASE)), p.name());
            assertEquals(keeps ? FrameKind.USER : FrameKind.FREE, t.w.memory().kind(pfn), p.name());
            List<String> hooks = hooks(t);
            if (p == Profiles.LINUX_3_16 || p == Profiles.LINUX_3_19) assertEquals(List.of("clear_flush_young"), hooks, p.name());
            if (p == Profiles.LINUX_4_15) assertEquals(List.of("invalidate_range_start", "clear_flush_young", "invalidate_range_end"), hooks);
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
        }
        assertTrue(Profiles.LINUX_3_16.row(Sites.RECLAIM_YOUNG).cite().startsWith("mm/rmap.c try_to_unmap_one -> ptep_clear_flush_young_notify"));
        String diff = ProfileReport.diff(Profiles.LINUX_4_15, Profiles.LINUX_6_5, "reclaim");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("*") && l.contains("under the PTL: ptep_clear_flush_young") && l.contains("| clear_flush_young")), diff);
    }

    /**
     * KVM answers ->clear_flush_young from its SPTEs' accessed bits (kvm_age_hva ->
     * kvm_age_rmapp / mmu_spte_age): a page the guest just touched is kept by 3.16-4.15
     * reclaim even though the CPU PTE is old; once aged (the bit cleared) it is swapped.
     */
    @Test
    void aGuestTouchedPageIsKeptByReclaimUntilAged() {
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19, Profiles.LINUX_4_15, Profiles.LINUX_6_5)) {
            DriverRig t = new DriverRig(p, "kvm", "kvm");
            t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
            t.stmt("age", () -> t.w.age(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE)); // PTE old; no SPTE yet
            t.stmt("guest access", () -> t.w.dma(t.dev, t.a, BASE, false));
            t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
            boolean young = p != Profiles.LINUX_6_5;
            assertEquals(young, Pte.present(t.a.pageTable().get(BASE)), p.name() + ": the guest's accessed bit keeps the page");
            if (young) {
                t.stmt("age", () -> t.w.age(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE)); // clears the SPTE's accessed bit
                t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
                assertTrue(Pte.isSwap(t.a.pageTable().get(BASE)), p.name() + ": aged, it is swapped out");
            }
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
        }
    }

    /** A warmed space whose pages were aged once: old PTEs, so 3.16-4.15 reclaim unmaps them. */
    private static Rig aged(Profile p, String strategy, int pages) {
        Rig t = warmed(p, strategy, pages);
        t.stmt("age", () -> t.w.age(t.a, r(BASE, pages * Addr.PAGE_SIZE), PhaseListener.NONE));
        return t;
    }

    private static List<String> reclaimHooks(Profile p) {
        Rig t = aged(p, "range", 1);
        t.stmt("reclaim", () -> t.w.reclaim(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        return hooks(t);
    }
}
