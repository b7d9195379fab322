package mmn.interp;

/**
 * The run stops after a statement: a violation nobody expected or a failed
 * expectation (exit 1). The report has already been printed.
 */
final class Stop extends RuntimeException {
    Stop() {
        super(null, null, false, false);
    }
}
