package mmn.matrix;

import java.util.List;

/** A finished matrix: its axes and its cells in report order (mapping, operation, profile). */
public record MatrixResult(String driver, String device, List<String> profiles, List<String> ops, List<Mapping> mappings,
        MatrixBounds bounds, List<Cell> cells) {

    public long count(Cell.Status s) {
        return cells.stream().filter(c -> c.status() == s).count();
    }

    /**
     * The exit status: 4 if a cell hit an internal error, else 2 if the driver's own code
     * failed in some cell (a script error: its other cells cannot be trusted), else 1 if
     * any cell has a violation, else 3 if some explore was cut short by a bound, else 0
     * (the language's order, 4 > 2 > 1 > 3 > 0).
     */
    public int exitCode() {
        if (count(Cell.Status.ERROR) > 0) return 4;
        if (count(Cell.Status.DRIVER_ERROR) > 0) return 2;
        if (count(Cell.Status.VIOLATION) > 0) return 1;
        if (count(Cell.Status.INCONCLUSIVE) > 0) return 3;
        return 0;
    }

    public Cell cell(String profile, String op, Mapping m) {
        for (Cell c : cells) if (c.profile().equals(profile) && c.op().equals(op) && c.mapping() == m) return c;
        return null;
    }
}
