package mmn.matrix;

/**
 * `mmn matrix --junit FILE`: one testcase per cell, for CI. A violation is a failure
 * (its counterexample the body), an inconclusive cell an error (a bound cut the
 * explore short: nothing was shown), a cell that does not apply is skipped with the
 * reason.
 */
public final class JUnitReport {
    private JUnitReport() {}

    public static String render(MatrixResult r) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        b.append("<testsuite name=\"").append(attr("mmn matrix " + r.driver())).append("\" tests=\"").append(r.cells().size())
                .append("\" failures=\"").append(r.count(Cell.Status.VIOLATION))
                .append("\" errors=\"").append(r.count(Cell.Status.INCONCLUSIVE) + r.count(Cell.Status.ERROR) + r.count(Cell.Status.DRIVER_ERROR))
                .append("\" skipped=\"").append(r.count(Cell.Status.NOT_APPLICABLE)).append("\">\n");
        for (Cell c : r.cells()) {
            b.append("  <testcase classname=\"").append(attr("matrix." + c.mapping().label + "." + c.op()))
                    .append("\" name=\"").append(attr(c.profile() + " " + c.op() + " " + c.mapping().label)).append('"');
            switch (c.status()) {
                case COHERENT -> b.append("/>\n");
                case VIOLATION -> b.append(">\n    <failure type=\"").append(attr(c.kind())).append("\" message=\"").append(attr(c.headline()))
                        .append("\">").append(text(c.counterexample() + "\nrerun: " + c.rerun(r.driver()))).append("</failure>\n  </testcase>\n");
                case INCONCLUSIVE -> b.append(">\n    <error type=\"inconclusive\" message=\"").append(attr("bound hit: " + c.headline()))
                        .append("\"/>\n  </testcase>\n");
                case NOT_APPLICABLE -> b.append(">\n    <skipped message=\"").append(attr(c.headline())).append("\"/>\n  </testcase>\n");
                case DRIVER_ERROR -> b.append(">\n    <error type=\"driver\" message=\"").append(attr(c.headline())).append("\"/>\n  </testcase>\n");
                default -> b.append(">\n    <error type=\"internal\" message=\"").append(attr(c.headline())).append("\"/>\n  </testcase>\n");
            }
        }
        return b.append("</testsuite>\n").toString();
    }

    private static String attr(String s) {
        return text(s).replace("\"", "&quot;").replace("\n", "&#10;");
    }

    private static String text(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
