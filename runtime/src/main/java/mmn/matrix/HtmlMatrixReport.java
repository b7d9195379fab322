package mmn.matrix;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.report.Diagram;
import mmn.report.HtmlReport;
import mmn.report.TraceDocs;

/**
 * `mmn matrix --html FILE`: the tables as one self-contained page (the report
 * renderer's page and style), each violation cell a link to its counterexample's
 * sequence diagram. The diagram comes from rerunning the cell's script (a .mmn driver's
 * cells have one) with the trace on; a cell without one (a guest driver) or whose
 * violation a scripted placement found shows its counterexample as text.
 */
public final class HtmlMatrixReport {
    private HtmlMatrixReport() {}

    public static String render(MatrixResult r) {
        Map<Cell, String> anchors = new HashMap<>();
        List<Diagram> diagrams = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        int n = 0;
        for (Cell c : r.cells()) {
            if (c.status() != Cell.Status.VIOLATION) continue;
            n++;
            List<Diagram> ds = c.script() == null ? List.of() : diagrams(r, c, n);
            if (!ds.isEmpty()) {
                anchors.put(c, ds.get(0).id());
                diagrams.addAll(ds);
            } else {
                String id = "cell-" + n;
                anchors.put(c, id);
                text.append("<section class=\"finding verdict-violation\" id=\"").append(id).append("\">\n<h3>").append(esc(where(c)))
                        .append(": ").append(esc(c.headline())).append("</h3>\n<pre>").append(esc(c.counterexample())).append("</pre></section>\n");
            }
        }
        StringBuilder b = new StringBuilder();
        b.append("<h1>mmn matrix of ").append(esc(r.driver())).append("</h1>\n<p id=\"summary-line\">").append(esc(TextReport.summary(r)))
                .append(". Device ").append(esc(r.device())).append("; each cell: the operation alone, with a read and a write at each phase,"
                        + " and an explore against a reading and a writing device thread.</p>\n");
        for (Mapping m : r.mappings()) {
            b.append("<h2>").append(m.label).append(" mapping</h2>\n<table class=\"summary\"><tr><th>operation</th>");
            for (String p : r.profiles()) b.append("<th>").append(esc(p)).append("</th>");
            b.append("</tr>\n");
            for (String op : r.ops()) {
                b.append("<tr><td>").append(esc(op)).append("</td>");
                for (String p : r.profiles()) b.append(cell(r.cell(p, op, m), anchors));
                b.append("</tr>\n");
            }
            b.append("</table>\n");
        }
        b.append("<h2>Counterexamples (").append(n).append(")</h2>\n");
        b.append(HtmlReport.diagrams(diagrams)).append(text);
        return HtmlReport.page("mmn matrix " + r.driver(), b.toString());
    }

    private static String cell(Cell c, Map<Cell, String> anchors) {
        String t = esc(c.shortText());
        switch (c.status()) {
            case VIOLATION:
                return "<td class=\"violation\"><a href=\"#" + anchors.get(c) + "\" title=\"" + esc(c.headline()) + "\">" + t + "</a></td>";
            case COHERENT:
                return "<td class=\"ok\" title=\"" + c.states() + " states\">" + t + "</td>";
            case INCONCLUSIVE:
                return "<td class=\"inconclusive\" title=\"a bound cut the explore short\">" + t + "</td>";
            case NOT_APPLICABLE:
                return "<td class=\"none\" title=\"" + esc(c.headline()) + "\">" + t + "</td>";
            default:
                return "<td class=\"error\" title=\"" + esc(c.headline()) + "\">" + t + "</td>";
        }
    }

    /** The cell's script rerun with its trace kept: the explore counterexample's diagram, if the explore found it. */
    private static List<Diagram> diagrams(MatrixResult r, Cell c, int n) {
        Options o = new Options();
        o.quiet = true;
        o.threads = 1;
        o.maxStates = r.bounds().maxStates();
        o.maxDepth = r.bounds().maxDepth();
        o.timeout = r.bounds().timeout();
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Session s = new Session(o, sink, sink);
        Outcome out = s.runText(where(c), c.script());
        return Diagram.of(TraceDocs.fileRun(where(c), s, out), n).stream().filter(d -> d.id().contains("-x")).toList();
    }

    private static String where(Cell c) {
        return c.profile() + " " + c.op() + " " + c.mapping().label;
    }

    private static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
