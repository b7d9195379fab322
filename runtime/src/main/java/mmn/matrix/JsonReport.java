package mmn.matrix;

import mmn.engine.Json;

/** `mmn matrix --json`: the axes, the bounds and every cell with its counterexample; no timings, so the same driver gives the same file. */
public final class JsonReport {
    private JsonReport() {}

    public static String render(MatrixResult r) {
        StringBuilder b = new StringBuilder("{\n");
        b.append("  \"driver\": ").append(Json.str(r.driver())).append(",\n");
        b.append("  \"device\": ").append(Json.str(r.device())).append(",\n");
        b.append("  \"profiles\": ").append(list(r.profiles())).append(",\n");
        b.append("  \"operations\": ").append(list(r.ops())).append(",\n");
        b.append("  \"mappings\": ").append(list(r.mappings().stream().map(m -> m.label).toList())).append(",\n");
        b.append("  \"bounds\": {\"maxStates\": ").append(r.bounds().maxStates()).append(", \"maxDepth\": ").append(r.bounds().maxDepth())
                .append(", \"timeoutSeconds\": ").append(r.bounds().timeout().toSeconds()).append("},\n");
        b.append("  \"exitCode\": ").append(r.exitCode()).append(",\n");
        b.append("  \"cells\": [");
        for (int i = 0; i < r.cells().size(); i++) {
            Cell c = r.cells().get(i);
            b.append(i == 0 ? "\n" : ",\n").append("    {\"profile\": ").append(Json.str(c.profile()))
                    .append(", \"operation\": ").append(Json.str(c.op()))
                    .append(", \"mapping\": ").append(Json.str(c.mapping().label))
                    .append(", \"status\": ").append(Json.str(c.status().label))
                    .append(", \"kind\": ").append(Json.str(c.kind()))
                    .append(", \"headline\": ").append(Json.str(c.headline()))
                    .append(", \"foundBy\": ").append(Json.str(c.foundBy()))
                    .append(", \"steps\": ").append(c.steps())
                    .append(", \"states\": ").append(c.states())
                    .append(", \"counterexample\": ").append(Json.str(c.counterexample()))
                    .append(", \"note\": ").append(Json.str(c.note()))
                    .append(", \"rerun\": ").append(Json.str(c.rerun(r.driver())))
                    .append(", \"script\": ").append(Json.str(c.script()))
                    .append('}');
        }
        return b.append("\n  ]\n}\n").toString();
    }

    private static String list(java.util.List<String> xs) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < xs.size(); i++) b.append(i == 0 ? "" : ", ").append(Json.str(xs.get(i)));
        return b.append(']').toString();
    }
}
