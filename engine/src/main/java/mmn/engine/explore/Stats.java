package mmn.engine.explore;

import java.time.Duration;

/**
 * Search statistics. {@code transitions}: successor states computed (one replay each);
 * {@code statesVisited}: states reached counting revisits (the initial state plus one
 * per transition, TLC's "states generated"); {@code distinctStates}: states kept after
 * hashing; {@code maxDepth}: the deepest level reached.
 */
public record Stats(long statesVisited, long distinctStates, long transitions, int maxDepth, Duration elapsed) {
    /** Distinct states per second. */
    public double statesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : distinctStates / s;
    }

    public String render() {
        return String.format("%d states visited, %d distinct, %d transitions, depth %d, %.3f s, %.0f states/s",
                statesVisited, distinctStates, transitions, maxDepth, elapsed.toNanos() / 1e9, statesPerSecond());
    }
}
