package mmn.engine;

import mmn.engine.check.Trace;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.Sites;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The outline `mmn profile PROFILE OP` prints and the code that runs are written twice
 * ({@link Operations}' table and the operation classes); this ties them. For every
 * operation and every profile, the operation runs once with nothing injected, and the
 * call sites it reaches (hooks or none) interleaved with the phases it announces must be
 * exactly the outline's steps in the printed order, less the steps of branches the
 * scenario does not take (listed per operation, each with the reason). And the hooks
 * the trace records must be exactly those the printed rows list for those sites.
 */
class OutlineTest {
    static final long BASE = 0x400000;
    static final long PAGE = Addr.PAGE_SIZE;

    /** One operation's run: a world set up for it, the operation, and the events its outline predicts under a profile. */
    record Case(String op, Consumer<World> setup, Consumer<World> run, java.util.function.Function<Profile, List<String>> expected) {}

    /**
     * The path a run takes through an outline: every step in order, less the steps of
     * branches not taken ({@link #skip}), with the site of a step whose call site is
     * conditional left out ({@link #noSite}), a stretch run twice ({@link #twice}), and
     * the sites of a nested operation ({@link #before}).
     */
    static final class Path {
        final String op;
        final Set<Integer> skip = new java.util.HashSet<>();
        final Set<Integer> noSite = new java.util.HashSet<>();
        int twiceFrom = -1, twiceTo = -1;
        final java.util.Map<Integer, List<String>> before = new java.util.HashMap<>();

        Path(String op) { this.op = op; }

        static Path of(String op) { return new Path(op); }

        Path skip(Integer... steps) { skip.addAll(List.of(steps)); return this; }

        Path noSite(Integer... steps) { noSite.addAll(List.of(steps)); return this; }

        Path twice(int from, int to) { twiceFrom = from; twiceTo = to; return this; }

        Path before(int step, String... sites) {
            List<String> ev = new ArrayList<>();
            for (String x : sites) ev.add("site " + x);
            before.put(step, ev);
            return this;
        }

        List<String> events() {
            List<Operations.Step> steps = Operations.outline(op);
            List<Integer> order = new ArrayList<>();
            for (int i = 1; i <= steps.size(); i++) {
                order.add(i);
                if (i == twiceTo) for (int j = twiceFrom; j <= twiceTo; j++) order.add(j);
            }
            List<String> ev = new ArrayList<>();
            for (int i : order) {
                if (skip.contains(i)) continue;
                Operations.Step s = steps.get(i - 1);
                ev.addAll(before.getOrDefault(i, List.of()));
                if (s.site() != null && !noSite.contains(i)) ev.add("site " + s.site());
                if (s.phase() != null) ev.add("phase " + s.phase());
            }
            return ev;
        }
    }

    static World world(Profile p) {
        World w = new World(p);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 64 * 1024), Vma.READ | Vma.WRITE, null, false, false, false);
        Device gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("n1", a, gpu, "range");
        return w;
    }

    static void stmt(World w, Runnable r) {
        w.beginStatement("setup");
        r.run();
        w.endStatement();
    }

    static void touch(World w, String space, long va, boolean write) {
        stmt(w, () -> w.touch(w.space(space), va, write));
    }

    /** The events a run produced: "site S" for every call site reached, "phase P" for every phase announced. */
    static List<String> events(Profile p, Case c) {
        World w = world(p);
        c.setup().accept(w);
        List<String> ev = new ArrayList<>();
        w.notifier.siteObserver = site -> ev.add("site " + site);
        w.beginStatement(c.op());
        PhaseListener l = phase -> ev.add("phase " + phase);
        // a dummy listener is still a listener: operations announce their phases only to a real one
        c.run().accept(withListener(w, l));
        w.endStatement();
        w.notifier.siteObserver = null;
        // the hooks the trace recorded, by the site each names: the rows the outline prints, hook for hook
        List<String> hooks = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        for (Trace.Event e : w.trace().events()) {
            if (e.statement() != w.statementNo() || !e.type().equals("hook") || e.text().startsWith(" ")) continue;
            hooks.add(e.fields().site); // the typed trace names the call site; no need to parse the text
        }
        for (String x : ev) {
            if (!x.startsWith("site ")) continue;
            String site = x.substring(5);
            for (Hook h : p.row(site, w.arch()).hooks()) rows.add(site);
        }
        assertEquals(rows, hooks, c.op() + " under " + p.name + ": hooks recorded vs the rows of the sites reached");
        return ev;
    }

    private static final ThreadLocal<PhaseListener> LISTENER = new ThreadLocal<>();

    private static World withListener(World w, PhaseListener l) {
        LISTENER.set(l);
        return w;
    }

    static PhaseListener l() {
        return LISTENER.get();
    }

    /** What the outline says the run does: each taken step's site, then its phase. */
    /** For a failure message: each event with the outline steps it could come from. */
    static String annotate(String op, List<String> events) {
        StringBuilder b = new StringBuilder();
        for (String e : events) {
            List<Integer> at = new ArrayList<>();
            int i = 0;
            for (Operations.Step s : Operations.outline(op)) {
                i++;
                if (e.equals("site " + s.site()) || e.equals("phase " + s.phase())) at.add(i);
            }
            b.append("\n    ").append(e).append("  <- steps ").append(at);
        }
        return b.toString();
    }

    static final Set<Integer> NONE = Set.of();

    static void forkB(World w) {
        touch(w, "A", BASE, true);
        stmt(w, () -> w.fork(w.space("A"), "B", PhaseListener.NONE));
    }

    static Case c(String op, Consumer<World> setup, Consumer<World> run, java.util.function.Function<Profile, Path> path) {
        return new Case(op, setup, run, p -> path.apply(p).events());
    }

    static Consumer<World> touched(long... vas) {
        return w -> {
            for (long va : vas) touch(w, "A", va, true);
        };
    }

    static List<Case> cases() {
        Range two = new Range(BASE, BASE + 2 * PAGE);
        Range one = new Range(BASE, BASE + PAGE);
        return List.of(
                // 1-3, 8-12: hugetlb; 7: the batch never fills; 15's site is free_pgtables' forced flush (a full batch)
                c("munmap", touched(BASE), w -> w.munmap(w.space("A"), two, l()), p -> Path.of("munmap").skip(1, 2, 3, 7, 8, 9, 10, 11, 12).noSite(15)),
                // 3: the batch never fills; 4-9: hugetlb
                c("dontneed", touched(BASE), w -> w.dontneed(w.space("A"), two, l()), p -> Path.of("dontneed").skip(3, 4, 5, 6, 7, 8, 9)),
                // 1-3, 9-13: hugetlb
                c("mprotect", touched(BASE), w -> w.mprotect(w.space("A"), two, Vma.READ, l()), p -> Path.of("mprotect").skip(1, 2, 3, 9, 10, 11, 12, 13)),
                // 3: the batch never fills; 5's site is the forced flush
                c("exit", touched(BASE), w -> w.exit(w.space("A"), l()), p -> Path.of("exit").skip(3).noSite(5)),
                // 5-7: hugetlb
                c("fork", touched(BASE), w -> w.fork(w.space("A"), "B", l()), p -> Path.of("fork").skip(5, 6, 7)),
                // 1: the page is shared with the child, no reuse; 9-11: hugetlb
                c("cow", OutlineTest::forkB, w -> w.cow(w.space("A"), BASE, l()), p -> Path.of("cow").skip(1, 9, 10, 11)),
                c("migrate", touched(BASE), w -> w.migrate(w.space("A"), one, l()), p -> Path.of("migrate")),
                // aged first, so 3.16-4.15's young test (3) finds the page old and the unmap goes on; 6.x has no such test
                c("reclaim", w -> {
                    touch(w, "A", BASE, true);
                    stmt(w, () -> w.age(w.space("A"), one, PhaseListener.NONE));
                }, w -> w.reclaim(w.space("A"), one, l()),
                        p -> p.row(Sites.RECLAIM_YOUNG).hooks().isEmpty() ? Path.of("reclaim").skip(3) : Path.of("reclaim")),
                // write_protect_page runs for the first page, then the second
                c("ksm", touched(BASE, BASE + PAGE), w -> w.ksm(w.space("A"), BASE, w.space("A"), BASE + PAGE, l()), p -> Path.of("ksm").twice(2, 5)),
                c("age", touched(BASE), w -> w.age(w.space("A"), one, l()), p -> Path.of("age")),
                // the CPU flush of this written (dirty) page is under the PTL from 4.15 (3: force_flush), once after unlocking
                // before (5); 7 is do_munmap of the old range (nothing left to gather there, so its tlb_finish_mmu flushes nothing)
                c("mremap", touched(BASE), w -> w.mremap(w.space("A"), one, BASE + (1 << 20), l()),
                        p -> Path.of("mremap").noSite(p.mremapFlush() != Profile.MremapFlush.AFTER_UNLOCK ? 5 : 3).before(7, Sites.UNMAP_START, Sites.UNMAP_END)),
                // 4.14/4.15 skip an mm with subscribers; 3: the batch never fills
                c("oom-reap", touched(BASE), w -> w.oomReap(w.space("A"), l()),
                        p -> p.oomReaperSkipsSubscribed ? Path.of("oom-reap").skip(1, 2, 3, 4, 5, 6, 7) : Path.of("oom-reap").skip(3)));
    }

    @Test
    void everyOperationRunsItsOutline() {
        List<String> failures = new ArrayList<>();
        for (Profile p : Profiles.all()) {
            for (Case c : cases()) {
                if (!Operations.availableIn(c.op(), p)) continue;
                List<String> got = events(p, c);
                List<String> want = c.expected().apply(p);
                if (!want.equals(got)) failures.add(c.op() + " under " + p.name + ": the outline says" + annotate(c.op(), want) + "\n  the code ran" + annotate(c.op(), got));
            }
        }
        assertEquals("", String.join("\n", failures));
    }
}
