package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.profile.Profile;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Test rig: a world with space A, a 64K anon VMA at 0x400000 and an ats device gpu bound to it. */
final class Rig extends WorldRig {
    final Device gpu;

    Rig(Profile p, String strategy, Integer priRetries, boolean walkCache, long mapSize) {
        super(p, mapSize);
        gpu = w.createAtsDevice("gpu", 64, walkCache, priRetries);
        w.bind(gpu, a);
        if (strategy != null) w.register("n1", a, gpu, strategy);
    }

    Rig(Profile p, String strategy, Integer priRetries) {
        this(p, strategy, priRetries, false, 64 * 1024);
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

    List<Violation> of(ViolationKind k) {
        return found.stream().filter(v -> v.kind() == k).toList();
    }

    static void each(Iterable<Profile> ps, Consumer<Profile> c) {
        for (Profile p : ps) c.accept(p);
    }
}
