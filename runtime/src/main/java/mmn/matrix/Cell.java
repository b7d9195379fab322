package mmn.matrix;

/**
 * One (profile, operation, mapping) of a matrix and what its workload found.
 *
 * @param kind         the violation kind (VIOLATION only)
 * @param headline     the violation's one-line headline (VIOLATION), the bound (INCONCLUSIVE), the reason (NOT_APPLICABLE,
 *                     ERROR), the driver's own error with where it was raised (DRIVER_ERROR)
 * @param steps        the counterexample's length: explore steps, or 0 for a scripted placement
 * @param counterexample the shortest counterexample as text (VIOLATION), else null
 * @param foundBy      "explore", or "phase P" for a scripted placement, or null
 * @param states       distinct states the explore visited (0 when it did not run)
 * @param script       the cell's workload as a script a reader can rerun (null for a guest driver)
 * @param note         what the workload had to leave out, or null
 */
public record Cell(String profile, String op, Mapping mapping, Status status, String kind, String headline, int steps,
        String counterexample, String foundBy, long states, String script, String note) {

    public enum Status {
        COHERENT("coherent"), VIOLATION("violation"), INCONCLUSIVE("inconclusive"), NOT_APPLICABLE("n/a"),
        /** mmn's own failure (the workload's setup failed): a bug of ours, exit 4. */
        ERROR("error"),
        /** The driver's code failed (a guest callback threw, or a host call it made was refused): the script's error, exit 2. */
        DRIVER_ERROR("driver error");

        public final String label;

        Status(String label) {
            this.label = label;
        }
    }

    /** What the table prints in the cell. */
    public String shortText() {
        switch (status) {
            case COHERENT: return "ok";
            case VIOLATION: return kind + (steps > 0 ? " (" + steps + ")" : " (" + foundBy + ")");
            case INCONCLUSIVE: return "? " + headline;
            case NOT_APPLICABLE: return "n/a";
            case DRIVER_ERROR: return "driver error";
            default: return "ERROR";
        }
    }

    /** The command that reruns this one cell. */
    public String rerun(String driver) {
        return "mmn matrix " + driver + " --profiles " + profile + " --ops " + op + " --mapping " + mapping.label + " --details";
    }
}
