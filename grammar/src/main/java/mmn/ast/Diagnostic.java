package mmn.ast;

/**
 * An error a person can act on: where, what, and a hint. Rendered the way compilers
 * do it: {@code file:line:col: error: message}, the source line, a caret under the
 * fault, then the hint.
 */
public record Diagnostic(Pos pos, String message, String hint) {
    /** The most characters of a source line shown above the caret. */
    private static final int MAX_SHOWN = 120;

    public String render() {
        return render("error");
    }

    /** Rendered with another word than "error" (an "inconclusive" stop, a "warning"). */
    public String render(String severity) {
        StringBuilder b = new StringBuilder();
        if (pos == null) {
            b.append(severity).append(": ").append(message).append('\n');
        } else {
            b.append(pos).append(": ").append(severity).append(": ").append(message).append('\n');
            String line = pos.source() == null ? "" : pos.source().line(pos.line());
            if (!line.isEmpty()) {
                String gutter = String.format("%5d | ", pos.line());
                int at = pos.col(); // the caret's column in the line as shown
                if (line.length() > MAX_SHOWN) { // too long for a terminal: the part around the caret, "..." for the rest
                    int from = Math.max(0, Math.min(at - MAX_SHOWN / 2, line.length() - MAX_SHOWN));
                    int to = from + MAX_SHOWN;
                    String shown = (from > 0 ? "..." : "") + line.substring(from, to) + (to < line.length() ? "..." : "");
                    at = at - from + (from > 0 ? 3 : 0);
                    line = shown;
                }
                b.append(gutter).append(expandTabs(line)).append('\n');
                int col = visualColumn(line, at);
                b.append(" ".repeat(gutter.length() - 2)).append("| ").append(" ".repeat(col))
                        .append('^').append("~".repeat(Math.max(0, Math.min(pos.length(), line.length() - at) - 1)))
                        .append('\n');
            }
        }
        if (hint != null) b.append("  hint: ").append(hint).append('\n');
        return b.toString();
    }

    private static String expandTabs(String s) {
        return s.replace("\t", "    ");
    }

    private static int visualColumn(String line, int col) {
        int v = 0;
        for (int i = 0; i < col && i < line.length(); i++) v += line.charAt(i) == '\t' ? 4 : 1;
        return v + Math.max(0, col - line.length());
    }
}
