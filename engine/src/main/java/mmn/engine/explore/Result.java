package mmn.engine.explore;

/**
 * The outcome of an explore: the verdict, the bound that stopped it (BOUND_HIT only),
 * statistics, and for VIOLATION a shortest counterexample (the lexicographically
 * smallest schedule among the shortest, so the same whatever the parallelism); for a
 * BOUND_HIT on states or depth, a {@link BoundReport}.
 */
public record Result(Verdict verdict, Bound bound, Stats stats, Counterexample counterexample, BoundReport boundReport) {
    public Result(Verdict verdict, Bound bound, Stats stats, Counterexample counterexample) {
        this(verdict, bound, stats, counterexample, null);
    }

    public String render() {
        StringBuilder b = new StringBuilder();
        switch (verdict) {
            case COHERENT -> b.append("coherent: every interleaving checked");
            case VIOLATION -> b.append(counterexample.violation().headline());
            case BOUND_HIT -> b.append("bound hit (").append(bound.label()).append("): not every interleaving was checked");
            case CANCELLED -> b.append("cancelled: not every interleaving was checked");
        }
        b.append("\n  ").append(stats.render()).append('\n');
        if (counterexample != null) b.append(counterexample.render());
        if (boundReport != null) b.append(boundReport.render());
        return b.toString();
    }
}
