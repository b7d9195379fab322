package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.OpsTestSupport.ALL;
import static mmn.engine.OpsTestSupport.WITH_RANGE;
import static mmn.engine.OpsTestSupport.dmaRw;
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.OpsTestSupport.warmed;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KSM (write_protect_page, replace_page) and page aging (clear_flush_young), across profiles. */
class KsmAgeTest {
    private static final long B2 = BASE + Addr.PAGE_SIZE;

    private static void merge(Rig t, PhaseListener l) {
        t.stmt("ksm", () -> t.w.ksm(t.a, BASE, t.a, B2, l));
    }

    @Test
    void ksmMergesIntoOneWriteProtectedFrameAndFreesTheOther() {
        Rig t = warmed(Profiles.LINUX_3_19, "range", 2);
        int kpage = Pte.pfn(t.a.pageTable().get(BASE)), old = Pte.pfn(t.a.pageTable().get(B2));
        List<String> phases = new ArrayList<>();
        merge(t, phases::add);
        assertEquals(List.of("protect-start", "protect-clear", "protect-set", "protect-end",
                "protect-start", "protect-clear", "protect-set", "protect-end",
                "replace-start", "replace-clear", "replace-set", "replace-end", "free"), phases);
        long p1 = t.a.pageTable().get(BASE), p2 = t.a.pageTable().get(B2);
        assertEquals(kpage, Pte.pfn(p1));
        assertEquals(kpage, Pte.pfn(p2));
        assertFalse(Pte.writable(p1) || Pte.writable(p2));
        assertEquals(2, t.w.memory().mapcount(kpage));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        assertTrue(t.found.isEmpty(), t.found.toString());
        // a write breaks the merge again with a COW
        t.stmt("cow", () -> t.w.cow(t.a, B2, PhaseListener.NONE));
        assertTrue(Pte.pfn(t.a.pageTable().get(B2)) != kpage);
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    /** Two processes with the same page: b's frame is replaced by a's, in b's page table. */
    @Test
    void ksmAcrossTwoSpaces() {
        Rig t = warmed(Profiles.LINUX_6_5, "range", 1);
        Space b = t.w.createSpace("B");
        t.w.map(b, r(BASE, Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        t.stmt("touch B", () -> t.w.touch(b, BASE, true));
        int kpage = Pte.pfn(t.a.pageTable().get(BASE)), old = Pte.pfn(b.pageTable().get(BASE));
        t.stmt("ksm", () -> t.w.ksm(t.a, BASE, b, BASE, PhaseListener.NONE));
        assertEquals(kpage, Pte.pfn(b.pageTable().get(BASE)));
        assertEquals(FrameKind.FREE, t.w.memory().kind(old));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void ksmWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : Operations.phases("ksm")) {
                Rig t = warmed(p, "range", 2);
                merge(t, Rig.after(phase, dmaRw(t, 2)));
                t.dmaAll(BASE, 2, false);
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
            }
        }
    }

    @Test
    void ksmCatchesNaiveStrategiesAndThe316Range() {
        for (Profile p : ALL) {
            // start-only: a read refill after replace_page's start outlives the free of the old page
            Rig s = warmed(p, "start-only", 2);
            merge(s, Rig.after("replace-start", () -> s.w.dma(s.gpu, s.a, B2, false)));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + " start-only: " + s.found);
            // end-only: every window ends before the free
            Rig e = warmed(p, "end-only", 2);
            merge(e, PhaseListener.NONE);
            assertTrue(e.found.isEmpty(), p.name() + " end-only: " + e.found);
        }
        // 3.16 has no invalidate_range: the writable entry survives the write-protect and the repoint
        Rig old = warmed(Profiles.LINUX_3_16, "range", 2);
        merge(old, PhaseListener.NONE);
        // the writable entry is reported at the repoint; the same entry is not reported again at the free
        assertEquals(2, old.of(ViolationKind.STALE_TRANSLATION).size(), old.found.toString());
        assertEquals("replace-set", old.of(ViolationKind.STALE_TRANSLATION).get(0).phase());
    }

    /** 4.15/6.5 notify a KSM write-protect only at end: a read-only refill of identical content is allowed (kernel-reference §5.2). */
    @Test
    void aReadOnlySameContentEntryAtTheRepointIsAllowed() {
        Rig t = warmed(Profiles.LINUX_4_15, "range", 2);
        merge(t, Rig.after("replace-start", () -> t.w.dma(t.gpu, t.a, B2, false)));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void ksmHookSequencesFollowTheKernel() {
        assertEquals(times(3, "invalidate_range_start", "change_pte", "invalidate_range_end"), ksmHooks(Profiles.LINUX_3_16));
        assertEquals(times(3, "invalidate_range_start", "invalidate_range", "change_pte", "invalidate_range_end"), ksmHooks(Profiles.LINUX_3_19));
        assertEquals(times(3, "invalidate_range_start", "change_pte", "invalidate_range_end"), ksmHooks(Profiles.LINUX_4_15));
        assertEquals(times(3, "invalidate_range_start", "change_pte", "invalidate_range_end"), ksmHooks(Profiles.LINUX_6_5));
        assertEquals(times(3, "invalidate_range_start", "arch_invalidate_secondary_tlbs", "change_pte", "invalidate_range_end"),
                ksmHooks(Profiles.LINUX_6_8));
    }

    private static List<String> times(int n, String... hooks) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) Collections.addAll(out, hooks);
        return out;
    }

    private static List<String> ksmHooks(Profile p) {
        Rig t = warmed(p, "range", 2);
        merge(t, PhaseListener.NONE);
        return hooks(t);
    }

    // ---------------------------------------------------------------- age

    @Test
    void ageClearsTheYoungBitAndIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : Operations.phases("age")) {
                Rig t = warmed(p, "range", 2);
                List<String> phases = new ArrayList<>();
                t.stmt("age", () -> t.w.age(t.a, r(BASE, 2 * Addr.PAGE_SIZE), ph -> {
                    phases.add(ph);
                    if (ph.equals(phase)) dmaRw(t, 2).run();
                }));
                assertEquals(List.of("clear-young", "unlock", "clear-young", "unlock"), phases);
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
            }
        }
    }

    /**
     * Aging is never a coherence hazard: naive strategies stay coherent. What clear_flush_young
     * buys is visibility: `range` flushes the device on it, so the device's next access walks
     * and sets the young bit again; start-only hears nothing and its ATC hit leaves the page old.
     */
    @Test
    void clearFlushYoungMakesDeviceAccessesVisibleToAging() {
        for (String strategy : List.of("range", "start-only", "end-only")) {
            Rig t = warmed(Profiles.LINUX_3_19, strategy, 1);
            t.stmt("age", () -> t.w.age(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
            assertFalse(Pte.young(t.a.pageTable().get(BASE)), strategy);
            t.dmaAll(BASE, 1, false);
            assertEquals(strategy.equals("range"), Pte.young(t.a.pageTable().get(BASE)), strategy);
            assertTrue(t.found.isEmpty(), strategy + ": " + t.found);
        }
    }

    @Test
    void ageHookSequencesFollowTheKernelAndTheArch() {
        for (Profile p : ALL) assertEquals(List.of("clear_flush_young"), ageHooks(p, "x86"), p.name());
        assertEquals(List.of("clear_flush_young"), ageHooks(Profiles.LINUX_6_5, "arm64"));
        // 6.6+: arm64's ptep_clear_flush_young flushes a young PTE, and the flush notifies
        assertEquals(List.of("arch_invalidate_secondary_tlbs", "clear_flush_young"), ageHooks(Profiles.LINUX_6_8, "arm64"));
    }

    private static List<String> ageHooks(Profile p, String arch) {
        Rig t = warmed(p, "range", 1);
        t.w.setArch(arch);
        t.stmt("age", () -> t.w.age(t.a, r(BASE, Addr.PAGE_SIZE), PhaseListener.NONE));
        return hooks(t);
    }
}
