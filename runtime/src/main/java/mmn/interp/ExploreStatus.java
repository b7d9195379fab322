package mmn.interp;

import java.util.Locale;

/**
 * An explore's progress on the progress line: distinct states, the depth reached, states
 * per second and seconds so far, e.g. {@code mmn: explore at a.mmn:13: 12,345 states,
 * depth 17, 4,100 states/s, 3 s}. The explorer tells it its counts (from its workers,
 * often); the line itself is redrawn at most once a second.
 */
final class ExploreStatus implements AutoCloseable {
    private final ProgressLine line;
    private final String where;
    private final long started = System.nanoTime();
    private volatile int depth;
    private volatile long states;

    ExploreStatus(ProgressLine line, String where) {
        this.line = line;
        this.where = where;
        // The explore's own first second draws nothing, as a run's does: a line saying
        // "0 s" came when the run's second ended just after the explore began.
        line.restart();
        line.hold(this::text);
    }

    /** The explorer's counts: the depth being expanded and the distinct states found so far. Cheap: called between states. */
    void progress(int depth, long states) {
        this.depth = depth;
        this.states = states;
        line.tick(System.nanoTime(), this::text);
    }

    String text() {
        long nanos = System.nanoTime() - started;
        long s = states;
        long rate = nanos <= 0 ? 0 : Math.round(s * 1e9 / nanos);
        return String.format(Locale.ROOT, "mmn: explore at %s: %,d states, depth %d, %,d states/s, %d s", where, s, depth, rate,
                nanos / 1_000_000_000L);
    }

    /** The explore ended: the run's own line again, and none on the screen until a second has passed. */
    @Override
    public void close() {
        line.release();
        line.clear();
    }
}
