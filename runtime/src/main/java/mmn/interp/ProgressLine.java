package mmn.interp;

import java.io.PrintStream;
import java.util.function.Supplier;

/**
 * One line of progress on standard error, redrawn in place about once a second while
 * long work runs and wiped before anything else is printed. Drawn only where the
 * command line asked for it (a terminal, not --quiet); with no stream it draws nothing.
 * Thread-safe: an explore's workers and the interpreter both tick it.
 */
final class ProgressLine {
    static final long PERIOD_NANOS = 1_000_000_000L;
    private final PrintStream to;
    private volatile long next;
    private boolean shown;
    /** While an explore runs, its counts are the line, whoever ticks it (its workers, or a handler's statements). */
    private volatile Supplier<String> override;

    /** {@code to} null: no progress line. */
    ProgressLine(PrintStream to) {
        this.to = to;
        restart();
    }

    boolean enabled() {
        return to != null;
    }

    /** New work: the first line comes a second from now (short work never draws one). */
    void restart() {
        next = System.nanoTime() + PERIOD_NANOS;
    }

    /** Draws {@code text} if a second has passed since the last line; cheap when not. */
    void tick(long now, Supplier<String> text) {
        if (to == null || now - next <= 0) return;
        synchronized (this) {
            if (now - next <= 0) return; // another thread drew it
            next = now + PERIOD_NANOS;
            shown = true;
            Supplier<String> o = override;
            to.print("\r" + (o != null ? o : text).get() + "\u001b[K");
            to.flush();
        }
    }

    /** Until {@link #release}, the line shows {@code text} whoever ticks it. */
    void hold(Supplier<String> text) {
        override = text;
    }

    void release() {
        override = null;
    }

    /** Wipes the line, if one was drawn, so the next output starts on a clean line. */
    synchronized void clear() {
        if (shown) {
            to.print("\r\u001b[K");
            to.flush();
            shown = false;
        }
    }
}
