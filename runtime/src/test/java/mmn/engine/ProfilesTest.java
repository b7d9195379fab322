package mmn.engine;

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
        assertEquals(List.of(), Profiles.LINUX_6_5.row(Sites.MPROTECT_FLUSH).hooks());
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
}
