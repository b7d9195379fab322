package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
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
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hugetlb VMAs: 2M faults, __unmap_hugepage_range, hugetlb_cow/hugetlb_wp, hugetlb_change_protection, PMD sharing. */
class HugetlbTest {
    /** PUD aligned, so a shared file mapping of 1G here can share its PMD page. */
    private static final long H = 0x40000000L;
    private static final long M2 = Addr.PMD_SIZE;
    private static final int RW = Vma.READ | Vma.WRITE;

    /** The rig's A with a 4M private anonymous hugetlb VMA at H whose first 2M page the CPU and gpu used. */
    private static Rig anon(Profile p, String strategy) {
        Rig t = new Rig(p, strategy, 8);
        t.w.map(t.a, r(H, 2 * M2), RW, null, false, false, true);
        t.stmt("use", () -> {
            t.w.touch(t.a, H, true);
            t.w.dma(t.gpu, t.a, H, true);
            t.w.dma(t.gpu, t.a, H + Addr.PAGE_SIZE * 5, true);
        });
        return t;
    }

    private static Runnable rw(Rig t) {
        return () -> {
            t.w.dma(t.gpu, t.a, H, false);
            t.w.dma(t.gpu, t.a, H + 7 * Addr.PAGE_SIZE, true);
            t.w.dma(t.gpu, t.a, H + M2, true);
        };
    }

    @Test
    void aFaultMapsOneHugePageAndEveryDeviceKindCachesItsSubpages() {
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = anon(p, "range");
            long pmd = t.a.pageTable().get(H);
            assertTrue(Pte.huge(pmd) && Pte.writable(pmd));
            assertEquals(0, Pte.pfn(pmd) % Addr.PTRS_PER_TABLE);
            Device gpu2 = t.w.createMirrorDevice("mirror", 0);
            t.w.bind(gpu2, t.a);
            t.w.register("m", t.a, gpu2, "interval");
            Device vm = t.w.createKvmDevice("vm", 0);
            t.w.bind(vm, t.a);
            t.w.register("k", t.a, vm, "kvm");
            t.stmt("dma", () -> {
                assertEquals(Pte.pfn(pmd) + 5, t.w.dma(t.gpu, t.a, H + 5 * Addr.PAGE_SIZE, false).pfn());
                assertEquals(Pte.pfn(pmd) + 9, t.w.dma(gpu2, t.a, H + 9 * Addr.PAGE_SIZE, true).pfn());
                assertEquals(Pte.pfn(pmd) + 511, t.w.dma(vm, t.a, H + 511 * Addr.PAGE_SIZE, true).pfn());
            });
            // the second 2M page is faulted in by a device alone
            t.stmt("dma2", () -> t.w.dma(vm, t.a, H + M2 + Addr.PAGE_SIZE, true));
            assertTrue(Pte.huge(t.a.pageTable().get(H + M2)));
            t.stmt("munmap", () -> t.w.munmap(t.a, r(H, 2 * M2), PhaseListener.NONE));
            assertTrue(t.found.isEmpty(), p.name() + " " + t.found);
        }
    }

    @Test
    void rangeIsCoherentWithDeviceAccessesAtEveryPhaseOfEveryHugetlbOperation() {
        for (Profile p : WITH_RANGE) {
            for (String op : List.of("munmap", "dontneed", "mprotect", "cow", "exit")) {
                if (op.equals("dontneed") && !p.hugetlbDontneed()) continue;
                for (String phase : Operations.phases(op)) {
                    Rig t = anon(p, "range");
                    if (op.equals("cow")) {
                        Space child = t.w.createSpace("C");
                        t.stmt("fork", () -> t.w.fork(t.a, "C", PhaseListener.NONE));
                        assertFalse(Pte.writable(t.a.pageTable().get(H)));
                        assertEquals(Pte.pfn(t.a.pageTable().get(H)), Pte.pfn(child.pageTable().get(H)));
                    }
                    PhaseListener at = Rig.after(phase, rw(t));
                    t.stmt(op, () -> {
                        switch (op) {
                            case "munmap" -> t.w.munmap(t.a, r(H, 2 * M2), at);
                            case "dontneed" -> t.w.dontneed(t.a, r(H, 2 * M2), at);
                            case "mprotect" -> t.w.mprotect(t.a, r(H, 2 * M2), Vma.READ, at);
                            case "cow" -> t.w.cow(t.a, H + Addr.PAGE_SIZE, at);
                            default -> t.w.exit(t.a, at);
                        }
                    });
                    assertTrue(t.found.isEmpty(), p.name() + " " + op + " after " + phase + ": " + t.found);
                }
            }
        }
    }

    @Test
    void hookSequencesFollowEachKernel() {
        // __unmap_hugepage_range: its own window nested in unmap_vmas' in 3.16-4.15, none from 5.x
        Rig t1 = anon(Profiles.LINUX_4_15, "range");
        t1.stmt("munmap", () -> t1.w.munmap(t1.a, r(H, 2 * M2), PhaseListener.NONE));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_start", "invalidate_range_end",
                "invalidate_range_end", "invalidate_range"), hooks(t1));
        Rig t2 = anon(Profiles.LINUX_6_5, "range");
        t2.stmt("munmap", () -> t2.w.munmap(t2.a, r(H, 2 * M2), PhaseListener.NONE));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end", "invalidate_range"), hooks(t2));

        // hugetlb_cow: invalidate_range under the PTL in 3.19-6.5, none in 3.16, the flush's in 6.8
        List<List<String>> cow = new ArrayList<>();
        List<List<String>> prot = new ArrayList<>();
        for (Profile p : ALL) {
            Rig c = anon(p, "range");
            c.w.createSpace("C");
            c.stmt("fork", () -> c.w.fork(c.a, "C", PhaseListener.NONE));
            c.stmt("cow", () -> c.w.cow(c.a, H, PhaseListener.NONE));
            cow.add(hooks(c));
            Rig m = anon(p, "range");
            m.stmt("mprotect", () -> m.w.mprotect(m.a, r(H, 2 * M2), Vma.READ, PhaseListener.NONE));
            prot.add(hooks(m));
            // 3.16's `range` hears no start/end: only its hooks are of interest there
            if (p != Profiles.LINUX_3_16) assertTrue(c.found.isEmpty() && m.found.isEmpty(), p.name() + c.found + m.found);
        }
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), cow.get(0));
        assertEquals(List.of("invalidate_range_start", "invalidate_range", "invalidate_range_end"), cow.get(1));
        assertEquals(List.of("invalidate_range_start", "invalidate_range", "invalidate_range_end"), cow.get(3));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), cow.get(4));
        // hugetlb_change_protection: CPU flush before end; invalidate_range there only in 3.19, ASI in 6.8
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), prot.get(0));
        assertEquals(List.of("invalidate_range_start", "invalidate_range", "invalidate_range_end"), prot.get(1));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), prot.get(2));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), prot.get(3));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), prot.get(4));
    }

    @Test
    void theCowFreesTheOldPageOnlyAfterEndAndTheChildKeepsIt() {
        Rig t = anon(Profiles.LINUX_3_19, "range");
        Space child = t.w.createSpace("C");
        t.stmt("fork", () -> t.w.fork(t.a, "C", PhaseListener.NONE));
        int old = Pte.pfn(t.a.pageTable().get(H));
        List<String> phases = new ArrayList<>();
        t.stmt("cow", () -> t.w.cow(t.a, H, phases::add));
        assertEquals(List.of("copy", "start", "clear", "set", "unlock", "end", "put"), phases);
        assertNotEquals(old, Pte.pfn(t.a.pageTable().get(H)));
        assertEquals(old, Pte.pfn(child.pageTable().get(H)));
        // the child is now the sole owner: its write reuses the page in place
        List<String> again = new ArrayList<>();
        t.stmt("cow child", () -> t.w.cow(child, H, again::add));
        assertEquals(List.of("reuse"), again);
        assertEquals(old, Pte.pfn(child.pageTable().get(H)));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void startOnlyAndEndOnlyAreCaughtWhereTheKernelMakesThemUnsafe() {
        for (Profile p : WITH_RANGE) {
            // start-only: the device refills the second 2M page after the first one's forced
            // flush (3.16-4.15's own start inside __unmap_hugepage_range came before that)
            Rig s = anon(p, "start-only");
            s.w.setKnob("gather-batch", 1);
            s.stmt("fill", () -> s.w.dma(s.gpu, s.a, H + M2, true));
            s.stmt("munmap", () -> s.w.munmap(s.a, r(H, 2 * M2), Rig.after("batch-flush", () -> s.w.dma(s.gpu, s.a, H + M2 + 4096, false))));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + " " + s.found);
            assertEquals("batch-flush", s.of(ViolationKind.USE_AFTER_FREE).get(0).phase());
            // end-only: a full batch frees a huge page before end
            Rig e = anon(p, "end-only");
            e.w.setKnob("gather-batch", 1);
            e.stmt("munmap", () -> e.w.munmap(e.a, r(H, 2 * M2), PhaseListener.NONE));
            assertTrue(e.has(ViolationKind.USE_AFTER_FREE), p.name() + " " + e.found);
            assertEquals("batch-flush", e.of(ViolationKind.USE_AFTER_FREE).get(0).phase());
            // end-only COW: the PTE is repointed while the device still maps the old page
            Rig c = anon(p, "end-only");
            c.w.createSpace("C");
            c.stmt("fork", () -> c.w.fork(c.a, "C", PhaseListener.NONE));
            c.stmt("dma", () -> c.w.dma(c.gpu, c.a, H, false));
            c.stmt("cow", () -> c.w.cow(c.a, H, phase -> { }));
            assertEquals("set", c.of(ViolationKind.STALE_TRANSLATION).get(0).phase(), p.name() + " " + c.found);
        }
    }

    // ---- shared PMD pages: huge_pmd_share / huge_pmd_unshare

    /** A and B map the same 1G of file "db" shared at H; both fault the first two 2M pages; A's kvm device caches both. */
    private static Rig shared(Profile p) {
        Rig t = new Rig(p, null, 8);
        Space b = t.w.createSpace("B");
        t.w.map(t.a, r(H, Addr.PUD_SIZE), RW, "db", true, false, true);
        t.w.map(b, r(H, Addr.PUD_SIZE), RW, "db", true, false, true);
        Device vm = t.w.createKvmDevice("vm", 0);
        t.w.bind(vm, t.a);
        t.w.register("k", t.a, vm, "kvm");
        Device bgpu = t.w.createKvmDevice("bvm", 0);
        t.w.bind(bgpu, b);
        t.w.register("kb", b, bgpu, "kvm");
        t.stmt("use", () -> {
            t.w.touch(t.a, H, true);
            t.w.touch(b, H + M2, true);
            t.w.dma(vm, t.a, H, true);
            t.w.dma(vm, t.a, H + M2, true);
            t.w.dma(bgpu, b, H + M2, true);
        });
        return t;
    }

    @Test
    void theSecondProcessSharesThePmdPageAndUnsharingLeavesTheOtherIntact() {
        Rig t = shared(Profiles.LINUX_4_15);
        Space b = t.w.space("B");
        int pmd = t.a.pageTable().tableAt(H, 2);
        assertEquals(pmd, b.pageTable().tableAt(H, 2));
        assertEquals(2, t.w.memory().refcount(pmd));
        assertEquals(Pte.pfn(t.a.pageTable().get(H + M2)), Pte.pfn(b.pageTable().get(H + M2)));
        // mprotect of A's whole VMA unshares: A's PUD entry goes, B keeps the page
        List<String> phases = new ArrayList<>();
        t.stmt("mprotect", () -> t.w.mprotect(t.a, r(H, Addr.PUD_SIZE), Vma.READ, phases::add));
        assertEquals(List.of("start", "unshare", "change", "flush", "end"), phases);
        assertEquals(-1, t.a.pageTable().tableAt(H, 2));
        assertEquals(pmd, b.pageTable().tableAt(H, 2));
        assertEquals(1, t.w.memory().refcount(pmd));
        assertTrue(Pte.writable(b.pageTable().get(H)));
        t.stmt("dma B", () -> t.w.dma(t.w.device("bvm"), b, H, true));
        // A refaults into a PMD page of its own, read-only now
        t.stmt("touch A", () -> t.w.touch(t.a, H, false));
        assertNotEquals(pmd, t.a.pageTable().tableAt(H, 2));
        assertFalse(Pte.writable(t.a.pageTable().get(H)));
        // B's exit frees the PMD page with its last user; A's is its own
        t.stmt("exit B", () -> t.w.exit(b, PhaseListener.NONE));
        assertEquals(FrameKind.FREE, t.w.memory().kind(pmd));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void dontneedWidensTheRangeToThePudSpanFrom419() {
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = shared(p);
            t.stmt("dontneed", () -> t.w.dontneed(t.a, r(H, M2), PhaseListener.NONE));
            assertTrue(t.w.hooksThisStatement().get(0).startsWith("invalidate_range_start [0x40000000, 0x80000000)"),
                    t.w.hooksThisStatement().toString());
            assertEquals(-1, t.a.pageTable().tableAt(H, 2));
            assertTrue(t.found.isEmpty(), p.name() + " " + t.found);
        }
        // the same kernel without adjust_range_if_pmd_sharing_possible: the unshare drops A's
        // 2M page at H+2M, which the range [H, H+2M) never named; kvm keeps its SPTE for it
        Profile narrow = Profile.builder("linux-6.5-no-widening").from(Profiles.LINUX_6_5).hugetlbPmdShareWidening(false).build();
        Rig t = shared(narrow);
        t.stmt("dontneed", () -> t.w.dontneed(t.a, r(H, M2), PhaseListener.NONE));
        assertTrue(t.w.hooksThisStatement().get(0).startsWith("invalidate_range_start [0x40000000, 0x40200000)"));
        List<Violation> stale = t.of(ViolationKind.STALE_TRANSLATION);
        assertEquals("vm", stale.get(0).device(), stale.toString());
        assertTrue(stale.get(0).entry().contains("0x40200000"), stale.toString());
        // before 5.18 there is no MADV_DONTNEED for hugetlb
        Rig old = shared(Profiles.LINUX_4_15);
        assertThrows(EngineException.class, () -> old.w.dontneed(old.a, r(H, M2), PhaseListener.NONE));
    }

    @Test
    void munmapInsideASharedSpanIsCaughtBefore63AndUnsharedAtTheSplitAfter() {
        // 3.16-4.15: the VMA split leaves the PMD shared; __unmap_hugepage_range unshares the
        // whole 1G with start/end over 2M and no flush (callsites §7.1): A's other page stays in kvm
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19, Profiles.LINUX_4_15)) {
            Rig t = shared(p);
            List<String> phases = new ArrayList<>();
            t.stmt("munmap", () -> t.w.munmap(t.a, r(H, M2), phases::add));
            assertTrue(phases.contains("unshare"), phases.toString());
            // kvm keeps A's other 2M page, and A's own CPU TLB keeps H: nothing was flushed after
            // the unshare (the later "flush TLBs after huge_pmd_unshare" fix)
            List<Violation> stale = t.of(ViolationKind.STALE_TRANSLATION);
            assertTrue(stale.stream().anyMatch(v -> "vm".equals(v.device()) && v.entry().contains("0x40200000")), p.name() + stale);
            assertTrue(stale.stream().anyMatch(v -> "cpu(A)".equals(v.device())), p.name() + stale);
        }
        // 6.5/6.8: hugetlb_vm_op_split unshares the span first, with start/end over all of it
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = shared(p);
            t.stmt("munmap", () -> t.w.munmap(t.a, r(H, M2), PhaseListener.NONE));
            assertTrue(t.w.hooksThisStatement().get(0).startsWith("invalidate_range_start [0x40000000, 0x80000000)"),
                    t.w.hooksThisStatement().toString());
            assertTrue(t.found.isEmpty(), p.name() + " " + t.found);
        }
    }

    @Test
    void hugetlbBoundsMustBe2MAligned() {
        Rig t = anon(Profiles.LINUX_6_8, "range");
        assertThrows(EngineException.class, () -> t.w.munmap(t.a, r(H, 64 * 1024), PhaseListener.NONE));
        assertThrows(EngineException.class, () -> t.w.mprotect(t.a, r(H + 4096, M2), Vma.READ, PhaseListener.NONE));
    }
}
