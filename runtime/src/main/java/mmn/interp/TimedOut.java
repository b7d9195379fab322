package mmn.interp;

/**
 * Marks an engine error that is a time limit, not a mistake in the script: a guest
 * callback interrupted past its --guest-timeout. A session still reports it as an error
 * naming the callback (exit 2), and remembers that the run was cut short
 * ({@link Session#timedOut()}): a matrix cell ends inconclusive, not "not applicable".
 */
public interface TimedOut {}
