package mmn.bench;

import mmn.engine.World;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mmn.engine.explore.Action;
import mmn.engine.explore.Bounds;
import mmn.engine.explore.Explorer;
import mmn.engine.explore.OpProgram;
import mmn.engine.explore.Result;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Cost per transition on the SPIN ladder's rungs (issue 9: munmap of P pages against T
 * threads each reading every page, range on linux-3.19), one worker, the whole explore
 * (8x3: 186,966 distinct states, 681,583 transitions, about 2 s warm); a smaller
 * {@code maxStates} times only the first levels of the BFS. Counters, raw sums
 * over an iteration: {@code transitions}, {@code cpuNanos} (the calling thread, which
 * runs the only worker), {@code allocBytes}; divide. {@code -prof gc} gives
 * gc.alloc.rate.norm per explore as a cross-check.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 8) // two were not enough: the first iterations ran 2-3x slower (JIT)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class RungBenchmark {
    @Param({"8x3", "4x4"})
    public String rung;

    @Param({"5000000"})
    public long maxStates;

    /** Workers (--threads). With more than one, cpuNanos is the calling thread's only: read the time per explore instead. */
    @Param({"1"})
    public int workers;

    private World world;
    private OpProgram op;
    private List<List<Action>> threads;
    private Bounds bounds;

    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerTransition {
        public long transitions;
        public long cpuNanos;
        public long allocBytes;
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    @Setup(Level.Trial)
    public void setUp() {
        Rung r = Rung.parse(rung);
        world = r.world();
        op = r.op();
        threads = r.actions();
        bounds = Bounds.defaults().withThreads(workers).withMaxStates(maxStates);
    }

    @Benchmark
    public Result explore(PerTransition c) {
        long c0 = MX.getCurrentThreadCpuTime();
        long a0 = MX.getCurrentThreadAllocatedBytes();
        Result r = Explorer.explore(world, op, threads, bounds);
        c.cpuNanos += MX.getCurrentThreadCpuTime() - c0;
        c.allocBytes += MX.getCurrentThreadAllocatedBytes() - a0;
        c.transitions += r.stats().transitions();
        return r;
    }
}
