package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random sequences of touch / dma / munmap / dontneed / mprotect over random ranges,
 * each operation with device accesses injected at random phases. Under linux-3.19 the
 * `range` strategy keeps every sequence coherent; `start-only` is caught on the same
 * generator.
 */
class RandomWorkloadPropertiesTest {
    static final long BASE = 0x400000;
    static final int PAGES = 32;

    record Step(String kind, int page, int pages, boolean write, int prot, String phase, int injectPage) {}

    static final List<String> PHASES = List.of("start", "clear", "change", "end", "unlink-tables", "flush", "free", "batch-flush");

    @Provide
    Arbitrary<List<Step>> workloads() {
        Arbitrary<Step> step = Combinators.combine(
                Arbitraries.of("touch", "dma", "dma", "munmap", "dontneed", "mprotect"),
                Arbitraries.integers().between(0, PAGES - 1),
                Arbitraries.integers().between(1, 8),
                Arbitraries.of(true, false),
                Arbitraries.of(Vma.READ, Vma.READ | Vma.WRITE),
                Arbitraries.of(PHASES),
                Arbitraries.integers().between(0, PAGES - 1))
                .as(Step::new);
        return step.list().ofMinSize(1).ofMaxSize(25);
    }

    /** Runs a workload; returns the violations it raised. */
    static List<Violation> run(List<Step> steps, String strategy, int gatherBatch) {
        return run(Profiles.LINUX_3_19, steps, strategy, gatherBatch);
    }

    static List<Violation> run(Profile p, List<Step> steps, String strategy, int gatherBatch) {
        World w = new World(p);
        w.setKnob("gather-batch", gatherBatch);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + PAGES * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        Device gpu = w.createAtsDevice("gpu", 16, true, 8);
        w.bind(gpu, a);
        w.register("n", a, gpu, strategy);
        List<Violation> found = new ArrayList<>();
        for (Step s : steps) {
            long va = BASE + s.page() * Addr.PAGE_SIZE;
            long end = Math.min(BASE + PAGES * Addr.PAGE_SIZE, va + s.pages() * Addr.PAGE_SIZE);
            Range r = new Range(va, end);
            long inj = BASE + s.injectPage() * Addr.PAGE_SIZE;
            PhaseListener l = phase -> {
                if (phase.equals(s.phase())) w.dma(gpu, a, inj, s.write());
            };
            w.beginStatement(s.toString());
            try {
                switch (s.kind()) {
                    case "touch": w.touch(a, va, s.write()); break;
                    case "dma": w.dma(gpu, a, va, s.write()); break;
                    case "munmap": w.munmap(a, r, l); break;
                    case "dontneed": w.dontneed(a, r, l); break;
                    case "mprotect": w.mprotect(a, r, s.prot(), l); break;
                    default: throw new IllegalStateException();
                }
            } catch (EngineException e) {
                // SIGSEGV on an unmapped page, -ENOMEM for a hole: the script's problem, not the engine's
            }
            found.addAll(w.endStatement());
        }
        return found;
    }

    @Property(tries = 300)
    void rangeUnder319NeverViolates(@ForAll("workloads") List<Step> steps) {
        List<Violation> v = run(steps, "range", 3);
        assertTrue(v.isEmpty(), () -> v.get(0).render());
    }

    @Property(tries = 100)
    void rangeNeverViolatesUnderAnyProfileSince319(@ForAll("workloads") List<Step> steps) {
        for (Profile p : Profiles.all()) {
            if (p == Profiles.LINUX_3_16) continue;
            List<Violation> v = run(p, steps, "range", 3);
            assertTrue(v.isEmpty(), () -> p.name() + ": " + v.get(0).render());
        }
    }

    @Property(tries = 100)
    void rangeUnder319NeverViolatesWithTheKernelsBatch(@ForAll("workloads") List<Step> steps) {
        List<Violation> v = run(steps, "range", World.DEFAULT_GATHER_BATCH);
        assertTrue(v.isEmpty(), () -> v.get(0).render());
    }

    /** The same generator shape, seeded, so the count is reproducible run to run. */
    static List<Step> seededWorkload(java.util.Random rnd) {
        String[] kinds = {"touch", "dma", "dma", "munmap", "dontneed", "mprotect"};
        List<Step> out = new ArrayList<>();
        int n = 1 + rnd.nextInt(25);
        for (int i = 0; i < n; i++) {
            int page = rnd.nextInt(PAGES);
            int pages = 1 + rnd.nextInt(8);
            // half the injections aim inside the operation's own range
            int inject = rnd.nextBoolean() ? Math.min(PAGES - 1, page + rnd.nextInt(pages)) : rnd.nextInt(PAGES);
            out.add(new Step(kinds[rnd.nextInt(kinds.length)], page, pages, rnd.nextBoolean(),
                    rnd.nextBoolean() ? Vma.READ : Vma.READ | Vma.WRITE, PHASES.get(rnd.nextInt(PHASES.size())), inject));
        }
        return out;
    }

    @Example
    void startOnlyIsCaughtOnTheSameWorkloads() {
        java.util.Random rnd = new java.util.Random(42);
        int caught = 0, rangeCaught = 0;
        java.util.Set<ViolationKind> kinds = java.util.EnumSet.noneOf(ViolationKind.class);
        for (int i = 0; i < 300; i++) {
            List<Step> steps = seededWorkload(rnd);
            List<Violation> v = run(steps, "start-only", 3);
            if (!v.isEmpty()) caught++;
            v.forEach(x -> kinds.add(x.kind()));
            if (!run(steps, "range", 3).isEmpty()) rangeCaught++;
        }
        assertEquals(0, rangeCaught);
        assertTrue(caught >= 20, "start-only caught in only " + caught + " of 300 workloads");
        assertTrue(kinds.contains(ViolationKind.USE_AFTER_FREE), kinds.toString());
    }
}
