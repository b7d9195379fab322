package mmn.bench;

import mmn.engine.World;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import java.util.List;
import mmn.engine.explore.Action;
import mmn.engine.explore.FaultPathAction;
import mmn.engine.explore.OpProgram;
import mmn.engine.explore.Scenarios;

/**
 * The explore scenarios measured (built by the explorer tests' own Scenarios, from the
 * engine's test-jar, and the same as the Promela models in bench/spin/): linux-3.19, space A with a 64K anonymous VMA at 0x400000,
 * ats device gpu (ATC 64) bound to it with one notifier, two pages written by the CPU
 * and read by gpu before the explore.
 */
public enum BenchScenarios {
    /** munmap of both pages, range strategy, two threads of two accesses each: coherent. */
    MUNMAP_RANGE("range") {
        @Override OpProgram op() { return munmap(BASE, 2 * PAGE); }
        @Override List<List<Action>> threads() {
            return List.of(List.of(dma(BASE, false), dma(BASE + PAGE, true)), List.of(dma(BASE + PAGE, false), dma(BASE, true)));
        }
    },
    /** the same munmap with the naive start-only strategy: use-after-free found. */
    MUNMAP_START_ONLY("start-only") {
        @Override OpProgram op() { return munmap(BASE, 2 * PAGE); }
        @Override List<List<Action>> threads() { return MUNMAP_RANGE.threads(); }
    },
    /** a COW write fault after fork, range strategy, three device accesses: coherent. */
    COW_RANGE("range") {
        @Override World world() { return Scenarios.forked(Profiles.LINUX_3_19, "range", 2); }
        @Override OpProgram op() { return Scenarios.cow(BASE); }
        @Override List<List<Action>> threads() {
            return List.of(List.of(dma(BASE, false), dma(BASE + PAGE, true)), List.of(dma(BASE, false)));
        }
    },
    /**
     * scripts/explore/mirror-interval-munmap.mmn: linux-6.8, an HMM mirror with the
     * interval notifier, its fault path (six steps) racing munmap of one page: coherent.
     */
    MIRROR_INTERVAL("interval") {
        @Override World world() { return mirrorWorld("interval"); }
        @Override OpProgram op() { return munmap(BASE, PAGE); }
        @Override List<List<Action>> threads() {
            return List.of(List.of(new FaultPathAction("dma gpu A 0x400000 read", "gpu", "A", BASE, false, MirrorDevice.STEPS, 1)));
        }
    },
    /** the same with interval-no-retry: the stale install is found (use-after-free). */
    MIRROR_NO_RETRY("interval-no-retry") {
        @Override World world() { return mirrorWorld("interval-no-retry"); }
        @Override OpProgram op() { return munmap(BASE, PAGE); }
        @Override List<List<Action>> threads() { return MIRROR_INTERVAL.threads(); }
    };

    /** linux-6.8, A with one written page, an HMM mirror gpu with the given interval strategy. */
    private static World mirrorWorld(String strategy) {
        World w = new World(Profiles.LINUX_6_8);
        w.setMemory(1L << 20);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 64 * 1024), Vma.READ | Vma.WRITE, null, false, false, false);
        var gpu = w.createMirrorDevice("gpu", 0);
        w.bind(gpu, a);
        w.register("dmirror", a, gpu, strategy);
        w.beginStatement("setup");
        w.touch(a, BASE, true);
        w.endStatement();
        return w;
    }

    static final long BASE = 0x400000;
    static final long PAGE = Addr.PAGE_SIZE;
    private final String strategy;

    BenchScenarios(String strategy) {
        this.strategy = strategy;
    }

    World world() {
        return Scenarios.world(Profiles.LINUX_3_19, strategy, 2);
    }

    abstract OpProgram op();

    abstract List<List<Action>> threads();

    static OpProgram munmap(long start, long size) {
        return Scenarios.munmap(start, size);
    }

    static Action dma(long va, boolean write) {
        return Scenarios.dma(va, write);
    }
}
