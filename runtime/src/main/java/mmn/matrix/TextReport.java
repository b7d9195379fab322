package mmn.matrix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The terminal report: one table per mapping kind (operations down, profiles across),
 * then each violation's headline and how to rerun it (with {@code details}, its
 * shortest counterexample), the reasons for the cells that do not apply, and a total.
 */
public final class TextReport {
    private TextReport() {}

    public static String render(MatrixResult r, boolean details) {
        StringBuilder b = new StringBuilder();
        b.append("matrix of ").append(r.driver()).append(" (device ").append(r.device()).append(")\n");
        for (Mapping m : r.mappings()) {
            b.append('\n').append(m.label).append(" mapping\n");
            List<List<String>> rows = new ArrayList<>();
            List<String> head = new ArrayList<>();
            head.add("operation");
            head.addAll(r.profiles());
            rows.add(head);
            for (String op : r.ops()) {
                List<String> row = new ArrayList<>();
                row.add(op);
                for (String p : r.profiles()) row.add(r.cell(p, op, m).shortText());
                rows.add(row);
            }
            table(b, rows);
        }
        group(b, r, "driver errors (the driver's code failed in these cells; fix it and rerun)",
                c -> c.status() == Cell.Status.DRIVER_ERROR ? c.headline() : null);
        List<Cell> bad = r.cells().stream().filter(c -> c.status() == Cell.Status.VIOLATION || c.status() == Cell.Status.ERROR).toList();
        if (!bad.isEmpty()) b.append("\nviolations (kind (steps): the shortest counterexample's length; rerun one with the command shown):\n");
        for (Cell c : bad) {
            b.append("  ").append(c.profile()).append(' ').append(c.op()).append(' ').append(c.mapping().label).append(": ")
                    .append(c.headline()).append(c.foundBy() == null ? "" : " (" + c.foundBy() + ")").append('\n');
            if (details && c.counterexample() != null) {
                for (String line : c.counterexample().split("\n")) b.append("      ").append(line).append('\n');
            }
            if (details && c.script() != null) {
                b.append("      the cell's workload as a script (`mmn check` it):\n");
                for (String line : c.script().split("\n")) b.append("        ").append(line).append('\n');
            }
        }
        List<Cell> inc = r.cells().stream().filter(c -> c.status() == Cell.Status.INCONCLUSIVE).toList();
        if (!inc.isEmpty()) {
            b.append("\ninconclusive (a bound cut the work short before every interleaving was checked; raise it: --max-states, --max-depth,"
                    + " --timeout, --guest-timeout):\n");
            for (Cell c : inc) b.append("  ").append(c.profile()).append(' ').append(c.op()).append(' ').append(c.mapping().label)
                    .append(": ").append(c.headline()).append(c.states() > 0 ? " after " + c.states() + " states" : "").append('\n');
        }
        group(b, r, "not applicable", c -> c.status() == Cell.Status.NOT_APPLICABLE ? c.headline() : null);
        group(b, r, "notes", c -> c.note());
        b.append('\n').append(summary(r)).append('\n');
        return b.toString();
    }

    /** Cells sharing one text (a reason, a note), listed under it. */
    private static void group(StringBuilder b, MatrixResult r, String title, java.util.function.Function<Cell, String> text) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (Cell c : r.cells()) {
            String t = text.apply(c);
            if (t != null) groups.computeIfAbsent(t, k -> new ArrayList<>()).add(c.profile() + " " + c.op() + " " + c.mapping().label);
        }
        if (!groups.isEmpty()) b.append('\n').append(title).append(":\n");
        for (Map.Entry<String, List<String>> e : groups.entrySet()) {
            List<String> cells = e.getValue();
            b.append("  ").append(e.getKey()).append("\n      ").append(cells.size() <= 4 ? String.join(", ", cells)
                    : String.join(", ", cells.subList(0, 3)) + " and " + (cells.size() - 3) + " more").append('\n');
        }
    }

    public static String summary(MatrixResult r) {
        return r.cells().size() + " cells: " + r.count(Cell.Status.COHERENT) + " coherent, " + r.count(Cell.Status.VIOLATION) + " violations, "
                + r.count(Cell.Status.INCONCLUSIVE) + " inconclusive, " + r.count(Cell.Status.NOT_APPLICABLE) + " not applicable"
                + (r.count(Cell.Status.DRIVER_ERROR) > 0 ? ", " + r.count(Cell.Status.DRIVER_ERROR) + " driver errors" : "")
                + (r.count(Cell.Status.ERROR) > 0 ? ", " + r.count(Cell.Status.ERROR) + " errors" : "");
    }

    private static void table(StringBuilder b, List<List<String>> rows) {
        int cols = rows.get(0).size();
        int[] w = new int[cols];
        for (List<String> row : rows) for (int i = 0; i < cols; i++) w[i] = Math.max(w[i], row.get(i).length());
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < cols; i++) line.append(String.format("%-" + w[i] + "s", row.get(i))).append(i + 1 < cols ? "  " : "");
            b.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
