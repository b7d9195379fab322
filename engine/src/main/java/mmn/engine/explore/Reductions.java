package mmn.engine.explore;

/**
 * Which reductions an explore applies (docs/explore.md says why each is sound). All on by
 * default; each can be switched off (the oracle tests compare every combination with a
 * brute-force enumeration):
 * <ul>
 * <li>{@code symmetry}: states that differ by a permutation of identical threads are merged;</li>
 * <li>{@code canonical}: counters that matter only by comparison (sequence numbers, fault
 *     and retry counts) enter the state key in canonical form, so retry loops close;</li>
 * <li>{@code sleepSets}: partial-order reduction by sleep sets: of two orders of
 *     independent device steps (reads that hit in a device TLB) one is not expanded; every
 *     state is still visited at its depth, fewer transitions are computed.</li>
 * </ul>
 */
public record Reductions(boolean symmetry, boolean canonical, boolean sleepSets) {
    public static final Reductions ALL = new Reductions(true, true, true);
    public static final Reductions NONE = new Reductions(false, false, false);

    /** All on, except what -Dmmn.explore.symmetry=false, -Dmmn.explore.canonical=false, -Dmmn.explore.sleepSets=false switch off. */
    public static Reductions defaults() {
        return new Reductions(on("symmetry"), on("canonical"), on("sleepSets"));
    }

    private static boolean on(String name) {
        return !"false".equals(System.getProperty("mmn.explore." + name));
    }

    public Reductions withSymmetry(boolean on) { return new Reductions(on, canonical, sleepSets); }
    public Reductions withCanonical(boolean on) { return new Reductions(symmetry, on, sleepSets); }
    public Reductions withSleepSets(boolean on) { return new Reductions(symmetry, canonical, on); }
}
