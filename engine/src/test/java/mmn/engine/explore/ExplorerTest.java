package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.check.ViolationKind;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.Profile;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Vma;
import static mmn.engine.explore.Scenarios.BASE;
import static mmn.engine.explore.Scenarios.dma;
import static mmn.engine.explore.Scenarios.thread;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ExplorerTest {
    private static final Bounds ONE = Bounds.defaults().withThreads(1);
    private static final Bounds TWO = Bounds.defaults().withThreads(2);

    private static int indexOf(Counterexample cx, String thread, String phaseOrLabel) {
        for (Counterexample.Step s : cx.steps()) {
            if (s.thread().equals(thread) && (s.label().endsWith(phaseOrLabel) || phaseOrLabel.equals(s.phase()))) return s.n();
        }
        return -1;
    }

    @Test
    void startOnlyReadBetweenStartAndClearIsUseAfterFree() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "start-only", 1);
        Result r = Explorer.explore(w, Scenarios.munmap(BASE, 4096), List.of(thread(dma(BASE, false))), ONE);
        assertEquals(Verdict.VIOLATION, r.verdict(), r.render());
        Counterexample cx = r.counterexample();
        assertEquals(ViolationKind.USE_AFTER_FREE, cx.violation().kind(), r.render());
        assertEquals("gpu", cx.violation().device());
        int start = indexOf(cx, "op", "munmap: start");
        int read = indexOf(cx, "T1", "read");
        int clear = indexOf(cx, "op", "munmap: clear");
        assertTrue(start > 0 && read > start && clear > read, "read must sit between start and clear:\n" + r.render());
        assertEquals("start", cx.steps().get(read - 1).phase());
        // the use-after-free shows where the frame is freed, with the entry, frame and generation
        Counterexample.Step last = cx.steps().get(cx.steps().size() - 1);
        assertEquals(1, last.violations().size(), r.render());
        assertTrue(cx.violation().entry().startsWith("gpu."), cx.violation().entry());
        assertTrue(cx.violation().pfn() > 0 && cx.violation().gen() > 0);
        // shortest: 6 phase points of munmap plus the read
        assertEquals(7, cx.steps().size(), r.render());
        // the step's typed events hold the violation: its kind, the device, the frame
        assertTrue(last.events().stream().anyMatch(e -> e.type().equals("violation") && "use-after-free".equals(e.fields().result)
                && "gpu".equals(e.fields().device) && e.fields().pfn != null && e.fields().pfn == cx.violation().pfn()), last.events().toString());
        // the initial world is untouched
        assertEquals(1, w.statementNo());
    }

    @Test
    void rangeUnder319IsCoherentForMunmapAgainstDeviceActions() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "range", 2);
        Result r = Explorer.explore(w, Scenarios.munmap(BASE, 8192),
                List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE, true))), ONE);
        assertEquals(Verdict.COHERENT, r.verdict(), r.render());
        assertNull(r.counterexample());
        assertTrue(r.stats().distinctStates() > 20, r.render());
    }

    @Test
    void rangeUnder319IsCoherentForCowAgainstDeviceActions() {
        World w = Scenarios.forked(Profiles.LINUX_3_19, "range", 2);
        Result r = Explorer.explore(w, Scenarios.cow(BASE),
                List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE, false))), ONE);
        assertEquals(Verdict.COHERENT, r.verdict(), r.render());
        assertTrue(r.stats().distinctStates() > 20, r.render());
    }

    @Test
    void endOnlyCowIsCaughtAndShortest() {
        World w = Scenarios.forked(Profiles.LINUX_3_19, "end-only", 1);
        Result r = Explorer.explore(w, Scenarios.cow(BASE), List.of(thread(dma(BASE, false))), ONE);
        assertEquals(Verdict.VIOLATION, r.verdict(), r.render());
        assertEquals(ViolationKind.STALE_TRANSLATION, r.counterexample().violation().kind(), r.render());
    }

    @Test
    void oneAndTwoWorkersAgree() {
        for (String strategy : List.of("start-only", "range")) {
            World w = Scenarios.world(Profiles.LINUX_3_19, strategy, 2);
            OpProgram op = Scenarios.munmap(BASE, 8192);
            List<List<mmn.engine.explore.Action>> ths = List.of(thread(dma(BASE, false), dma(BASE + 4096, true)),
                    thread(dma(BASE + 4096, false), dma(BASE, true)));
            Result a = Explorer.explore(w, op, ths, ONE);
            Result b = Explorer.explore(w, op, ths, TWO);
            assertEquals(a.verdict(), b.verdict(), strategy);
            assertEquals(a.stats().distinctStates(), b.stats().distinctStates(), strategy);
            assertEquals(a.stats().transitions(), b.stats().transitions(), strategy);
            assertEquals(a.stats().maxDepth(), b.stats().maxDepth(), strategy);
            if (a.counterexample() != null) assertEquals(a.counterexample().render(), b.counterexample().render());
        }
    }

    /**
     * Step programs: every successor stepped from its state's snapshot has the key, enabled
     * choices and violations of its full replay from the root (checkCache), and the search
     * gives the verdict, counts and counterexample of a search that replays every state.
     */
    @Test
    void successorsSteppedFromStatesEqualFullReplays() {
        boolean steppedWas = Explorer.stepped;
        boolean checkWas = Explorer.checkCache;
        Range three = new Range(BASE, BASE + 3 * 4096);
        Range two = new Range(BASE, BASE + 2 * 4096);
        Range vma = new Range(BASE, BASE + 64 * 1024); // the whole VMA: free_pgtables unlinks the tables (no ceiling keeps them)
        record Case(String name, Profile profile, OpProgram op) {}
        List<Case> cases = List.of(
                new Case("cow (forked)", Profiles.LINUX_3_19, Scenarios.cow(BASE)),
                new Case("cow 3.16 (forked), a device write racing it", Profiles.LINUX_3_16, Scenarios.cow(BASE + 8192)),
                new Case("munmap 3 pages", Profiles.LINUX_3_19, Scenarios.munmap(BASE, 3 * 4096)),
                new Case("munmap the VMA", Profiles.LINUX_3_19, Scenarios.munmap(BASE, 64 * 1024)),
                new Case("dontneed", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.dontneed(w.space("A"), three, l), w -> w.dontneedFrame(w.space("A"), three))),
                new Case("dontneed 6.8", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.dontneed(w.space("A"), vma, l), w -> w.dontneedFrame(w.space("A"), vma))),
                new Case("mprotect read-only", Profiles.LINUX_3_19, OpProgram.stepped((w, l) -> w.mprotect(w.space("A"), three, Vma.READ, l),
                        w -> w.mprotectFrame(w.space("A"), three, Vma.READ))),
                new Case("mprotect read-only 6.8 (gathered flush)", Profiles.LINUX_6_8, OpProgram.stepped(
                        (w, l) -> w.mprotect(w.space("A"), three, Vma.READ, l), w -> w.mprotectFrame(w.space("A"), three, Vma.READ))),
                new Case("migrate 2 pages", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.migrate(w.space("A"), two, l), w -> w.migrateFrame(w.space("A"), two))),
                new Case("migrate 2 pages (forked: two mappings each)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.migrate(w.space("A"), two, l), w -> w.migrateFrame(w.space("A"), two))),
                new Case("reclaim 2 pages 3.19 (the young test)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.reclaim(w.space("A"), two, l), w -> w.reclaimFrame(w.space("A"), two))),
                new Case("reclaim 2 pages 6.8 (forked; batched flush)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.reclaim(w.space("A"), two, l), w -> w.reclaimFrame(w.space("A"), two))),
                new Case("age 2 pages (forked)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.age(w.space("A"), two, l), w -> w.ageFrame(w.space("A"), two))),
                new Case("ksm two pages", Profiles.LINUX_3_19, OpProgram.stepped((w, l) -> w.ksm(w.space("A"), BASE, w.space("A"), BASE + 4096, l),
                        w -> w.ksmFrame(w.space("A"), BASE, w.space("A"), BASE + 4096))),
                new Case("ksm 6.8, a device write racing the compare", Profiles.LINUX_6_8, OpProgram.stepped(
                        (w, l) -> w.ksm(w.space("A"), BASE + 4096, w.space("A"), BASE + 8192, l),
                        w -> w.ksmFrame(w.space("A"), BASE + 4096, w.space("A"), BASE + 8192))),
                new Case("remap 3.19 nonlinear (shared file)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.remap(w.space("A"), two, l), w -> w.remapFrame(w.space("A"), two))),
                new Case("remap 6.8 emulated: do_munmap, map, populate (shared file)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.remap(w.space("A"), two, l), w -> w.remapFrame(w.space("A"), two))),
                new Case("mremap 3 pages 4.15 (the PTL-time flush of dirty PTEs)", Profiles.LINUX_4_15,
                        OpProgram.stepped((w, l) -> w.mremap(w.space("A"), three, 0x900000, l), w -> w.mremapFrame(w.space("A"), three, 0x900000))),
                new Case("mremap 2 pages 6.8", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.mremap(w.space("A"), two, 0x900000, l), w -> w.mremapFrame(w.space("A"), two, 0x900000))),
                new Case("fork into B", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.fork(w.space("A"), "B", l), w -> w.forkFrame(w.space("A"), "B"))),
                new Case("fork into B 6.8 (shared file: no COW window)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.fork(w.space("A"), "B", l), w -> w.forkFrame(w.space("A"), "B"))),
                new Case("collapse 3.19 (thp)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.collapse(w.space("A"), BASE, l), w -> w.collapseFrame(w.space("A"), BASE))),
                new Case("collapse 6.8 (thp)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.collapse(w.space("A"), BASE, l), w -> w.collapseFrame(w.space("A"), BASE))),
                new Case("split 3.19 (collapsed thp)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.split(w.space("A"), BASE, l), w -> w.splitFrame(w.space("A"), BASE))),
                new Case("split 6.8 (collapsed thp)", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.split(w.space("A"), BASE, l), w -> w.splitFrame(w.space("A"), BASE))),
                new Case("uprobe (text)", Profiles.LINUX_3_19,
                        OpProgram.stepped((w, l) -> w.uprobe(w.space("A"), BASE + 4096, l), w -> w.uprobeFrame(w.space("A"), BASE + 4096))),
                new Case("uprobe 6.8 (text), a page no one touched", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.uprobe(w.space("A"), BASE + 8192, l), w -> w.uprobeFrame(w.space("A"), BASE + 8192))),
                new Case("exit", Profiles.LINUX_3_19, OpProgram.stepped((w, l) -> w.exit(w.space("A"), l), w -> w.exitFrame(w.space("A")))),
                new Case("oom-reap 6.8", Profiles.LINUX_6_8,
                        OpProgram.stepped((w, l) -> w.oomReap(w.space("A"), l), w -> w.oomReapFrame(w.space("A")))),
                new Case("a block: mprotect read-only, then munmap", Profiles.LINUX_3_19, block(
                        w -> w.mprotectFrame(w.space("A"), three, Vma.READ), w -> w.munmapFrame(w.space("A"), two))),
                new Case("a block 6.8: migrate, then dontneed", Profiles.LINUX_6_8, block(
                        w -> w.migrateFrame(w.space("A"), two), w -> w.dontneedFrame(w.space("A"), three))));
        try {
            for (Case c : cases) {
                for (String strategy : List.of("start-only", "range")) {
                    for (int batch : new int[] {1, 2, 512}) { // small batches: forced flushes mid-zap and mid-free_pgtables
                        World w = c.name().contains("forked") ? Scenarios.forked(c.profile(), strategy, 3)
                                : c.name().contains("text") ? Scenarios.text(c.profile(), strategy, c.name().contains("no one") ? 2 : 3)
                                : c.name().contains("shared file") ? Scenarios.sharedFile(c.profile(), strategy, 3)
                                : c.name().contains("collapsed thp") ? Scenarios.collapsed(c.profile(), strategy, 3)
                                : c.name().contains("thp") ? Scenarios.thp(c.profile(), strategy, 3)
                                : Scenarios.world(c.profile(), strategy, 3);
                        w.setKnob("gather-batch", batch);
                        List<List<Action>> ths = List.of(thread(dma(BASE, false), dma(BASE + 8192, true)), thread(dma(BASE + 4096, false), dma(BASE, false)));
                        steppedEqualsReplayed(c.name() + ", " + strategy + ", batch " + batch, w, c.op(), ths);
                    }
                }
            }
        } finally {
            Explorer.stepped = steppedWas;
            Explorer.checkCache = checkWas;
        }
    }

    /**
     * The hugetlb paths (__unmap_hugepage_range, hugetlb_change_protection,
     * copy_hugetlb_page_range, hugetlb_cow) are stepped from states like every other step
     * program: each stepped successor equals its full replay, for both kernels' shapes of
     * them, with the huge_pmd_unshare pause among the phase points.
     */
    @Test
    void hugetlbOperationsAreSteppedAndEqualFullReplays() {
        boolean steppedWas = Explorer.stepped;
        boolean checkWas = Explorer.checkCache;
        Range huge = new Range(BASE, BASE + 2 * Addr.PMD_SIZE);
        Range span = new Range(Scenarios.HUGE, Scenarios.HUGE + Addr.PMD_SIZE);
        record Case(String name, World world, OpProgram op, List<List<Action>> threads) {}
        List<List<Action>> onBase = List.of(thread(dma(BASE, false), dma(BASE + 8192, true)), thread(dma(BASE + 4096, true)));
        long h = Scenarios.HUGE;
        List<List<Action>> onSpan = List.of(thread(dma(h, false), dma(h + Addr.PMD_SIZE + 4096, false)), thread(dma(h + 4096, true)));
        List<Case> cases = new java.util.ArrayList<>();
        for (String strategy : List.of("start-only", "range")) {
            for (Profile p : List.of(Profiles.LINUX_3_19, Profiles.LINUX_6_8)) {
                String at = p.name() + ", " + strategy;
                cases.add(new Case("munmap hugetlb, " + at, Scenarios.hugetlb(p, strategy, 3),
                        OpProgram.stepped((w, l) -> w.munmap(w.space("A"), huge, l), w -> w.munmapFrame(w.space("A"), huge)), onBase));
                cases.add(new Case("mprotect hugetlb, " + at, Scenarios.hugetlb(p, strategy, 3), OpProgram.stepped(
                        (w, l) -> w.mprotect(w.space("A"), huge, Vma.READ, l), w -> w.mprotectFrame(w.space("A"), huge, Vma.READ)), onBase));
                cases.add(new Case("fork hugetlb, " + at, Scenarios.hugetlb(p, strategy, 3),
                        OpProgram.stepped((w, l) -> w.fork(w.space("A"), "B", l), w -> w.forkFrame(w.space("A"), "B")), onBase));
                cases.add(new Case("cow hugetlb, " + at, Scenarios.hugetlbForked(p, strategy, 3), Scenarios.cow(BASE + 4096), onBase));
                cases.add(new Case("munmap in a shared PMD span, " + at, Scenarios.sharedPmd(p, strategy),
                        OpProgram.stepped((w, l) -> w.munmap(w.space("A"), span, l), w -> w.munmapFrame(w.space("A"), span)), onSpan));
            }
        }
        try {
            for (Case c : cases) {
                steppedEqualsReplayed(c.name(), c.world(), c.op(), c.threads());
            }
        } finally {
            Explorer.stepped = steppedWas;
            Explorer.checkCache = checkWas;
        }
    }

    /**
     * With 1 and 2 workers: the explore stepped from states (each stepped successor checked
     * against its full replay, Explorer.checkCache) gives what every state replayed from
     * the root gives, and some successor was stepped. The caller restores the switches.
     */
    private static void steppedEqualsReplayed(String what, World w, OpProgram op, List<List<Action>> ths) {
        for (Bounds b : List.of(ONE, TWO)) {
            Explorer.stepped = false;
            Explorer.checkCache = false;
            Result replayed = Explorer.explore(w, op, ths, b);
            Explorer.stepped = true;
            Explorer.checkCache = true;
            long before = Explorer.STEPPED.sum();
            Result stepped = Explorer.explore(w, op, ths, b);
            assertTrue(Explorer.STEPPED.sum() > before, "no successor was stepped: " + what);
            sameResults(what, replayed, stepped);
        }
    }

    /** The same verdict, distinct states, transitions, depth and counterexample. */
    private static void sameResults(String what, Result a, Result b) {
        assertEquals(a.verdict(), b.verdict(), what);
        assertEquals(a.stats().distinctStates(), b.stats().distinctStates(), what);
        assertEquals(a.stats().transitions(), b.stats().transitions(), what);
        assertEquals(a.stats().maxDepth(), b.stats().maxDepth(), what);
        assertEquals(a.counterexample() == null ? null : a.counterexample().render(), b.counterexample() == null ? null : b.counterexample().render(), what);
    }

    /** Several operations as one step program (mmn.engine.ops.Sequence), run and stepped alike, as the interpreter makes an explore block of them. */
    @SafeVarargs
    private static OpProgram block(java.util.function.Function<World, mmn.engine.ops.OpFrame>... ops) {
        List<java.util.function.Function<mmn.engine.ops.Kernel, mmn.engine.ops.OpFrame>> frames = new java.util.ArrayList<>();
        for (var f : ops) frames.add(k -> f.apply((World) k));
        return OpProgram.stepped((w, l) -> w.runOp(new mmn.engine.ops.Sequence(frames), l), w -> new mmn.engine.ops.Sequence(frames));
    }

    /**
     * A block of operations stepped as one program explores what the operations run one
     * after another did when every state was replayed from the root (before the Sequence
     * frame): the same verdict, states, transitions, depth and counterexample.
     */
    @Test
    void aBlockOfOperationsStepsAsItRanOneAfterAnother() {
        Range two = new Range(BASE, BASE + 2 * 4096);
        Range three = new Range(BASE, BASE + 3 * 4096);
        OpProgram loop = (w, l) -> {
            w.mprotect(w.space("A"), three, Vma.READ, l);
            w.munmap(w.space("A"), two, l);
        };
        OpProgram stepped = block(w -> w.mprotectFrame(w.space("A"), three, Vma.READ), w -> w.munmapFrame(w.space("A"), two));
        for (String strategy : List.of("start-only", "range", "end-only")) {
            World w = Scenarios.world(Profiles.LINUX_3_19, strategy, 3);
            List<List<Action>> ths = List.of(thread(dma(BASE, false), dma(BASE + 8192, true)), thread(dma(BASE + 4096, true), dma(BASE, false)));
            long before = Explorer.STEPPED.sum();
            Result a = Explorer.explore(w, loop, ths, ONE);
            Result b = Explorer.explore(w, stepped, ths, ONE);
            assertTrue(Explorer.STEPPED.sum() > before, "the block was not stepped: " + strategy);
            sameResults(strategy, a, b);
        }
    }

    /** The parent-snapshot cache: every cached successor equals its full replay, and the results equal a run without it. */
    @Test
    void successorsFromParentSnapshotsEqualFullReplays() {
        boolean cacheWas = Explorer.cache;
        boolean checkWas = Explorer.checkCache;
        try {
            List<Runnable> runs = List.of(
                    () -> same(Scenarios.world(Profiles.LINUX_3_19, "start-only", 2), Scenarios.replayed(Scenarios.munmap(BASE, 8192)),
                            List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE + 4096, false), dma(BASE, true)))),
                    () -> same(Scenarios.world(Profiles.LINUX_3_19, "range", 2), Scenarios.replayed(Scenarios.munmap(BASE, 8192)),
                            List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE, true)))),
                    () -> same(Scenarios.forked(Profiles.LINUX_3_19, "range", 2), Scenarios.replayed(Scenarios.cow(BASE)),
                            List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE, false)))),
                    () -> same(Scenarios.forked(Profiles.LINUX_3_19, "end-only", 1), Scenarios.replayed(Scenarios.cow(BASE)),
                            List.of(thread(dma(BASE, false)), thread(dma(BASE, false)))));
            long before = Explorer.CACHED.sum();
            for (Runnable r : runs) r.run();
            assertTrue(Explorer.CACHED.sum() > before, "no successor came from a parent's snapshot");
        } finally {
            Explorer.cache = cacheWas;
            Explorer.checkCache = checkWas;
        }
    }

    private static void same(World w, OpProgram op, List<List<Action>> ths) {
        for (Bounds b : List.of(ONE, TWO)) {
            Explorer.cache = false;
            Result full = Explorer.explore(w, op, ths, b);
            Explorer.cache = true;
            Explorer.checkCache = true;
            Result cached = Explorer.explore(w, op, ths, b);
            Explorer.checkCache = false;
            assertEquals(full.verdict(), cached.verdict());
            assertEquals(full.stats().distinctStates(), cached.stats().distinctStates());
            assertEquals(full.stats().transitions(), cached.stats().transitions());
            assertEquals(full.stats().maxDepth(), cached.stats().maxDepth());
            if (full.counterexample() != null) assertEquals(full.counterexample().render(), cached.counterexample().render());
        }
    }

    @Test
    void boundsNeverClaimCoherence() {
        World w = Scenarios.world(Profiles.LINUX_3_19, "range", 2);
        OpProgram op = Scenarios.munmap(BASE, 8192);
        List<List<Action>> ths = List.of(thread(dma(BASE, false), dma(BASE + 4096, true)), thread(dma(BASE, true)));
        Result states = Explorer.explore(w, op, ths, ONE.withMaxStates(10));
        assertEquals(Verdict.BOUND_HIT, states.verdict());
        assertEquals(Bound.MAX_STATES, states.bound());
        Result depth = Explorer.explore(w, op, ths, TWO.withMaxDepth(3));
        assertEquals(Verdict.BOUND_HIT, depth.verdict());
        assertEquals(Bound.MAX_DEPTH, depth.bound());
        Result time = Explorer.explore(w, op, ths, TWO.withTimeout(Duration.ZERO));
        assertEquals(Verdict.BOUND_HIT, time.verdict());
        assertEquals(Bound.TIMEOUT, time.bound());
        Result cancelled = Explorer.explore(w, op, ths, ONE.withCancel(new AtomicBoolean(true)));
        assertEquals(Verdict.CANCELLED, cancelled.verdict());
        assertNotNull(cancelled.stats());
    }

    @Test
    void multiStepActionsInterleaveStepByStepAndMayWait() {
        // a two-step action whose second step waits until the operation has returned:
        // the second step must never come before the operation's last phase
        World w = Scenarios.world(Profiles.LINUX_3_19, "range", 1);
        Action twoStep = new Action() {
            @Override public String label() { return "probe"; }
            @Override public void run(World x) {}
            @Override public int steps() { return 2; }
            @Override public boolean enabled(World x, int i) { return i == 0 || x.space("A").pageTable().get(BASE) == 0; }
            @Override public int step(World x, int i) { return i + 1; }
        };
        Result r = Explorer.explore(w, Scenarios.munmap(BASE, 4096), List.of(List.of(twoStep)), ONE);
        assertEquals(Verdict.COHERENT, r.verdict(), r.render());
        Result plain = Explorer.explore(w, Scenarios.munmap(BASE, 4096), List.of(List.of(Action.of("nop", x -> {}))), ONE);
        assertTrue(r.stats().distinctStates() > plain.stats().distinctStates(), r.render() + plain.render());
    }
}
