package mmn.polyglot;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.graalvm.polyglot.Context;

/**
 * Bounds a guest callback's time: past the limit the guest context is interrupted
 * ({@link Context#interrupt}; closed with cancel when an interrupt does not take), so a
 * callback that never returns cannot hang a run. One daemon timer thread for every context.
 */
final class GuestWatchdog {
    /** A few seconds: a callback flushes a cache or records a range; it never has a reason to run for long. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mmn-guest-watchdog");
        t.setDaemon(true);
        return t;
    });

    private GuestWatchdog() {}

    /** A running guard: {@link #fired} tells whether the callback was cut off. */
    static final class Guard implements AutoCloseable {
        private final ScheduledFuture<?> task;
        private final AtomicBoolean fired;

        private Guard(ScheduledFuture<?> task, AtomicBoolean fired) {
            this.task = task;
            this.fired = fired;
        }

        boolean fired() {
            return fired.get();
        }

        @Override
        public void close() {
            task.cancel(false);
        }
    }

    /**
     * Starts guarding {@code ctx} for {@code limit}. It must be the context's own handle (the
     * one its builder returned): the handle {@code Context.getCurrent()} gives may not interrupt.
     */
    static Guard guard(Context ctx, Duration limit) {
        AtomicBoolean fired = new AtomicBoolean();
        if (ctx == null) return new Guard(TIMER.schedule(() -> {}, 0, TimeUnit.MILLISECONDS), fired);
        ScheduledFuture<?> task = TIMER.schedule(() -> {
            fired.set(true);
            try {
                ctx.interrupt(Duration.ofSeconds(2));
            } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
                ctx.close(true); // the community build's last resort: cancel the context
            }
        }, limit.toMillis(), TimeUnit.MILLISECONDS);
        return new Guard(task, fired);
    }
}
