package mmn.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Draws a {@link Diagram} as an SVG sequence diagram: time runs down, one row an event;
 * lanes left to right: the operation (its phases), the notifier hooks, one per device.
 * The violating access carries class {@code ev-violating}, the free that gave the frame
 * back {@code ev-freed}, the violation itself {@code ev-violation}; every event is a
 * {@code g.ev} whose {@code data-site} (kernel call site) and {@code data-text} the
 * page's script shows on hover. No script or style of its own: the page styles it
 * (the standalone .svg gets {@link #STYLE} inline).
 */
public final class SvgSequence {
    static final int STEP_GUTTER = 290, LANE = 150, ROW = 22, TOP = 44, TEXT_W = 700;
    /** Longer statements show their first and last rows; the middle is summarised (the full list is in the page). */
    static final int MAX_ROWS = 600, HEAD_ROWS = 100;

    static final String STYLE = String.join("\n",
            ".lane-head{fill:#eef2f7;stroke:#9aa9bb}.lane-name{font:bold 12px sans-serif;fill:#223}",
            ".lane-line{stroke:#c5cfdb;stroke-dasharray:4 3}.step-sep{stroke:#e2e6ec}.step-label{font:12px monospace;fill:#345}",
            ".ev text{font:11px monospace;fill:#222}.ev .tag{font:10px sans-serif;fill:#333}",
            ".ev .mark{fill:#fff;stroke:#567;stroke-width:1.2}.kind-hook .mark{fill:#dbe9ff;stroke:#2a62c9}",
            ".kind-step .mark{fill:#eee;stroke:#555}.kind-access .mark{fill:#e3f5e1;stroke:#2e7d32}",
            ".kind-flush .mark{fill:#fff3d6;stroke:#b7791f}.kind-fault .mark{fill:#f3e5f5;stroke:#7b1fa2}",
            ".kind-free .mark{fill:#f5f5f5;stroke:#777}.call{stroke:#2a62c9;stroke-width:1;marker-end:url(#arrow)}",
            "g.ev-violation .mark{fill:#d32f2f;stroke:#7f0000;stroke-width:2}g.ev-violation text{fill:#b71c1c;font-weight:bold}",
            "g.ev-violating .mark{fill:#ffcdd2;stroke:#d32f2f;stroke-width:3}g.ev-violating text{fill:#b71c1c;font-weight:bold}",
            "g.ev-freed .mark{fill:#ffe0b2;stroke:#e65100;stroke-width:3}g.ev-freed text{fill:#e65100;font-weight:bold}",
            ".elided text{font:italic 11px sans-serif;fill:#777}.ev:hover .mark{stroke-width:3}");

    private SvgSequence() {}

    /** The diagram as an {@code <svg>} element (standalone adds the namespace and the style). */
    public static String render(Diagram d, boolean standalone) {
        List<String> lanes = d.lanes();
        List<Diagram.Row> rows = d.rows();
        // the left gutter holds counterexample steps; a plain statement needs none
        int gutter = rows.stream().anyMatch(r -> r.step() != null) ? STEP_GUTTER : 8;
        int violating = d.violatingRow();
        List<Integer> shown = shownRows(rows.size(), d.firstViolationRow());
        int width = gutter + lanes.size() * LANE + TEXT_W;
        int height = TOP + shown.size() * ROW + 16;
        StringBuilder b = new StringBuilder();
        b.append("<svg class=\"seq\" id=\"svg-").append(esc(d.id())).append("\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append('"');
        if (standalone) b.append(" xmlns=\"http://www.w3.org/2000/svg\"");
        b.append(" role=\"img\" aria-label=\"").append(esc(d.title())).append("\">\n");
        if (standalone) b.append("<style>").append(STYLE).append("</style>\n");
        b.append("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">")
                .append("<path d=\"M0,0 L8,4 L0,8 z\" fill=\"#2a62c9\"/></marker></defs>\n");
        for (int i = 0; i < lanes.size(); i++) {
            int x = gutter + i * LANE;
            b.append("<rect class=\"lane-head\" x=\"").append(x + 4).append("\" y=\"4\" width=\"").append(LANE - 8).append("\" height=\"24\" rx=\"4\"/>")
                    .append("<text class=\"lane-name\" x=\"").append(x + LANE / 2).append("\" y=\"21\" text-anchor=\"middle\">")
                    .append(esc(cut(lanes.get(i), 20))).append("</text>")
                    .append("<line class=\"lane-line\" x1=\"").append(x + LANE / 2).append("\" y1=\"28\" x2=\"").append(x + LANE / 2)
                    .append("\" y2=\"").append(height - 8).append("\"/>\n");
        }
        String lastStep = null;
        for (int k = 0; k < shown.size(); k++) {
            int i = shown.get(k);
            int y = TOP + k * ROW + ROW / 2;
            if (i < 0) {
                int hidden = rows.size() - MAX_ROWS;
                b.append("<g class=\"elided\"><text x=\"").append(gutter).append("\" y=\"").append(y + 4).append("\">… ").append(hidden)
                        .append(" events not drawn (the page lists them all)</text></g>\n");
                continue;
            }
            Diagram.Row r = rows.get(i);
            if (r.step() != null && !r.step().equals(lastStep)) {
                lastStep = r.step();
                b.append("<line class=\"step-sep\" x1=\"0\" y1=\"").append(y - ROW / 2).append("\" x2=\"").append(width).append("\" y2=\"")
                        .append(y - ROW / 2).append("\"/><text class=\"step-label\" x=\"6\" y=\"").append(y + 4).append("\">")
                        .append(esc(cut(r.step(), 40))).append("<title>").append(esc(r.step())).append("</title></text>\n");
            }
            TraceDoc.Event e = r.event();
            if (e == null) continue;
            event(b, d, e, lanes, y, i == violating, gutter);
        }
        return b.append("</svg>\n").toString();
    }

    /** Row indexes to draw; -1 marks the elided middle of a long statement. */
    static List<Integer> shownRows(int n, int firstViolation) {
        List<Integer> out = new ArrayList<>();
        if (n <= MAX_ROWS) {
            for (int i = 0; i < n; i++) out.add(i);
            return out;
        }
        // the head, then the rows leading to (and just after) the first violation
        int end = Math.min(n, Math.max(firstViolation + 20, MAX_ROWS));
        int tailStart = end - (MAX_ROWS - HEAD_ROWS);
        for (int i = 0; i < HEAD_ROWS; i++) out.add(i);
        out.add(-1);
        for (int i = Math.max(tailStart, HEAD_ROWS); i < end; i++) out.add(i);
        return out;
    }

    private static void event(StringBuilder b, Diagram d, TraceDoc.Event e, List<String> lanes, int y, boolean violating, int gutter) {
        String lane = Diagram.laneOf(e);
        int li = lanes.indexOf(lane);
        int cx = gutter + li * LANE + LANE / 2;
        String cls = "ev kind-" + e.kind() + (e.kind().equals("violation") ? " ev-violation" : "") + (violating ? " ev-violating" : "")
                + (d.freesFocusFrame(e) ? " ev-freed" : "");
        b.append("<g class=\"").append(cls).append("\" id=\"ev-").append(esc(d.id())).append('-').append(e.seq()).append('"');
        if (e.site() != null) b.append(" data-site=\"").append(esc(e.site() + (e.cite() != null ? " — " + e.cite() : ""))).append('"');
        b.append(" data-text=\"").append(esc(e.text())).append('"')
                .append(" data-where=\"").append(esc(where(e))).append("\">");
        b.append("<title>").append(esc(e.text())).append(e.site() != null ? "\ncall site: " + esc(e.site()) : "").append("</title>");
        if (e.kind().equals("hook")) {
            int ox = gutter + LANE / 2;
            b.append("<line class=\"call\" x1=\"").append(ox + 6).append("\" y1=\"").append(y).append("\" x2=\"").append(cx - 9)
                    .append("\" y2=\"").append(y).append("\"/>");
        }
        switch (e.kind()) {
            case "violation" -> b.append("<polygon class=\"mark\" points=\"").append(cx).append(',').append(y - 8).append(' ').append(cx + 8)
                    .append(',').append(y).append(' ').append(cx).append(',').append(y + 8).append(' ').append(cx - 8).append(',').append(y).append("\"/>");
            case "access" -> b.append("<circle class=\"mark\" cx=\"").append(cx).append("\" cy=\"").append(y).append("\" r=\"").append(violating ? 8 : 6).append("\"/>");
            default -> b.append("<rect class=\"mark\" x=\"").append(cx - 7).append("\" y=\"").append(y - 7).append("\" width=\"14\" height=\"14\" rx=\"2\"/>");
        }
        b.append("<text class=\"tag\" x=\"").append(cx + 11).append("\" y=\"").append(y + 4).append("\">").append(esc(cut(tag(e), 19))).append("</text>");
        b.append("<text x=\"").append(gutter + lanes.size() * LANE + 8).append("\" y=\"").append(y + 4).append("\">")
                .append(esc(cut(e.text(), 100))).append("</text></g>\n");
    }

    /** The few words drawn next to the mark, in the lane. */
    static String tag(TraceDoc.Event e) {
        return switch (e.kind()) {
            case "hook" -> e.hook() != null ? e.hook() : "hook";
            case "step" -> e.result() != null ? e.result() : "step";
            case "access" -> (Boolean.TRUE.equals(e.write()) ? "write " : "read ") + (e.result() == null ? "" : e.result())
                    + (e.level() != null ? " " + e.level() : "");
            case "violation" -> e.result() != null ? e.result() : "violation";
            case "free" -> "free " + (e.count() == null ? "" : e.count());
            default -> e.kind();
        };
    }

    private static String where(TraceDoc.Event e) {
        StringBuilder w = new StringBuilder();
        if (e.at() != null) w.append(e.at());
        if (e.operation() != null) w.append(w.length() > 0 ? "  " : "").append(e.operation());
        if (e.phase() != null) w.append(" [phase ").append(e.phase()).append(']');
        return w.toString();
    }

    static String cut(String s, int n) {
        if (s == null) return "";
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    /** XML/HTML text and attribute escaping. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
