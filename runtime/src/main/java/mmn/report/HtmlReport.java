package mmn.report;

import static mmn.report.SvgSequence.esc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The report a person opens: one self-contained HTML page (inline CSS, JS and SVG; it
 * fetches nothing) with a summary table of every file and expectation, a sequence
 * diagram per finding ({@link Diagram}, drawn by {@link SvgSequence}), and every
 * file's full trace grouped by statement, collapsed unless the statement has a finding.
 *
 * <p>Entry points: {@link #html(TraceDoc)} for a whole trace; {@link #page(String, String)}
 * and {@link #diagrams(List)} for other front ends (a matrix of runs) that want the same
 * diagrams in a page of their own.
 */
public final class HtmlReport {
    private HtmlReport() {}

    static final String CSS = String.join("\n",
            "body{font:14px/1.4 sans-serif;margin:20px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}",
            "table.summary{border-collapse:collapse;margin:8px 0}table.summary td,table.summary th{border:1px solid #ccd;padding:3px 8px;text-align:left}",
            "table.summary th{background:#eef2f7}.ok{color:#1b5e20}.held{color:#1b5e20}.failed,.violation,.error{color:#b71c1c;font-weight:bold}",
            ".inconclusive{color:#e65100;font-weight:bold}.none{color:#666}",
            ".finding{border:1px solid #dde;border-radius:6px;padding:8px 12px;margin:12px 0;overflow-x:auto}",
            ".finding h3{font-size:14px;margin:4px 0}.where{font-family:monospace;color:#456}",
            ".legend span{display:inline-block;margin-right:14px;font-size:12px}.sw{width:12px;height:12px;border:2px solid;vertical-align:middle;margin-right:4px}",
            "details{margin:2px 0}summary{cursor:pointer;font-family:monospace}.evlist{font:12px monospace;white-space:pre;margin:2px 0 6px 18px}",
            ".evlist .v{color:#b71c1c;font-weight:bold}",
            "#tip{position:fixed;display:none;max-width:640px;background:#fffde7;border:1px solid #c9b458;padding:6px 8px;",
            "font:12px monospace;white-space:pre-wrap;pointer-events:none;box-shadow:0 2px 6px rgba(0,0,0,.2);z-index:10}",
            SvgSequence.STYLE);

    /** Shows an event's text, place and kernel call site next to the pointer. */
    static final String JS = String.join("\n",
            "(function(){var tip=document.getElementById('tip');",
            "function show(g,x,y){var t=g.getAttribute('data-text')||'';var w=g.getAttribute('data-where');var s=g.getAttribute('data-site');",
            " tip.textContent=t+(w?'\\n'+w:'')+(s?'\\ncall site: '+s:'');tip.style.display='block';",
            " tip.style.left=Math.min(x+14,window.innerWidth-660)+'px';tip.style.top=(y+14)+'px';}",
            "document.addEventListener('mouseover',function(e){var g=e.target.closest?e.target.closest('g.ev'):null;",
            " if(g)show(g,e.clientX,e.clientY);else tip.style.display='none';});",
            "document.addEventListener('mousemove',function(e){if(tip.style.display==='block'){",
            " tip.style.left=Math.min(e.clientX+14,window.innerWidth-660)+'px';tip.style.top=(e.clientY+14)+'px';}});",
            "})();");

    /** The whole report of a trace. */
    public static String html(TraceDoc doc) {
        StringBuilder b = new StringBuilder();
        TraceDoc.Summary s = doc.summary();
        b.append("<h1>mmn report</h1>\n<p id=\"summary-line\">").append(esc(TraceDocs.summaryLine(s, 0).replaceFirst(", [0-9.]+ s$", "")))
                .append(" <span class=\"none\">(trace version ").append(doc.version()).append(", ").append(esc(doc.tool())).append(")</span></p>\n");
        summaryTable(b, doc);
        List<Diagram> all = new ArrayList<>();
        for (int i = 0; i < doc.files().size(); i++) all.addAll(Diagram.of(doc.files().get(i), i + 1));
        b.append("<h2>Findings (").append(all.size()).append(")</h2>\n");
        if (all.isEmpty()) b.append("<p class=\"ok\">No violation, failed expectation or counterexample.</p>\n");
        else b.append(legend()).append(diagrams(all));
        b.append("<h2>Traces</h2>\n<p class=\"none\">Every statement's events; statements without findings are collapsed.</p>\n");
        for (int i = 0; i < doc.files().size(); i++) fullTrace(b, doc.files().get(i), i + 1);
        return page("mmn report", b.toString());
    }

    /** A self-contained page around body HTML: the report's style, the hover script and the tooltip element. */
    public static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + esc(title) + "</title>\n<style>\n" + CSS
                + "\n</style></head>\n<body>\n" + body + "<div id=\"tip\"></div>\n<script>\n" + JS + "\n</script>\n</body></html>\n";
    }

    /** Sections for diagrams, each with its title, place and SVG (for {@link #page}). */
    public static String diagrams(List<Diagram> ds) {
        StringBuilder b = new StringBuilder();
        for (Diagram d : ds) {
            b.append("<section class=\"finding verdict-").append(esc(d.verdict())).append("\" id=\"").append(esc(d.id())).append("\">\n<h3>")
                    .append(esc(d.title())).append("</h3>\n<div class=\"where\">").append(d.at() == null ? "" : esc(d.at().toString()));
            if (d.focus() != null) {
                TraceDoc.Violation v = d.focus();
                b.append(v.entry() != null ? "  entry " + esc(v.entry()) : "").append(v.pfn() != null ? "  pfn " + v.pfn() + " gen " + v.gen() : "");
            }
            b.append("</div>\n").append(SvgSequence.render(d, false)).append("</section>\n");
        }
        return b.toString();
    }

    /** Every diagram of a trace as one standalone SVG, stacked (mmn report -o FILE.svg). */
    public static String svg(TraceDoc doc) {
        List<String> parts = new ArrayList<>();
        int width = 400, height = 0;
        for (int i = 0; i < doc.files().size(); i++) {
            for (Diagram d : Diagram.of(doc.files().get(i), i + 1)) {
                String one = SvgSequence.render(d, false);
                int w = Integer.parseInt(one.replaceFirst("(?s)^.*? width=\"(\\d+)\".*$", "$1"));
                int h = Integer.parseInt(one.replaceFirst("(?s)^.*? height=\"(\\d+)\".*$", "$1"));
                parts.add("<text x=\"6\" y=\"" + (height + 18) + "\" style=\"font:bold 13px sans-serif\">" + esc(d.title()) + "</text>\n"
                        + "<g transform=\"translate(0," + (height + 26) + ")\">" + one + "</g>\n");
                height += h + 40;
                width = Math.max(width, w);
            }
        }
        if (parts.isEmpty()) {
            parts.add("<text x=\"6\" y=\"20\" style=\"font:13px sans-serif\">no findings</text>");
            height = 30;
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width + "\" height=\"" + height
                + "\" viewBox=\"0 0 " + width + " " + height + "\">\n<style>" + SvgSequence.STYLE + "</style>\n" + String.join("", parts) + "</svg>\n";
    }

    private static String legend() {
        return "<p class=\"legend\"><span><i class=\"sw\" style=\"border-color:#2a62c9;background:#dbe9ff\"></i>notifier hook</span>"
                + "<span><i class=\"sw\" style=\"border-color:#2e7d32;background:#e3f5e1;border-radius:8px\"></i>device access</span>"
                + "<span><i class=\"sw\" style=\"border-color:#d32f2f;background:#ffcdd2;border-radius:8px\"></i>violating access</span>"
                + "<span><i class=\"sw\" style=\"border-color:#e65100;background:#ffe0b2\"></i>freed frame</span>"
                + "<span><i class=\"sw\" style=\"border-color:#7f0000;background:#d32f2f;transform:rotate(45deg)\"></i>violation</span>"
                + " <span class=\"none\">hover a step for its kernel call site</span></p>\n";
    }

    private static void summaryTable(StringBuilder b, TraceDoc doc) {
        b.append("<table class=\"summary\" id=\"files\"><tr><th>file</th><th>outcome</th><th>expectations held</th><th>failed</th>"
                + "<th>violations</th><th>explores</th></tr>\n");
        for (TraceDoc.FileRun f : doc.files()) {
            TraceDoc.Summary s = TraceDocs.summary(List.of(f));
            b.append("<tr><td>").append(esc(f.file())).append("</td><td class=\"").append(esc(f.outcome())).append("\">").append(esc(f.outcome()))
                    .append(f.error() != null ? ": " + esc(f.error()) : "").append("</td><td>").append(s.expectationsHeld()).append("</td><td>")
                    .append(s.expectationsFailed()).append("</td><td>").append(s.violations()).append("</td><td>").append(f.explores().size())
                    .append("</td></tr>\n");
        }
        // every expectation: open when one failed, else one click away (a directory run has hundreds)
        boolean anyFailed = doc.summary().expectationsFailed() > 0 || doc.summary().inconclusive() > 0;
        b.append("</table>\n<details class=\"expectations\"").append(anyFailed ? " open" : "").append("><summary>")
                .append(doc.summary().expectationsHeld() + doc.summary().expectationsFailed()).append(" expectations and explores</summary>\n")
                .append("<table class=\"summary\" id=\"expectations\"><tr><th>where</th><th>expectation</th><th>result</th><th>detail</th></tr>\n");
        for (TraceDoc.FileRun f : doc.files()) {
            for (TraceDoc.Event e : f.events()) {
                if (e.kind().equals("expect")) expectationRow(b, e.at(), e.text(), e.result(), e.why());
            }
            for (TraceDoc.Explore x : f.explores()) {
                String detail = x.verdict() + (x.bound() != null ? " (" + x.bound() + ")" : "") + ", " + x.stats().distinct() + " distinct states";
                expectationRow(b, x.at(), x.text(), x.result(), detail);
            }
        }
        b.append("</table></details>\n");
    }

    private static void expectationRow(StringBuilder b, TraceDoc.At at, String text, String result, String detail) {
        b.append("<tr><td class=\"where\">").append(at == null ? "" : esc(at.toString())).append("</td><td>").append(esc(text))
                .append("</td><td class=\"").append(esc(result)).append("\">").append(esc(result)).append("</td><td>").append(esc(detail))
                .append("</td></tr>\n");
    }

    /** A file's events by statement: one details element each, open when the statement has a finding. */
    private static void fullTrace(StringBuilder b, TraceDoc.FileRun f, int fileNo) {
        b.append("<h3>").append(esc(f.file())).append(" <span class=\"").append(esc(f.outcome())).append("\">").append(esc(f.outcome()))
                .append("</span></h3>\n");
        Map<Integer, List<TraceDoc.Event>> byStatement = new TreeMap<>();
        for (TraceDoc.Event e : f.events()) byStatement.computeIfAbsent(e.statement() == null ? 0 : e.statement(), k -> new ArrayList<>()).add(e);
        for (Map.Entry<Integer, List<TraceDoc.Event>> st : byStatement.entrySet()) {
            List<TraceDoc.Event> evs = st.getValue();
            boolean finding = evs.stream().anyMatch(e -> e.kind().equals("violation") || "failed".equals(e.result()) && e.kind().equals("expect"));
            TraceDoc.At at = evs.stream().map(TraceDoc.Event::at).filter(a -> a != null).findFirst().orElse(null);
            b.append("<details class=\"stmt\"").append(finding ? " open" : "").append("><summary>").append(at == null ? "statement " + st.getKey() : esc(at.toString()))
                    .append(" — ").append(evs.size()).append(evs.size() == 1 ? " event" : " events").append(finding ? " <span class=\"violation\">finding</span>" : "")
                    .append("</summary><div class=\"evlist\">");
            for (TraceDoc.Event e : evs) {
                boolean v = e.kind().equals("violation");
                b.append(v ? "<span class=\"v\">" : "").append(String.format("%5d %-9s ", e.seq(), e.kind())).append(esc(e.text()))
                        .append(v ? "</span>" : "").append('\n');
            }
            b.append("</div></details>\n");
        }
    }
}
