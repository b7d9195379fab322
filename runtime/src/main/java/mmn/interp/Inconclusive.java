package mmn.interp;

/**
 * The run stops after a statement because a bound, a budget or a timeout cut its work
 * short and nothing was found (exit 3). The report, with how to raise the limit, has
 * already been printed.
 */
final class Inconclusive extends RuntimeException {
    Inconclusive() {
        super(null, null, false, false);
    }
}
