package mmn.engine;

import mmn.engine.check.Trace;
import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.ProfileReport;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.Sites;
import static mmn.engine.OpsTestSupport.WITH_RANGE;
import static mmn.engine.OpsTestSupport.dmaRw;
import static mmn.engine.OpsTestSupport.hooks;
import static mmn.engine.OpsTestSupport.warmed;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OOM reaper and mremap, across profiles. */
class OomMremapTest {
    // ---------------------------------------------------------------- oom-reap

    @Test
    void noReaperBefore46() {
        for (Profile p : List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19)) {
            Rig t = warmed(p, "range", 1);
            EngineException e = assertThrows(EngineException.class, () -> t.w.oomReap(t.a, PhaseListener.NONE));
            assertTrue(e.getMessage().contains("no OOM reaper"), e.getMessage());
        }
    }

    @Test
    void theReaper415SkipsASpaceWithSubscribers() {
        Rig t = warmed(Profiles.LINUX_4_15, "range", 2);
        int pfn = Pte.pfn(t.a.pageTable().get(BASE));
        t.stmt("oom-reap", () -> t.w.oomReap(t.a, PhaseListener.NONE));
        assertTrue(hooks(t).isEmpty(), hooks(t).toString());
        assertEquals(pfn, Pte.pfn(t.a.pageTable().get(BASE)));
        assertEquals(FrameKind.USER, t.w.memory().kind(pfn));
        assertTrue(t.found.isEmpty(), t.found.toString());
        // without subscribers 4.15 reaps it, with no start/end at all
        Rig bare = new Rig(Profiles.LINUX_4_15, null, 8);
        bare.touchAll(BASE, 2);
        int b = Pte.pfn(bare.a.pageTable().get(BASE));
        bare.stmt("oom-reap", () -> bare.w.oomReap(bare.a, PhaseListener.NONE));
        assertEquals(List.of("invalidate_range"), hooks(bare)); // tlb_finish_mmu's call; no subscriber hears it
        assertEquals(FrameKind.FREE, bare.w.memory().kind(b));
        assertTrue(bare.found.isEmpty(), bare.found.toString());
        // the same mm in 6.5 is reaped
        Rig n = warmed(Profiles.LINUX_6_5, "range", 2);
        int q = Pte.pfn(n.a.pageTable().get(BASE));
        List<String> phases = new ArrayList<>();
        n.stmt("oom-reap", () -> n.w.oomReap(n.a, phases::add));
        assertEquals(List.of("start", "clear", "end", "flush", "free"), phases);
        assertTrue(Pte.none(n.a.pageTable().get(BASE)));
        assertEquals(FrameKind.FREE, n.w.memory().kind(q));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end", "invalidate_range"), hooks(n));
        assertTrue(n.found.isEmpty(), n.found.toString());
    }

    @Test
    void reapWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            for (String phase : Operations.phases("oom-reap")) {
                Rig t = warmed(p, "range", 2);
                t.stmt("oom-reap", () -> t.w.oomReap(t.a, Rig.after(phase, dmaRw(t, 2))));
                t.dmaAll(BASE, 2, true);
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
            }
        }
    }

    @Test
    void reapCatchesStartOnly() {
        for (Profile p : List.of(Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig s = warmed(p, "start-only", 1);
            s.stmt("oom-reap", () -> s.w.oomReap(s.a, Rig.after("start", () -> s.w.dma(s.gpu, s.a, BASE, false))));
            assertTrue(s.has(ViolationKind.USE_AFTER_FREE), p.name() + ": " + s.found);
            Rig e = warmed(p, "end-only", 1);
            e.stmt("oom-reap", () -> e.w.oomReap(e.a, PhaseListener.NONE));
            assertTrue(e.found.isEmpty(), p.name() + " end-only: " + e.found);
        }
    }

    /** A subscriber whose start gives up when it may not block. */
    private static final class Refuses implements MmuNotifierOps {
        final List<String> calls = new ArrayList<>();
        final boolean sleeps;

        Refuses(boolean sleeps) {
            this.sleeps = sleeps;
        }

        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.INVALIDATE_RANGE_START, Hook.INVALIDATE_RANGE_END);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            calls.add("start " + (r.blockable() ? "blockable" : "non-blocking"));
            if (sleeps) c.block(c.device());
            return r.blockable() || sleeps;
        }

        @Override
        public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            calls.add("end");
            if (sleeps) c.unblock(c.device());
        }
    }

    /** 6.5: a failed non-blocking start skips the VMA; the core calls end, the reaper does not. */
    @Test
    void aFailedNonBlockingStartSkipsTheVma() {
        Rig t = new Rig(Profiles.LINUX_6_5, null, 8);
        Refuses ops = new Refuses(false);
        t.w.register("n", t.a, t.gpu, "refuses", ops);
        t.touchAll(BASE, 1);
        int pfn = Pte.pfn(t.a.pageTable().get(BASE));
        List<String> phases = new ArrayList<>();
        t.stmt("oom-reap", () -> t.w.oomReap(t.a, phases::add));
        assertEquals(List.of(), phases);
        assertEquals(List.of("start non-blocking", "end"), ops.calls);
        assertEquals(List.of("invalidate_range_start"), hooks(t));
        assertEquals(pfn, Pte.pfn(t.a.pageTable().get(BASE)));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void sleepingInANonBlockingStartIsAProtocolViolation() {
        Rig t = new Rig(Profiles.LINUX_6_8, null, 8);
        t.w.register("n", t.a, t.gpu, "sleeper", new Refuses(true));
        t.touchAll(BASE, 1);
        t.stmt("oom-reap", () -> t.w.oomReap(t.a, PhaseListener.NONE));
        assertTrue(t.has(ViolationKind.PROTOCOL), t.found.toString());
        assertTrue(t.of(ViolationKind.PROTOCOL).get(0).why().contains("non-blockable"), t.found.toString());
    }

    // ---------------------------------------------------------------- mremap

    private static final long NEW = 0x900000;

    @Test
    void mremapMovesThePagesAndTheVma() {
        Rig t = warmed(Profiles.LINUX_6_8, "arch-tlbs", 2);
        int p0 = Pte.pfn(t.a.pageTable().get(BASE));
        List<String> phases = new ArrayList<>();
        t.stmt("mremap", () -> t.w.mremap(t.a, r(BASE, 2 * Addr.PAGE_SIZE), NEW, phases::add));
        assertEquals(List.of("start", "move", "unlock", "flush", "end", "unmap"), phases);
        assertEquals(p0, Pte.pfn(t.a.pageTable().get(NEW)));
        assertTrue(Pte.none(t.a.pageTable().get(BASE)));
        assertTrue(t.a.findVma(NEW) != null && t.a.findVma(BASE) == null);
        assertEquals(FrameKind.USER, t.w.memory().kind(p0));
        t.stmt("dma", () -> assertEquals(p0, t.w.dma(t.gpu, t.a, NEW, true).pfn()));
        assertTrue(t.found.isEmpty(), t.found.toString());
    }

    @Test
    void mremapWithRangeIsCoherentWithDeviceAccessesAtEveryPhase() {
        for (Profile p : WITH_RANGE) {
            for (String phase : Operations.phases("mremap")) {
                Rig t = warmed(p, "range", 2);
                t.stmt("mremap", () -> t.w.mremap(t.a, r(BASE, 2 * Addr.PAGE_SIZE), NEW, Rig.after(phase, dmaRw(t, 2))));
                t.stmt("dma", () -> t.w.dma(t.gpu, t.a, NEW, true));
                assertTrue(t.found.isEmpty(), p.name() + " after " + phase + ": " + t.found);
            }
        }
        // 3.16: nothing tells `range` about the move; the old address's entry outlives the statement
        Rig old = warmed(Profiles.LINUX_3_16, "range", 1);
        old.stmt("mremap", () -> old.w.mremap(old.a, r(BASE, Addr.PAGE_SIZE), NEW, PhaseListener.NONE));
        assertTrue(old.has(ViolationKind.STALE_TRANSLATION), old.found.toString());
    }

    /**
     * kernel-reference §7 #7: after the PTLs are dropped and before the old range is
     * flushed, another thread zaps the page through its new address and frees it. In 3.x
     * the CPU TLB still maps the old address (4.15 flushed this written, dirty PTE under
     * the PTL already; 4.19+ any present one); through 6.5 the device hears only at end;
     * 6.8 sends the secondary flush with the per-table flush under the PTLs.
     */
    @Test
    void theFlushAfterThePtlDropLetsAConcurrentZapFreeAMappedPage() {
        for (Profile p : WITH_RANGE) {
            Rig t = warmed(p, "range", 1);
            t.stmt("mremap", () -> t.w.mremap(t.a, r(BASE, Addr.PAGE_SIZE), NEW,
                    Rig.after("unlock", () -> t.w.dontneed(t.a, r(NEW, Addr.PAGE_SIZE), PhaseListener.NONE))));
            boolean cpu = t.of(ViolationKind.USE_AFTER_FREE).stream().anyMatch(v -> v.device().startsWith("cpu"));
            boolean gpu = t.of(ViolationKind.USE_AFTER_FREE).stream().anyMatch(v -> v.device().equals("gpu"));
            // the warmed page was written: 4.15's force_flush covers a dirty PTE, 4.19+ any present one
            assertEquals(p.mremapFlush() == Profile.MremapFlush.AFTER_UNLOCK, cpu, p.name() + ": " + t.found);
            assertEquals(p != Profiles.LINUX_6_8, gpu, p.name() + ": " + t.found);
        }
    }

    @Test
    void mremapHookSequencesFollowTheKernel() {
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mremapHooks(Profiles.LINUX_3_16));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mremapHooks(Profiles.LINUX_3_19));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mremapHooks(Profiles.LINUX_6_5));
        assertEquals(List.of("invalidate_range_start", "arch_invalidate_secondary_tlbs", "invalidate_range_end"), mremapHooks(Profiles.LINUX_6_8));
        // where the CPU flush happens differs even when the hooks do not: 3.19 after the unlock, 6.5 before it
        assertTrue(flushBeforeUnlock(Profiles.LINUX_6_5));
        assertFalse(flushBeforeUnlock(Profiles.LINUX_3_19));
    }

    /**
     * linux-4.15 mm/mremap.c move_ptes: force_flush only for a present dirty PTE, then
     * flush_tlb_range before the old PTL is dropped; a clean PTE waits for
     * move_page_tables' flush after the loop (need_flush). Neither fires a hook.
     */
    @Test
    void mremap415FlushesUnderThePtlOnlyForADirtyPte() {
        assertEquals(Profile.MremapFlush.AFTER_UNLOCK, Profiles.LINUX_3_19.mremapFlush());
        assertEquals(Profile.MremapFlush.DIRTY_UNDER_PTL, Profiles.LINUX_4_15.mremapFlush());
        assertEquals(Profile.MremapFlush.PRESENT_UNDER_PTL, Profiles.LINUX_6_5.mremapFlush());
        assertTrue(Profiles.LINUX_4_15.row(Sites.MREMAP_PTL_FLUSH).cite().startsWith("mm/mremap.c move_ptes -> force_flush"));
        assertEquals(List.of("invalidate_range_start", "invalidate_range_end"), mremapHooks(Profiles.LINUX_4_15));
        assertTrue(flushBeforeUnlock(Profiles.LINUX_4_15)); // warmed: the page was written, its PTE is dirty
        Rig clean = new Rig(Profiles.LINUX_4_15, "range", 4);
        clean.stmt("touch", () -> clean.w.touch(clean.a, BASE, false));
        clean.stmt("mremap", () -> clean.w.mremap(clean.a, r(BASE, Addr.PAGE_SIZE), NEW, PhaseListener.NONE));
        assertFalse(flushedBeforeUnlock(clean), "a clean PTE is flushed after the PTLs are dropped");
        String diff = ProfileReport.diff(Profiles.LINUX_3_19, Profiles.LINUX_4_15, "mremap");
        assertTrue(diff.lines().anyMatch(l -> l.startsWith("* flag: move_ptes") && l.endsWith("for a present dirty PTE")), diff);
    }

    /** The hooks of move_page_tables only (the do_munmap of the old range follows). */
    private static List<String> mremapHooks(Profile p) {
        Rig t = warmed(p, "range", 1);
        t.stmt("mremap", () -> t.w.mremap(t.a, r(BASE, Addr.PAGE_SIZE), NEW, PhaseListener.NONE));
        List<String> seq = t.w.hooksThisStatement();
        List<String> out = new ArrayList<>();
        for (String h : seq) {
            if (h.equals("[mremap: end]")) break;
            if (!h.startsWith("[") && !h.startsWith(" ")) out.add(h.split(" ")[0]);
        }
        return out;
    }

    private static boolean flushBeforeUnlock(Profile p) {
        Rig t = warmed(p, "range", 1);
        t.stmt("mremap", () -> t.w.mremap(t.a, r(BASE, Addr.PAGE_SIZE), NEW, PhaseListener.NONE));
        return flushedBeforeUnlock(t);
    }

    private static boolean flushedBeforeUnlock(Rig t) {
        int flush = -1, unlock = -1;
        for (Trace.Event e : t.w.trace().events()) {
            if (e.statement() != t.w.statementNo()) continue;
            if (flush < 0 && e.type().equals("flush") && e.text().startsWith("cpu(A)")) flush = e.seq();
            if (unlock < 0 && e.type().equals("step") && e.text().equals("mremap: unlock")) unlock = e.seq();
        }
        return flush > 0 && flush < unlock;
    }
}
