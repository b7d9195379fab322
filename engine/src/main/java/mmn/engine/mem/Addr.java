package mmn.engine.mem;

/** x86-64 4-level paging geometry: 9 bits a level, 4 KiB pages, 2 MiB PMD leaves. */
public final class Addr {
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = ~(PAGE_SIZE - 1);
    public static final int PMD_SHIFT = 21;
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    public static final int PUD_SHIFT = 30;
    public static final long PUD_SIZE = 1L << PUD_SHIFT;
    public static final int PGDIR_SHIFT = 39;
    public static final long PGDIR_SIZE = 1L << PGDIR_SHIFT;
    /** User address space ends here (TASK_SIZE of a 47-bit x86-64 user space). */
    public static final long TASK_SIZE = 1L << 47;
    public static final int PTRS_PER_TABLE = 512;

    private Addr() {}

    /** Shift of the address bits a table at {@code level} indexes (4 = PGD ... 1 = PTE). */
    public static int shiftOf(int level) {
        return PAGE_SHIFT + 9 * (level - 1);
    }

    public static int index(long va, int level) {
        return (int) ((va >>> shiftOf(level)) & 511);
    }

    public static boolean pageAligned(long a) {
        return (a & (PAGE_SIZE - 1)) == 0;
    }

    public static long pageDown(long a) {
        return a & PAGE_MASK;
    }

    public static long pageUp(long a) {
        return (a + PAGE_SIZE - 1) & PAGE_MASK;
    }

    public static String hex(long a) {
        return "0x" + Long.toHexString(a);
    }

    public static String levelName(int level) {
        switch (level) {
            case 4: return "pgd";
            case 3: return "pud";
            case 2: return "pmd";
            case 1: return "pte";
            default: return "l" + level;
        }
    }
}
