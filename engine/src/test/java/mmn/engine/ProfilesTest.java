package mmn.engine;

import mmn.engine.check.Trace;
import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.ProfileReport;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.SiteRow;
import mmn.engine.profile.Sites;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Profile tables: citations, the hooks they fire, and behaviour that differs by version. */
class ProfilesTest {
    @Test
    void everyRowCitesAKernelFunction() {
        for (Profile p : Profiles.all()) {
            for (SiteRow r : p.rows().values()) {
                assertTrue(r.cite().matches("^(mm|arch|include|kernel|drivers)/.*"), p.name() + " " + r.site() + ": " + r.cite());
            }
            for (String op : Operations.names()) {
                if (!Operations.availableIn(op, p)) continue;
                for (Operations.Step s : Operations.outline(op)) {
                    if (s.site() != null && !Operations.OPTIONAL_SITES.contains(s.site())) assertTrue(p.hasSite(s.site()), p.name() + " lacks " + s.site());
                }
            }
        }
    }

    @Test
    void secondaryTlbHookMovesFromEndToTheArchFlush() {
        assertTrue(Profiles.LINUX_3_19.endCallsRange());
        assertFalse(Profiles.LINUX_6_8.endCallsRange());
        assertEquals("arch_invalidate_secondary_tlbs", Profiles.LINUX_6_8.rangeHookName());
        assertEquals(List.of(), Profiles.LINUX_3_16.row(Sites.GATHER_FINISH).hooks());
        assertEquals(List.of(Hook.INVALIDATE_RANGE), Profiles.LINUX_3_19.row(Sites.GATHER_FINISH).hooks());
        assertEquals(List.of(Hook.INVALIDATE_RANGE), Profiles.LINUX_6_8.row(Sites.MPROTECT_FLUSH).hooks());
        assertEquals(List.of(Hook.INVALIDATE_RANGE), Profiles.LINUX_6_5.row(Sites.MPROTECT_FLUSH).hooks());
        assertEquals(List.of(), Profiles.LINUX_4_15.row(Sites.MPROTECT_FLUSH).hooks());
        String diff = ProfileReport.diff(Profiles.LINUX_3_16, Profiles.LINUX_6_8, "munmap");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("*") && l.contains("tlb_finish_mmu: CPU TLB flush")), diff);
    }

    /** 6.8 fires the hook from the CPU flush only; end no longer does. A device flushed nowhere else stays coherent for munmap. */
    @Test
    void archTlbsUnder68CoherentAndHookedFromFlush() {
        Rig t = new Rig(Profiles.LINUX_6_8, "arch-tlbs", 8, true, 64 * 1024);
        t.touchAll(BASE, 4);
        t.dmaAll(BASE, 4, true);
        t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, 4 * Addr.PAGE_SIZE), PhaseListener.NONE));
        assertTrue(t.found.isEmpty(), t.found.toString());
        List<String> hooks = t.w.trace().events().stream().filter(e -> e.type().equals("hook")).map(Trace.Event::text).toList();
        assertTrue(hooks.stream().anyMatch(h -> h.startsWith("arch_invalidate_secondary_tlbs") && h.contains("tlb_finish_mmu")), hooks.toString());
        assertTrue(hooks.stream().noneMatch(h -> h.contains("from invalidate_range_end")), hooks.toString());
    }

    /**
     * kernel-reference §7 #10: on arm64 an SMMU caches a read-only PTE; a permission upgrade
     * (wp_page_reuse) reached no notifier before 6.6, so the device faults forever. 6.8
     * fires arch_invalidate_secondary_tlbs from the arm64 flush. On x86 the IOMMU re-walks.
     */
    @Test
    void arm64PermissionUpgradeFaultLoopFixedIn68() {
        record Case(Profile p, String arch, boolean fails) {}
        for (Case c : List.of(new Case(Profiles.LINUX_6_5, "arm64", true), new Case(Profiles.LINUX_6_8, "arm64", false),
                new Case(Profiles.LINUX_6_5, "x86", false))) {
            Rig t = new Rig(c.p(), "range", 4);
            t.w.setArch(c.arch());
            t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
            t.stmt("mprotect r", () -> t.w.mprotect(t.a, r(BASE, Addr.PAGE_SIZE), Vma.READ, PhaseListener.NONE));
            t.stmt("dma read", () -> t.w.dma(t.gpu, t.a, BASE, false));
            t.stmt("mprotect rw", () -> t.w.mprotect(t.a, r(BASE, Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, PhaseListener.NONE));
            t.stmt("dma write", () -> t.w.dma(t.gpu, t.a, BASE, true));
            assertEquals(c.fails(), t.gpu.failed(), c + ": " + t.found);
            assertEquals(c.fails(), t.has(ViolationKind.DEVICE_FAILED), c + ": " + t.found);
            if (!c.fails()) assertTrue(t.gpu.lastAccess().ok(), c.toString());
        }
    }

    /**
     * linux-6.5 mm/mprotect.c do_mprotect_pkey: tlb_gather_mmu .. tlb_finish_mmu around
     * the change; tlb_finish_mmu -> tlb_flush_mmu_tlbonly fires invalidate_range over the
     * PTEs change_pte_range queued, after invalidate_range_end. 6.8 fires
     * arch_invalidate_secondary_tlbs from the same flush (tlb_flush -> flush_tlb_mm_range).
     */
    @Test
    void mprotectUnderAnMmuGatherFiresTheSecondaryHookAfterEnd() {
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mprotectHooks(Profiles.LINUX_4_15, Vma.READ));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end", "invalidate_range"), mprotectHooks(Profiles.LINUX_6_5, Vma.READ));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end", "arch_invalidate_secondary_tlbs"), mprotectHooks(Profiles.LINUX_6_8, Vma.READ));
        assertTrue(Profiles.LINUX_6_5.row(Sites.MPROTECT_FLUSH).cite().contains("tlb_finish_mmu -> tlb_flush_mmu"));
        assertTrue(Profiles.LINUX_6_8.row(Sites.MPROTECT_FLUSH).cite().contains("tlb_finish_mmu -> tlb_flush_mmu -> tlb_flush_mmu_tlbonly -> arch/x86/include/asm/tlb.h tlb_flush -> arch/x86/mm/tlb.c flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs"));
        // x86 pte_needs_flush: making a private read-only PTE "rw" demotes nothing, so tlb_finish_mmu flushes nothing
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mprotectHooks(Profiles.LINUX_6_5, Vma.READ | Vma.WRITE));
        String diff = ProfileReport.diff(Profiles.LINUX_4_15, Profiles.LINUX_6_5, "mprotect");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("*") && l.contains("invalidate_range")), diff);
    }

    /** The hooks of one mprotect of a written page (first made read-only when prot is rw, so only the second call is seen). */
    private static List<String> mprotectHooks(Profile p, int prot) {
        Rig t = new Rig(p, "range", 4);
        t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
        if (prot != Vma.READ) t.stmt("mprotect r", () -> t.w.mprotect(t.a, r(BASE, Addr.PAGE_SIZE), Vma.READ, PhaseListener.NONE));
        t.stmt("mprotect", () -> t.w.mprotect(t.a, r(BASE, Addr.PAGE_SIZE), prot, PhaseListener.NONE));
        return t.w.hooksThisStatement().stream().filter(h -> !h.startsWith("[") && !h.startsWith(" ")).map(h -> h.split(" ")[0]).toList();
    }
}
