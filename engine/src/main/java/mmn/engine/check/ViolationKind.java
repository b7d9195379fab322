package mmn.engine.check;

/** The violation kinds of semantics.md §4, by the names {@code expect violation} takes. */
public enum ViolationKind {
    USE_AFTER_FREE("use-after-free"),
    STALE_WALK_CACHE("stale-walk-cache"),
    STALE_TRANSLATION("stale-translation"),
    LOST_WRITE("lost-write"),
    DEVICE_FAILED("device-failed"),
    FAULT_STORM("fault-storm"),
    PROTOCOL("protocol");

    private final String label;

    ViolationKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static ViolationKind byLabel(String s) {
        for (ViolationKind k : values()) if (k.label.equals(s)) return k;
        return null;
    }

    public static String labels() {
        StringBuilder b = new StringBuilder();
        for (ViolationKind k : values()) b.append(b.length() == 0 ? "" : ", ").append(k.label);
        return b.toString();
    }
}
