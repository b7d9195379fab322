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
 * Explorer throughput: whole explores per second, and (the auxiliary counter
 * {@code distinctStates}) distinct states per second, with 1 and 2 workers.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class ExploreBenchmark {
    @Param({"MUNMAP_RANGE", "MUNMAP_START_ONLY", "COW_RANGE", "MIRROR_INTERVAL", "MIRROR_NO_RETRY"})
    public String scenario;

    @Param({"1", "2"})
    public int workers;

    private World world;
    private OpProgram op;
    private List<List<Action>> threads;
    private Bounds bounds;

    /** Counted per second by JMH: the distinct states of each explore. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class States {
        public long distinctStates;
    }

    /**
     * CPU time, robust where wall time is not (a loaded, shared machine): the states and
     * the calling thread's CPU microseconds of all explores of an iteration, as raw sums.
     * With one worker the explore runs on the calling thread, so states / cpuMicros is
     * distinct states per CPU-second (x 10^6); with two, the workers' CPU is not counted.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Cpu {
        public long cpuMicros;
        public long states;
        /** Bytes the calling thread allocated (deterministic: the load does not change it), in KiB. */
        public long allocKiB;
    }

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    @Setup(Level.Trial)
    public void setUp() {
        BenchScenarios s = BenchScenarios.valueOf(scenario);
        world = s.world();
        op = s.op();
        threads = s.threads();
        bounds = Bounds.defaults().withThreads(workers);
    }

    @Benchmark
    public Result explore(States counters, Cpu cpu) {
        long c0 = MX.getCurrentThreadCpuTime();
        long a0 = MX.getCurrentThreadAllocatedBytes();
        Result r = Explorer.explore(world, op, threads, bounds);
        cpu.cpuMicros += (MX.getCurrentThreadCpuTime() - c0) / 1000;
        cpu.allocKiB += (MX.getCurrentThreadAllocatedBytes() - a0) / 1024;
        cpu.states += r.stats().distinctStates();
        counters.distinctStates += r.stats().distinctStates();
        return r;
    }
}
