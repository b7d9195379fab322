package mmn.matrix;


/** `mmn matrix --json`: the axes, the bounds and every cell with its counterexample; no timings, so the same driver gives the same file. */
public final class JsonReport {
    private JsonReport() {}

    public static String render(MatrixResult r) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"driver\": ").append(str(r.driver())).append(",\n");
        b.append("  \"device\": ").append(str(r.device())).append(",\n");
        b.append("  \"profiles\": ").append(list(r.profiles())).append(",\n");
        b.append("  \"operations\": ").append(list(r.ops())).append(",\n");
        b.append("  \"mappings\": ").append(list(r.mappings().stream().map(m -> m.label).toList())).append(",\n");
        b.append("  \"bounds\": {\"maxStates\": ").append(r.bounds().maxStates()).append(", \"maxDepth\": ").append(r.bounds().maxDepth())
                .append(", \"timeoutSeconds\": ").append(r.bounds().timeout().toSeconds()).append("},\n");
        b.append("  \"exitCode\": ").append(r.exitCode()).append(",\n");
        b.append("  \"cells\": [");
        for (int i = 0; i < r.cells().size(); i++) {
            Cell c = r.cells().get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"profile\": ").append(str(c.profile()))
                    .append(", \"operation\": ").append(str(c.op()))
                    .append(", \"mapping\": ").append(str(c.mapping().label))
                    .append(", \"status\": ").append(str(c.status().label))
                    .append(", \"kind\": ").append(str(c.kind()))
                    .append(", \"headline\": ").append(str(c.headline()))
                    .append(", \"foundBy\": ").append(str(c.foundBy()))
                    .append(", \"steps\": ").append(c.steps())
                    .append(", \"states\": ").append(c.states())
                    .append(", \"counterexample\": ").append(str(c.counterexample()))
                    .append(", \"note\": ").append(str(c.note()))
                    .append(", \"rerun\": ").append(str(c.rerun(r.driver())))
                    .append(", \"script\": ").append(str(c.script()))
                    .append('}');
        }
        return b.append("\n  ]\n}\n").toString();
    }

    /** A JSON string (Jackson's escaping), or null. */
    private static String str(String s) {
        return s == null ? "null" : "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
    }

    private static String list(java.util.List<String> xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) b.append(i == 0 ? "" : ", ").append(str(xs.get(i)));
        return b.append(']').toString();
    }
}
