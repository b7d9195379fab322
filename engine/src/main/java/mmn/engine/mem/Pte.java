package mmn.engine.mem;

/**
 * Page-table entries as plain longs, the way the kernel treats pte_t: a frame number
 * in the high bits and flag bits below. Upper-level entries use the same encoding with
 * PRESENT set and the frame of the next table; a PMD entry with HUGE set is a 2 MiB leaf.
 * A non-present entry can carry a swap or a migration entry, or PROTNONE (mprotect
 * PROT_NONE: the page stays mapped but the hardware walk faults).
 */
public final class Pte {
    public static final long NONE = 0;
    public static final long PRESENT = 1L;
    public static final long WRITE = 1L << 1;
    public static final long YOUNG = 1L << 2;
    public static final long DIRTY = 1L << 3;
    public static final long HUGE = 1L << 4;
    public static final long SWAP = 1L << 5;
    public static final long MIGRATION = 1L << 6;
    public static final long PROTNONE = 1L << 7;
    /** 3.16/3.19 nonlinear file PTE (remap_file_pages): not present, the frame field holds the file page index. */
    public static final long FILE = 1L << 8;
    private static final int PFN_SHIFT = 12;

    private Pte() {}

    public static long make(int pfn, long flags) {
        return ((long) pfn << PFN_SHIFT) | flags;
    }

    public static int pfn(long pte) {
        return (int) (pte >>> PFN_SHIFT);
    }

    public static boolean none(long pte) {
        return pte == NONE;
    }

    public static boolean present(long pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean writable(long pte) {
        return (pte & WRITE) != 0;
    }

    public static boolean young(long pte) {
        return (pte & YOUNG) != 0;
    }

    public static boolean dirty(long pte) {
        return (pte & DIRTY) != 0;
    }

    public static boolean huge(long pte) {
        return (pte & HUGE) != 0;
    }

    public static boolean isSwap(long pte) {
        return (pte & SWAP) != 0;
    }

    public static boolean isMigration(long pte) {
        return (pte & MIGRATION) != 0;
    }

    public static boolean isFile(long pte) {
        return (pte & FILE) != 0;
    }

    public static boolean protnone(long pte) {
        return (pte & PROTNONE) != 0;
    }

    /** A PTE that still maps a page, whether the hardware can use it or not. */
    public static boolean mapsPage(long pte) {
        return present(pte) || protnone(pte);
    }

    public static long wrprotect(long pte) {
        return pte & ~WRITE;
    }

    public static long mkwrite(long pte) {
        return pte | WRITE;
    }

    public static long mkold(long pte) {
        return pte & ~YOUNG;
    }

    public static String describe(long pte) {
        if (pte == NONE) return "none";
        StringBuilder b = new StringBuilder();
        if (isSwap(pte)) return "swap:" + pfn(pte);
        if (isMigration(pte)) return "migration:" + pfn(pte);
        if (isFile(pte)) return "file:" + pfn(pte);
        b.append("pfn ").append(pfn(pte)).append(' ');
        b.append(present(pte) ? 'P' : '-');
        b.append(writable(pte) ? 'W' : '-');
        b.append(young(pte) ? 'A' : '-');
        b.append(dirty(pte) ? 'D' : '-');
        if (huge(pte)) b.append(" huge");
        if (protnone(pte)) b.append(" protnone");
        return b.toString();
    }
}
