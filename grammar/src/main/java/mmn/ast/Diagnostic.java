package mmn.ast;

/**
 * An error a person can act on: where, what, and a hint. Rendered the way compilers
 * do it: {@code file:line:col: error: message}, the source line, a caret under the
 * fault, then the hint.
 */
public record Diagnostic(Pos pos, String message, String hint) {

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
                b.append(gutter).append(expandTabs(line)).append('\n');
                int col = visualColumn(line, pos.col());
                b.append(" ".repeat(gutter.length() - 2)).append("| ").append(" ".repeat(col))
                        .append('^').append("~".repeat(Math.max(0, Math.min(pos.length(), line.length() - pos.col()) - 1)))
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
