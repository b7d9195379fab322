package mmn.ast;

/** Where a node starts in its source: 1-based line, 0-based column, and its length on that line. */
public record Pos(Source source, int line, int col, int length) {
    public String file() {
        return source == null ? "<input>" : source.name();
    }

    @Override
    public String toString() {
        return file() + ":" + line + ":" + (col + 1);
    }
}
