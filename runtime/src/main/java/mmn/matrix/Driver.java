package mmn.matrix;

import mmn.interp.Outcome;
import mmn.interp.Session;

/**
 * A driver under test: one device and the notifier that keeps it coherent, with no
 * space of its own. The matrix installs it into each workload's fresh world, its
 * notifier watching the workload's space. A .mmn driver file ({@link MmnDriver}) or a
 * guest-language driver registered through the embedding API (polyglot module).
 */
public interface Driver {
    /** How reports name it: the file it came from. */
    String label();

    /** The device the workload faults pages into and injects accesses from. */
    String device();

    /**
     * Declares the device and registers the notifier on {@code space} in the session's
     * world. An {@link Outcome#ERROR} (its message on the session's error stream) means
     * the driver cannot exist under this profile (a strategy the kernel lacks).
     */
    Outcome install(Session session, String space);

    /** The driver as .mmn text with its notifier watching {@code space}, for a cell's rerunnable script; null if it has none (a guest driver). */
    default String inline(String space) {
        return null;
    }

    /**
     * What the driver's own code raised since the last call (a guest callback that threw,
     * or a host call it made that was refused: the guest's message and file:line), and
     * forgets it; null if nothing. A run that ended in an error with a failure here is the
     * driver's error, not the kernel refusing the operation.
     */
    default String takeFailure() {
        return null;
    }

    /** How many cells may run at once: a guest-language driver's callbacks stay on one thread. */
    default int maxWorkers() {
        return Integer.MAX_VALUE;
    }
}
