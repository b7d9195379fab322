package mmn.bench;

import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one scripted `migrate A PAGE +4K` then `dma gpu A PAGE read` costs in a space
 * with {@code pages} mapped (written) pages: linux-3.19, range, an ats device. The rmap
 * walk should cost the mappings of the migrated page, not the mapped pages of the whole
 * space (issue 9: flat within 2x from 1K to 1M). Pages migrated in turn, one statement
 * each, trace off (the interpreter keeps it, which is linear anyway).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@State(Scope.Benchmark)
public class MigrateScaleBenchmark {
    @Param({"1000", "100000", "1000000"})
    public int pages;

    static final long BASE = 0x10000000L;
    private World w;
    private Space a;
    private Device gpu;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        w = world(pages);
        a = w.space("A");
        gpu = w.device("gpu");
    }

    static World world(int pages) {
        World w = new World(Profiles.LINUX_3_19);
        w.setMemory((long) (pages + pages / 256 + 4096) * 2 * Addr.PAGE_SIZE);
        w.trace().setKeep(false);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + (long) pages * Addr.PAGE_SIZE), Vma.READ | Vma.WRITE, null, false, false, false);
        Device gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("amd", a, gpu, "range");
        w.beginStatement("setup");
        for (int i = 0; i < pages; i++) w.touch(a, BASE + (long) i * Addr.PAGE_SIZE, true);
        w.endStatement();
        return w;
    }

    @Benchmark
    public Device.AccessResult migrateAndDma() {
        long va = BASE + (long) (next++ % pages) * Addr.PAGE_SIZE;
        w.beginStatement("migrate");
        w.migrate(a, new Range(va, va + Addr.PAGE_SIZE), PhaseListener.NONE);
        w.endStatement();
        w.beginStatement("dma");
        Device.AccessResult r = w.dma(gpu, a, va, false);
        w.endStatement();
        return r;
    }
}
