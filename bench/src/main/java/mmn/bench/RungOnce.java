package mmn.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import mmn.engine.explore.Bounds;
import mmn.engine.explore.Explorer;
import mmn.engine.explore.Result;

/**
 * One whole explore of a rung with one worker on the calling thread, in a fresh JVM:
 * prints the verdict, the statistics, CPU time and bytes allocated per transition (the
 * calling thread's, from ThreadMXBean). {@code --script FILE} writes the rung's .mmn
 * instead (for `mmn check` timed whole).
 * Usage: java -cp bench/target/benchmarks.jar mmn.bench.RungOnce 8x3[:STRATEGY] [MAX_STATES] [REPEATS]
 */
public final class RungOnce {
    private RungOnce() {}

    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    public static void main(String[] args) throws Exception {
        if (args[0].equals("--script")) {
            Files.writeString(Path.of(args[2]), Rung.parse(args[1]).script());
            return;
        }
        Rung rung = Rung.parse(args[0]);
        long max = args.length > 1 ? Long.parseLong(args[1]) : Bounds.DEFAULT_MAX_STATES;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        double best = Double.MAX_VALUE;
        for (int i = 0; i < repeats; i++) {
            long c0 = MX.getCurrentThreadCpuTime();
            long a0 = MX.getCurrentThreadAllocatedBytes();
            Result r = Explorer.explore(rung.world(), rung.op(), rung.actions(), Bounds.defaults().withThreads(1).withMaxStates(max));
            long cpu = MX.getCurrentThreadCpuTime() - c0;
            long alloc = MX.getCurrentThreadAllocatedBytes() - a0;
            long tr = Math.max(1, r.stats().transitions());
            best = Math.min(best, cpu / 1000.0 / tr);
            System.out.printf("%s: %s%s (%s)%n  %.2f us CPU per transition, %.1f KiB allocated per transition%n", args[0], r.verdict(),
                    r.bound() != null ? " " + r.bound().label() : "", r.stats().render(), cpu / 1000.0 / tr, alloc / 1024.0 / tr);
        }
        if (repeats > 1) System.out.printf("  min over %d runs: %.2f us CPU per transition%n", repeats, best);
    }
}
