package mmn.matrix;

import java.util.Arrays;
import java.util.List;

/**
 * The mapping kinds a workload runs on: where its pages live, and the unit an
 * operation works on there (one 4K page, or one 2M page for THP and hugetlb).
 */
public enum Mapping {
    ANON("anon", "map A 0x400000 +64K rw anon", 0x400000L, "+4K", "+16K", 0x10000000L),
    FILE("file", "map A 0x400000 +64K rw file \"data\" shared", 0x400000L, "+4K", "+16K", 0x10000000L),
    /** Small pages faulted in, then collapsed by khugepaged into a transparent huge page (except for collapse itself). */
    THP("thp", "map A 0x600000 +2M rw anon huge", 0x600000L, "+2M", "+16K", 0x10000000L),
    HUGETLB("hugetlb", "map A 0x40000000 +4M rw anon hugetlb", 0x40000000L, "+2M", "+4K", 0x80000000L);

    /** The name the --mapping filter and the reports use. */
    public final String label;
    final String mapLine;
    /** The page the device caches and the injected accesses touch. */
    final long base;
    /** The size an operation on a range covers, from base. */
    final String unit;
    /** What the CPU and the device touch before the operation. */
    final String warm;
    /** Where mremap moves the range (aligned for the mapping). */
    final long moveTo;

    Mapping(String label, String mapLine, long base, String unit, String warm, long moveTo) {
        this.label = label;
        this.mapLine = mapLine;
        this.base = base;
        this.unit = unit;
        this.warm = warm;
        this.moveTo = moveTo;
    }

    public static Mapping byLabel(String s) {
        for (Mapping m : values()) if (m.label.equals(s)) return m;
        return null;
    }

    public static List<String> labels() {
        return Arrays.stream(values()).map(m -> m.label).toList();
    }
}
