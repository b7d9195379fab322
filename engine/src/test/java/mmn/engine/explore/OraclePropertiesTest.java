package mmn.engine.explore;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * The explorer against brute force ({@link BruteForce}: every schedule, no merging, no
 * reduction) over random small programs: an operation (munmap, dontneed, mprotect,
 * migrate, cow after fork) under a strategy, against one to three device threads of an
 * ats, mirror or kvm device (stepped dma accesses, flushes). For every combination of
 * reductions on and off and for 1 and 2 workers, the explorer's verdict, the length of
 * its shortest counterexample (and the violation's kind) and its set of end states must
 * equal the enumeration's.
 */
class OraclePropertiesTest {
    static final long BASE = 0x400000;
    /** Schedules longer than this are cut by both (retry loops have infinite ones). */
    static final int DEPTH = 24;
    /** Programs needing more replays than this are too big for brute force and skipped. */
    static final long REPLAYS = 5_000;

    /** A device kind with the strategies (and the profile) that can drive it. */
    record Kind(String kind, Profile profile, List<String> strategies) {}

    static final List<Kind> KINDS = List.of(
            new Kind("ats", Profiles.LINUX_3_19, List.of("range", "start-only", "end-only", "empty-pt")),
            new Kind("ats", Profiles.LINUX_6_8, List.of("range", "start-only")),
            new Kind("mirror", Profiles.LINUX_6_8, List.of("interval", "interval-no-retry", "start-only")),
            new Kind("kvm", Profiles.LINUX_6_8, List.of("kvm")),
            new Kind("kvm", Profiles.LINUX_3_19, List.of("kvm")));

    /** One device action: a dma of a page, or a flush of the whole device. */
    record Act(boolean flush, int page, boolean write) {
        @Override public String toString() { return flush ? "flush" : "dma " + page + (write ? " w" : " r"); }
    }

    /** A random small program. {@code touched}/{@code cached}: pages the CPU wrote / the device read in the setup. */
    record Program(Kind kind, String strategy, String op, int touched, int cached, List<List<Act>> threads) {
        @Override public String toString() {
            return kind.kind() + "/" + kind.profile().name() + "/" + strategy + " " + op + " touched=" + Integer.toBinaryString(touched)
                    + " cached=" + Integer.toBinaryString(cached) + " threads=" + threads;
        }
    }

    @Provide
    Arbitrary<Program> programs() {
        Arbitrary<Act> act = Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(0, 1),
                Arbitraries.of(true, false)).as((k, page, write) -> new Act(k == 0, page, write));
        Arbitrary<List<Act>> thread = act.list().ofMinSize(1).ofMaxSize(2);
        return Arbitraries.of(KINDS).flatMap(k -> Combinators.combine(
                Arbitraries.of(k.strategies()),
                Arbitraries.of("munmap", "munmap2", "dontneed", "mprotect", "migrate", "cow"),
                Arbitraries.integers().between(0, 3),
                Arbitraries.integers().between(0, 3),
                thread.list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.of(false, true))
                .as((s, op, touched, cached, ths, twin) -> new Program(k, s, op, touched, cached, twin ? withTwin(ths) : ths))
                .filter(OraclePropertiesTest::smallEnough));
    }

    /** The threads and a copy of the first (identical threads: what the symmetry reduction merges). */
    static List<List<Act>> withTwin(List<List<Act>> ths) {
        List<List<Act>> l = new ArrayList<>(ths);
        l.add(1, ths.get(0));
        return l;
    }

    /**
     * Brute force is exponential: a driver fault path has eight steps, a PRI round trip
     * three, so at most one driver access or three ats accesses in all. (And no program
     * whose operation has nothing to work on in the initial world.)
     */
    static boolean smallEnough(Program p) {
        // migrate and cow need a page to move or copy: without one the script is refused before any search
        if ((p.op().equals("migrate") || p.op().equals("cow")) && (p.touched() & 1) == 0) return false;
        int dmas = 0;
        for (List<Act> t : p.threads()) for (Act a : t) if (!a.flush()) dmas++;
        return dmas <= (p.kind().kind().equals("ats") ? 3 : 1);
    }

    /** The program's initial world (null if the combination is not a legal setup). */
    static World world(Program p) {
        World w = new World(p.kind().profile());
        w.setMemory(1L << 20);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 4 * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        Device d = switch (p.kind().kind()) {
            case "ats" -> w.createAtsDevice("dev", 8, false, 4);
            case "mirror" -> w.createMirrorDevice("dev", 8);
            default -> w.createKvmDevice("dev", 8);
        };
        w.bind(d, a);
        w.register("n1", a, d, p.strategy());
        w.beginStatement("setup");
        for (int i = 0; i < 2; i++) if ((p.touched() >> i & 1) != 0) w.touch(a, BASE + i * Addr.PAGE_SIZE, true);
        for (int i = 0; i < 2; i++) if ((p.cached() >> i & 1) != 0) w.dma(d, a, BASE + i * Addr.PAGE_SIZE, false);
        if (p.op().equals("cow")) w.fork(a, "B", PhaseListener.NONE);
        w.endStatement();
        return w;
    }

    static OpProgram op(Program p) {
        return switch (p.op()) {
            case "munmap" -> (w, l) -> w.munmap(w.space("A"), new Range(BASE, BASE + Addr.PAGE_SIZE), l);
            case "munmap2" -> (w, l) -> w.munmap(w.space("A"), new Range(BASE, BASE + 2 * Addr.PAGE_SIZE), l);
            case "dontneed" -> (w, l) -> w.dontneed(w.space("A"), new Range(BASE, BASE + Addr.PAGE_SIZE), l);
            case "mprotect" -> (w, l) -> w.mprotect(w.space("A"), new Range(BASE, BASE + 2 * Addr.PAGE_SIZE), Vma.READ, l);
            case "migrate" -> (w, l) -> w.migrate(w.space("A"), new Range(BASE, BASE + Addr.PAGE_SIZE), l);
            default -> (w, l) -> w.cow(w.space("A"), BASE, l);
        };
    }

    /** The threads as the interpreter builds them: stepped accesses with unique owners, flushes as one step. */
    static List<List<Action>> threads(Program p, World w) {
        Device d = w.device("dev");
        List<List<Action>> ths = new ArrayList<>();
        int owner = 0;
        for (List<Act> t : p.threads()) {
            List<Action> as = new ArrayList<>();
            for (Act a : t) {
                if (a.flush()) {
                    as.add(Action.of("flush dev all", x -> x.deviceOps().flushDevice(x.device("dev"), null)));
                    continue;
                }
                long va = BASE + a.page() * Addr.PAGE_SIZE;
                String label = "dma dev A " + Addr.hex(va) + (a.write() ? " write" : " read");
                if (d instanceof DriverDevice dd) as.add(new FaultPathAction(label, "dev", "A", va, a.write(), dd.faultSteps(), ++owner));
                else as.add(new AtsAccessAction(label, "dev", "A", va, a.write(), ++owner));
            }
            ths.add(as);
        }
        return ths;
    }

    /** The reduction settings compared: everything on, everything off, each one off alone, and sleep sets alone. */
    static List<Reductions> settings() {
        return List.of(Reductions.ALL, Reductions.NONE, Reductions.ALL.withSymmetry(false), Reductions.ALL.withCanonical(false),
                Reductions.ALL.withSleepSets(false), Reductions.NONE.withSleepSets(true));
    }

    /**
     * Programs where the sleep sets have something to skip: two or three ats threads that
     * each read one page, mostly pages the device cached in the setup (reads that hit are
     * the independent steps), against any operation. (A driver's fault path is too long
     * for brute force with more than one access. Four threads were drawn too, but brute
     * force passed its bound on most of them, and a run that drew many rejected all but
     * one program: jqwik calls that exhausted, and CI failed on it.)
     */
    @Provide
    Arbitrary<Program> readers() {
        Arbitrary<List<Act>> thread = Arbitraries.integers().between(0, 1).map(page -> List.of(new Act(false, page, false)));
        return Arbitraries.of(KINDS.get(0), KINDS.get(1)).flatMap(k -> Combinators.combine(
                Arbitraries.of(k.strategies()),
                Arbitraries.of("munmap", "munmap2", "dontneed", "mprotect", "migrate", "cow"),
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(3, 3, 1, 2, 0),
                thread.list().ofMinSize(2).ofMaxSize(3),
                Arbitraries.of(false, true))
                .as((s, op, touched, cached, ths, twin) -> new Program(k, s, op, touched, cached, twin ? withTwin(ths.subList(0, 2)) : ths))
                .filter(p -> (!p.op().equals("migrate") && !p.op().equals("cow")) || (p.touched() & 1) != 0));
    }

    @Property(tries = 60, maxDiscardRatio = 10)
    void explorerAgreesWithBruteForce(@ForAll("programs") Program p) {
        check(p);
    }

    /** Brute force gives up on about two programs in three here: 40 tries check 12 on average, and fewer than 2 (jqwik's exhaustion at this ratio) about once in 80,000 runs. */
    @Property(tries = 40, maxDiscardRatio = 20)
    void sleepSetsAgreeWithBruteForce(@ForAll("readers") Program p) {
        check(p);
    }

    private static void check(Program p) {
        World w;
        try {
            w = world(p);
        } catch (EngineException e) {
            Assume.that(false); // not a legal setup (a strategy this profile lacks)
            return;
        }
        OpProgram op = op(p);
        List<List<Action>> ths = threads(p, w);
        BruteForce.Outcome truth;
        try {
            truth = BruteForce.enumerate(w, op, ths, DEPTH, REPLAYS);
        } catch (IllegalStateException tooBig) {
            Assume.that(false);
            return;
        } catch (EngineException e) {
            // some interleaving is refused: the explorer must refuse it too
            Statistics.label("outcome").collect("refused");
            for (Reductions r : settings()) {
                for (int workers = 1; workers <= 2; workers++) {
                    Bounds b = Bounds.defaults().withThreads(workers).withMaxDepth(DEPTH).withReductions(r);
                    try {
                        Explorer.explore(w, op, ths, b);
                    } catch (EngineException expected) {
                        continue;
                    }
                    throw new AssertionError(p + ": brute force met '" + e.getMessage() + "', the explorer (" + r + ", " + workers + " workers) did not");
                }
            }
            return;
        }
        Statistics.label("outcome").collect(truth.shortestViolation() >= 0 ? "violation" : truth.cut() ? "cut" : "coherent");
        Statistics.label("replays").collect(truth.replays() < 100 ? "<100" : truth.replays() < 1000 ? "<1000" : ">=1000");
        for (Reductions r : settings()) {
            for (int workers = 1; workers <= 2; workers++) {
                agree(p, w, op, ths, truth, Bounds.defaults().withThreads(workers).withMaxDepth(DEPTH).withReductions(r));
            }
        }
        sleepSetsKeepEveryState(p, w, op, ths);
    }

    /**
     * Sleep sets skip transitions, never states: with them on, the same distinct states at
     * the same depths (so the same count when the search ends), at most as many transitions.
     */
    static void sleepSetsKeepEveryState(Object what, World w, OpProgram op, List<List<Action>> ths) {
        for (Reductions r : List.of(Reductions.ALL, Reductions.NONE.withSleepSets(true))) {
            Bounds on = Bounds.defaults().withThreads(1).withMaxDepth(DEPTH).withReductions(r);
            Result with = Explorer.explore(w, op, ths, on);
            Result without = Explorer.explore(w, op, ths, on.withReductions(r.withSleepSets(false)));
            String ctx = what + " [" + r + "]\n" + with.render() + "\nwithout sleep sets:\n" + without.render();
            assertEquals(without.verdict(), with.verdict(), ctx);
            assertEquals(without.stats().distinctStates(), with.stats().distinctStates(), ctx);
            assertEquals(without.stats().maxDepth(), with.stats().maxDepth(), ctx);
            assertTrue(with.stats().transitions() <= without.stats().transitions(), ctx);
            if (with.stats().transitions() < without.stats().transitions()) Statistics.label("sleep sets").collect("fewer transitions");
            else Statistics.label("sleep sets").collect("no saving");
        }
    }

    static void agree(Object what, World w, OpProgram op, List<List<Action>> ths, BruteForce.Outcome truth, Bounds b) {
        Set<Replayer.Key> ends = new HashSet<>();
        Result r = Explorer.explore(w, op, ths, b, ends);
        String ctx = what + " [" + b.reductions() + ", " + b.threads() + " workers; brute force: shortest " + truth.shortestViolation()
                + ", " + truth.exactEnds().size() + " end states, cut " + truth.cut() + ", " + truth.replays() + " replays]\n" + r.render();
        if (truth.shortestViolation() >= 0) {
            assertEquals(Verdict.VIOLATION, r.verdict(), ctx);
            assertEquals(truth.shortestViolation(), length(r.counterexample()), ctx);
            assertTrue(truth.kindsAtShortest().contains(r.counterexample().violation().kind()), ctx);
            return;
        }
        assertNotEquals(Verdict.VIOLATION, r.verdict(), ctx);
        if (!truth.cut()) {
            assertEquals(Verdict.COHERENT, r.verdict(), ctx);
            assertEquals(truth.endStates(b.reductions().canonical()), ends, ctx);
        } else if (r.verdict() == Verdict.COHERENT) {
            // the search closed cycles the enumeration cut: every end state it saw is one the search found
            assertTrue(ends.containsAll(truth.endStates(b.reductions().canonical())), ctx);
        }
    }

    /** The counterexample's schedule length: its steps but the statement-end check. */
    static int length(Counterexample cx) {
        int n = 0;
        for (Counterexample.Step s : cx.steps()) if (!s.thread().equals("end")) n++;
        return n;
    }
}
