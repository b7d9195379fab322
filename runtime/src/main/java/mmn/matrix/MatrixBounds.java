package mmn.matrix;

import java.time.Duration;

/**
 * The explore bounds of every cell: mmn's defaults (Bounds.DEFAULT_MAX_STATES,
 * DEFAULT_MAX_DEPTH) and a wall-clock limit per cell, so that no cell runs unbounded.
 */
public record MatrixBounds(long maxStates, int maxDepth, Duration timeout) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    public static MatrixBounds defaults() {
        return new MatrixBounds(mmn.engine.explore.Bounds.DEFAULT_MAX_STATES, mmn.engine.explore.Bounds.DEFAULT_MAX_DEPTH, DEFAULT_TIMEOUT);
    }
}
