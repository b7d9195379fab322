package mmn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random workloads over a mapping of three PMD tables' worth (4 MiB + 256 KiB), so a
 * munmap of a table-aligned 2 MiB, or an exit, really frees PTE tables (free_pgtables)
 * the device's walk cache may hold, with fork, COW breaks and migration in the mix and
 * device accesses injected at random phases. RandomWorkloadPropertiesTest maps 128 KiB:
 * no table is ever freed there.
 *
 * The properties: the coherent designs (`range` under 3.19 and every later profile, and
 * a driver that flushes exactly the range invalidate_range names) never violate; under
 * 3.16 the empty-pt driver is caught, and only by the kinds of the seed's claims 1-3
 * (device-failed, fault-storm, and stale-walk-cache: freed page tables reach no hook,
 * which goes away with the walk cache off); `start-only` is caught by the claim 5a kind,
 * use-after-free.
 */
class PageTableFreeingPropertiesTest {
    static final long BASE = 0x400000; // PMD aligned: pages 0-511 are one PTE table, 512-1023 the next
    static final int TABLE = (int) (Addr.PMD_SIZE / Addr.PAGE_SIZE);
    static final int PAGES = 2 * TABLE + 64;

    record Step(String kind, int page, int pages, boolean write, String phase, int injectPage) {}

    static final List<String> KINDS = List.of("touch", "touch", "dma", "dma", "dma", "munmap", "munmap-table", "munmap-table",
            "dontneed", "fork", "cow", "migrate", "exit-child");
    static final List<String> PHASES = List.of("start", "clear", "end", "unlink-tables", "flush", "free", "batch-flush", "copy",
            "unmap", "remap");

    /** Pages near the tables' edges, where ranges cross from one table into the next. */
    static int edgePage(Random r) {
        int[] edges = {0, TABLE - 1, TABLE, 2 * TABLE - 1, 2 * TABLE, PAGES - 1};
        return Math.max(0, Math.min(PAGES - 1, edges[r.nextInt(edges.length)] + r.nextInt(5) - 2));
    }

    @Provide
    Arbitrary<List<Step>> workloads() {
        Arbitrary<Integer> page = Arbitraries.oneOf(Arbitraries.integers().between(0, PAGES - 1),
                Arbitraries.randomValue(PageTableFreeingPropertiesTest::edgePage));
        Arbitrary<Step> step = Combinators.combine(Arbitraries.of(KINDS), page, Arbitraries.integers().between(1, 12),
                Arbitraries.of(true, false), Arbitraries.of(PHASES), page).as(Step::new);
        return step.list().ofMinSize(4).ofMaxSize(30);
    }

    /** The generator's shape from a seed, for the counts that must be reproducible. */
    static List<Step> seeded(Random r) {
        List<Step> out = new ArrayList<>();
        int n = 4 + r.nextInt(27);
        for (int i = 0; i < n; i++) {
            int page = r.nextBoolean() ? edgePage(r) : r.nextInt(PAGES);
            // half the injections aim inside the operation's own range
            int inject = r.nextBoolean() ? Math.min(PAGES - 1, page + r.nextInt(12)) : edgePage(r);
            out.add(new Step(KINDS.get(r.nextInt(KINDS.size())), page, 1 + r.nextInt(12), r.nextBoolean(),
                    PHASES.get(r.nextInt(PHASES.size())), inject));
        }
        return out;
    }

    /**
     * A driver that flushes exactly what invalidate_range names, never everything (AMD's
     * flushes the whole PASID for a multi-page range): its range flushes must reach the
     * walk cache of a freed table (AtsDevice.flush).
     */
    static final class ExactRange implements MmuNotifierOps {
        @Override public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE, Hook.INVALIDATE_PAGE);
        }

        @Override public void invalidateRange(NotifierContext c, Range r) {
            c.flush(c.device(), r);
        }

        @Override public void invalidatePage(NotifierContext c, long address) {
            c.flush(c.device(), Range.page(address));
        }

        @Override public void release(NotifierContext c) {
            c.detach(c.device());
        }
    }

    /** Runs a workload with `strategy` ("exact-range" for {@link ExactRange}); the violations it raised. */
    static List<Violation> run(Profile p, List<Step> steps, String strategy, boolean walkCache) {
        World w = new World(p);
        w.setKnob("gather-batch", 8); // small enough that long unmaps free pages in batches, before end
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + PAGES * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        Device gpu = w.createAtsDevice("gpu", 16, walkCache, 8);
        w.bind(gpu, a);
        if (strategy.equals("exact-range")) w.register("n", a, gpu, "exact-range", new ExactRange());
        else w.register("n", a, gpu, strategy);
        List<Violation> found = new ArrayList<>();
        for (Step s : steps) {
            long va = BASE + s.page() * Addr.PAGE_SIZE;
            int pages = s.kind().equals("munmap-table") ? TABLE : s.pages();
            if (s.kind().equals("munmap-table")) va = BASE + (s.page() / TABLE) * Addr.PMD_SIZE;
            Range r = new Range(va, Math.min(BASE + PAGES * Addr.PAGE_SIZE, va + pages * Addr.PAGE_SIZE));
            long inj = BASE + s.injectPage() * Addr.PAGE_SIZE;
            PhaseListener l = phase -> {
                if (phase.equals(s.phase())) w.dma(gpu, a, inj, s.write());
            };
            long at = va;
            w.beginStatement(s.toString());
            try {
                switch (s.kind()) {
                    case "touch":
                        for (long x = r.start(); x < r.end() && x < r.start() + 4 * Addr.PAGE_SIZE; x += Addr.PAGE_SIZE) w.touch(a, x, s.write());
                        break;
                    case "dma":
                        for (long x = r.start(); x < r.end() && x < r.start() + 4 * Addr.PAGE_SIZE; x += Addr.PAGE_SIZE) w.dma(gpu, a, x, s.write());
                        break;
                    case "munmap":
                    case "munmap-table": w.munmap(a, r, l); break;
                    case "dontneed": w.dontneed(a, r, l); break;
                    case "fork":
                        if (!w.spaceNames().contains("C")) w.fork(a, "C", l);
                        break;
                    case "exit-child":
                        if (w.spaceNames().contains("C")) w.exit(w.space("C"), l);
                        break;
                    case "cow": w.cow(s.write() || !w.spaceNames().contains("C") ? a : w.space("C"), at, l); break;
                    case "migrate": w.migrate(a, r, l); break;
                    default: throw new IllegalStateException(s.kind());
                }
            } catch (EngineException e) {
                // SIGSEGV on an unmapped page, nothing to COW, a space already gone: the script's problem
            }
            found.addAll(w.endStatement());
        }
        return found;
    }

    static final List<Profile> COHERENT_PROFILES = Profiles.all().stream().filter(p -> p != Profiles.LINUX_3_16).toList();

    @Property(tries = 40)
    void rangeAndExactRangeNeverViolateFrom319On(@ForAll("workloads") List<Step> steps) {
        for (Profile p : COHERENT_PROFILES) {
            for (String strategy : List.of("range", "exact-range")) {
                List<Violation> v = run(p, steps, strategy, true);
                assertTrue(v.isEmpty(), () -> p.name() + " " + strategy + ": " + v.get(0).render());
            }
        }
    }

    /** The seed's claims 1-3: what 3.16's empty-pt driver (AMD IOMMUv2's first design) is caught by. */
    static final Set<ViolationKind> CLAIMED_316 = EnumSet.of(ViolationKind.DEVICE_FAILED, ViolationKind.FAULT_STORM,
            ViolationKind.STALE_WALK_CACHE);

    /**
     * What catches the bug first is one of the claimed kinds; once a claimed violation is
     * reported, later ones may be its consequences (a device that walked a freed table
     * through its stale walk cache installs an ATC entry the page table does not back: a
     * stale translation at the statement's end), so only the first is held to the claim.
     * jqwik found that sequence (munmap freeing the PTE table, then a dma through the walk
     * cache); the property had asked every violation to be a claimed kind.
     */
    @Property(tries = 60)
    void under316EmptyPtIsCaughtOnlyByTheClaimedKindsAndTheWalkCacheOnlyWhenItIsOn(@ForAll("workloads") List<Step> steps) {
        List<Violation> v = run(Profiles.LINUX_3_16, steps, "empty-pt", true);
        assertTrue(v.isEmpty() || CLAIMED_316.contains(v.get(0).kind()), () -> v.get(0).render());
        List<Violation> off = run(Profiles.LINUX_3_16, steps, "empty-pt", false);
        assertTrue(off.stream().noneMatch(x -> x.kind() == ViolationKind.STALE_WALK_CACHE), () -> "walk cache off: "
                + off.stream().filter(x -> x.kind() == ViolationKind.STALE_WALK_CACHE).findFirst().get().render());
        assertTrue(off.isEmpty() || CLAIMED_316.contains(off.get(0).kind()), () -> "walk cache off: " + off.get(0).render());
    }

    @Example
    void theBrokenDesignsAreCaughtByTheKindsTheSeedClaims() {
        Random rnd = new Random(7);
        int stale316 = 0, uaf = 0, tablesFreedClean = 0;
        Set<ViolationKind> startOnlyKinds = EnumSet.noneOf(ViolationKind.class);
        for (int i = 0; i < 150; i++) {
            List<Step> steps = seeded(rnd);
            if (run(Profiles.LINUX_3_16, steps, "empty-pt", true).stream().anyMatch(v -> v.kind() == ViolationKind.STALE_WALK_CACHE)) stale316++;
            List<Violation> so = run(Profiles.LINUX_3_19, steps, "start-only", true);
            if (so.stream().anyMatch(v -> v.kind() == ViolationKind.USE_AFTER_FREE)) uaf++;
            so.forEach(v -> startOnlyKinds.add(v.kind()));
            if (run(Profiles.LINUX_6_8, steps, "exact-range", true).isEmpty()) tablesFreedClean++;
        }
        // seeded, so the counts are the same every run: 8 and 9 of 150 when written (an access must land in the
        // window on a table that is then freed); a change that halves them has lost reachable cases
        assertTrue(stale316 >= 5, "3.16 + empty-pt: stale-walk-cache in only " + stale316 + " of 150");
        assertTrue(uaf >= 5, "start-only caught in only " + uaf + " of 150");
        assertTrue(startOnlyKinds.contains(ViolationKind.USE_AFTER_FREE), startOnlyKinds.toString());
        assertEquals(150, tablesFreedClean);
    }
}
