package mmn.bench;

import mmn.engine.explore.Bounds;
import mmn.engine.explore.Explorer;
import mmn.engine.explore.Result;

/**
 * One explore of a scenario in a fresh JVM, for the side-by-side with SPIN
 * (bench/spin/compare.sh): prints the verdict and the statistics.
 * Usage: java -cp bench/target/benchmarks.jar mmn.bench.ExploreOnce SCENARIO [WORKERS]
 */
public final class ExploreOnce {
    private ExploreOnce() {}

    public static void main(String[] args) {
        BenchScenarios s = BenchScenarios.valueOf(args[0]);
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        Result r = Explorer.explore(s.world(), s.op(), s.threads(), Bounds.defaults().withThreads(workers));
        System.out.println(s + ": " + r.verdict() + " (" + r.stats().render() + ")");
    }
}
