package mmn.engine.explore;

/** How an explore ended. Only COHERENT claims that every interleaving was checked. */
public enum Verdict {
    /** Every interleaving was explored and none broke coherence. */
    COHERENT,
    /** A (shortest) interleaving breaks coherence: see the counterexample. */
    VIOLATION,
    /** A bound (see {@link Result#bound()}) stopped the search first: nothing is claimed. */
    BOUND_HIT,
    /** The cancel flag was set. */
    CANCELLED
}
