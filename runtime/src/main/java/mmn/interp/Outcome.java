package mmn.interp;

/**
 * How a script run ended, with the exit code the language contract gives it: one
 * meaning each. {@link #worst} ranks them by what a reader must act on first: a bug in
 * mmn, then a script error, then a violation found, then work cut short with nothing
 * found, then ok.
 */
public enum Outcome {
    OK(0, 0), VIOLATION(1, 2), ERROR(2, 3), INCONCLUSIVE(3, 1), INTERNAL(4, 4);

    private final int exitCode;
    private final int rank;

    Outcome(int exitCode, int rank) {
        this.exitCode = exitCode;
        this.rank = rank;
    }

    public int exitCode() {
        return exitCode;
    }

    public Outcome worst(Outcome o) {
        return o.rank > rank ? o : this;
    }
}
