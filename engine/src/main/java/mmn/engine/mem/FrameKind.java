package mmn.engine.mem;

public enum FrameKind {
    FREE("free"), USER("page"), PAGE_TABLE("page-table"), ZERO("zero-page"), EMPTY_TABLE("empty-table");

    private final String label;

    FrameKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
