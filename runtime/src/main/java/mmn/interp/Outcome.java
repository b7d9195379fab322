package mmn.interp;

/** How a script run ended, with the exit code the language contract gives it. */
public enum Outcome {
    OK(0), VIOLATION(1), ERROR(2);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public Outcome worst(Outcome o) {
        return o.exitCode > exitCode ? o : this;
    }
}
