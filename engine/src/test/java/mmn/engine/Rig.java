package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Test rig: a world with space A, a 64K anon VMA at 0x400000 and an ats device gpu bound to it. */
final class Rig {
    static final long BASE = 0x400000;
    final World w;
    final Space a;
    final Device gpu;
    final List<Violation> found = new ArrayList<>();

    Rig(Profile p, String strategy, Integer priRetries, boolean walkCache, long mapSize) {
        w = new World(p);
        a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + mapSize), Vma.READ | Vma.WRITE, null, false, false, false);
        gpu = w.createAtsDevice("gpu", 64, walkCache, priRetries);
        w.bind(gpu, a);
        if (strategy != null) w.register("n1", a, gpu, strategy);
    }

    Rig(Profile p, String strategy, Integer priRetries) {
        this(p, strategy, priRetries, false, 64 * 1024);
    }

    /** Runs one statement and collects its violations. */
    List<Violation> stmt(String label, Runnable r) {
        w.beginStatement(label);
        r.run();
        List<Violation> v = w.endStatement();
        found.addAll(v);
        return v;
    }

    void touchAll(long from, int pages) {
        stmt("touch", () -> {
            for (int i = 0; i < pages; i++) w.touch(a, from + i * Addr.PAGE_SIZE, true);
        });
    }

    void dmaAll(long from, int pages, boolean write) {
        stmt("dma", () -> {
            for (int i = 0; i < pages; i++) w.dma(gpu, a, from + i * Addr.PAGE_SIZE, write);
        });
    }

    static Range r(long start, long size) {
        return new Range(start, start + size);
    }

    /** A listener running actions after named phases. */
    static PhaseListener inject(Map<String, Runnable> at) {
        return phase -> {
            Runnable r = at.get(phase);
            if (r != null) r.run();
        };
    }

    static PhaseListener after(String phase, Runnable r) {
        return inject(Map.of(phase, r));
    }

    boolean has(ViolationKind k) {
        return found.stream().anyMatch(v -> v.kind() == k);
    }

    List<Violation> of(ViolationKind k) {
        return found.stream().filter(v -> v.kind() == k).toList();
    }

    static void each(Iterable<Profile> ps, Consumer<Profile> c) {
        for (Profile p : ps) c.accept(p);
    }
}
