package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import static mmn.engine.OpsTestSupport.ALL;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Every new operation under every profile and built-in strategy, with device accesses at
 * every phase: start/end stay balanced (no protocol violation), the PTL is released, the
 * engine never fails internally, and the state hash is the same on a replay.
 */
class OpsSmokeTest {
    private static final long TEXT = 0x600000, DATA = 0x700000, HUGE = 0x800000, FILE = 0xa00000;

    private static Rig world(Profile p, String strategy) {
        Rig t = new Rig(p, strategy, 8, true, 64 * 1024);
        t.w.map(t.a, r(TEXT, 4 * Addr.PAGE_SIZE), Vma.READ | Vma.EXEC, "prog", false, false, false);
        t.w.map(t.a, r(DATA, 4 * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, "data", true, false, false);
        t.w.map(t.a, r(HUGE, Addr.PMD_SIZE), Vma.READ | Vma.WRITE, null, false, true, false);
        t.w.map(t.a, r(FILE, Addr.PMD_SIZE), Vma.READ, "lib.so", false, true, false);
        t.stmt("use", () -> {
            for (long va : new long[] {BASE, BASE + 0x1000, BASE + 0x2000, DATA, DATA + 0x1000, HUGE, HUGE + 0x1000}) {
                t.w.touch(t.a, va, true);
                t.w.dma(t.gpu, t.a, va, true);
            }
            t.w.dma(t.gpu, t.a, TEXT, false);
            t.w.dma(t.gpu, t.a, FILE, false);
        });
        return t;
    }

    private record Op(String name, Consumer<Rig> run) {}

    private static List<Op> ops(PhaseListener[] l) {
        List<Op> out = new ArrayList<>();
        out.add(new Op("age", t -> t.w.age(t.a, r(BASE, 0x3000), l[0])));
        out.add(new Op("ksm", t -> t.w.ksm(t.a, BASE, t.a, BASE + 0x1000, l[0])));
        out.add(new Op("migrate", t -> t.w.migrate(t.a, r(BASE, 0x3000), l[0])));
        out.add(new Op("reclaim", t -> t.w.reclaim(t.a, r(BASE + 0x2000, 0x1000), l[0])));
        out.add(new Op("uprobe", t -> t.w.uprobe(t.a, TEXT, l[0])));
        out.add(new Op("remap", t -> t.w.remap(t.a, r(DATA, 0x2000), l[0])));
        out.add(new Op("collapse", t -> t.w.collapse(t.a, HUGE, l[0])));
        out.add(new Op("split", t -> t.w.split(t.a, HUGE, l[0])));
        out.add(new Op("collapse", t -> t.w.collapse(t.a, FILE, l[0])));
        out.add(new Op("mremap", t -> t.w.mremap(t.a, r(BASE, 0x3000), 0xe00000, l[0])));
        out.add(new Op("oom-reap", t -> t.w.oomReap(t.a, l[0])));
        return out;
    }

    private static String run(Profile p, String strategy) {
        Rig t = world(p, strategy);
        PhaseListener[] l = new PhaseListener[1];
        for (Op op : ops(l)) {
            l[0] = phase -> {
                for (long va : new long[] {BASE, 0xe00000, DATA, HUGE, HUGE + 0x1000, TEXT}) {
                    if (t.a.findVma(va) != null) t.w.dma(t.gpu, t.a, va, false);
                }
            };
            try {
                t.stmt(op.name(), () -> op.run().accept(t));
            } catch (EngineException e) {
                // an operation this kernel lacks (oom-reap before 4.6, file collapse before 4.8)
                assertTrue(e.getMessage().contains("no OOM reaper") || e.getMessage().contains("remap_file_pages")
                        || e.getMessage().contains("anonymous memory only"), p.name() + " " + op.name() + ": " + e.getMessage());
                t.w.endStatement();
            }
            assertEquals(0, t.a.ptlDepth, op.name());
        }
        assertTrue(t.of(ViolationKind.PROTOCOL).isEmpty(), p.name() + " " + strategy + ": " + t.of(ViolationKind.PROTOCOL));
        return t.w.stateHash();
    }

    @Test
    void everyOperationRunsBalancedUnderEveryProfileAndStrategy() {
        for (Profile p : ALL) {
            for (String strategy : List.of("empty-pt", "range", "start-only", "end-only")) {
                assertEquals(run(p, strategy), run(p, strategy), p.name() + " " + strategy + ": not deterministic");
            }
        }
    }
}
