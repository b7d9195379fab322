package mmn.engine.mem;

/** A half-open virtual address range [start, end). */
public record Range(long start, long end) {
    public static final Range ALL = new Range(0, -1L >>> 1);

    /** Whether this is every address of the mm (printed as the kernel names it: [0, ULONG_MAX]). */
    public boolean wholeMm() {
        return start == ALL.start && end == ALL.end;
    }

    public Range {
        if (end < start) throw new IllegalArgumentException("range end before start");
    }

    public static Range page(long va) {
        long s = Addr.pageDown(va);
        return new Range(s, s + Addr.PAGE_SIZE);
    }

    public long size() {
        return end - start;
    }

    public long pages() {
        return (end - start) >>> Addr.PAGE_SHIFT;
    }

    public boolean contains(long va) {
        return va >= start && va < end;
    }

    public boolean overlaps(long s, long e) {
        return s < end && e > start;
    }

    public boolean overlaps(Range r) {
        return overlaps(r.start, r.end);
    }

    public boolean withinOnePage() {
        return ((start ^ (end - 1)) & Addr.PAGE_MASK) == 0;
    }

    public Range union(Range o) {
        return o == null ? this : new Range(Math.min(start, o.start), Math.max(end, o.end));
    }

    // equals and hashCode written out: a record's own go through method handles, slow until
    // the JIT has compiled them, and a short explore compares ranges from its start
    @Override
    public boolean equals(Object o) {
        return o instanceof Range r && r.start == start && r.end == end;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(start * 31 + end);
    }

    @Override
    public String toString() {
        // the kernel passes (0, ULONG_MAX) or (0, -1UL) for "every address of the mm" (exit_mmap, try_to_unmap's batched flush)
        if (wholeMm()) return "[0, ULONG_MAX]";
        return "[" + Addr.hex(start) + ", " + Addr.hex(end) + ")";
    }
}
