package mmn.engine.explore;

/** Which limit stopped a search. */
public enum Bound {
    MAX_STATES("max-states"), MAX_DEPTH("max-depth"), TIMEOUT("timeout");

    private final String label;

    Bound(String label) {
        this.label = label;
    }

    /** The command-line spelling (--max-states ...). */
    public String label() {
        return label;
    }
}
