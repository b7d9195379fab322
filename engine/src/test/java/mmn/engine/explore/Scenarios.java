package mmn.engine.explore;

import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import java.util.List;

/**
 * Worlds, operations and device threads for the explorer's tests and benchmarks: space A
 * with a 64K anonymous VMA at 0x400000, an ats device gpu bound to it, one notifier.
 * Operations and actions look every name up in the world they are given.
 */
public final class Scenarios {
    public static final long BASE = 0x400000;

    private Scenarios() {}

    /** A world with `pages` pages of A written by the CPU and read by gpu (so the ATC holds them). */
    public static World world(Profile p, String strategy, int pages) {
        return world(p, strategy, pages, Backing.ANON);
    }

    /** As {@link #world}, A's range a private read-execute file mapping ("libc.so"), read by the CPU: text a uprobe can patch. */
    public static World text(Profile p, String strategy, int pages) {
        return world(p, strategy, pages, Backing.TEXT);
    }

    /** As {@link #world}, A's range a shared writable file mapping ("data.bin"): what remap_file_pages takes. */
    public static World sharedFile(Profile p, String strategy, int pages) {
        return world(p, strategy, pages, Backing.SHARED_FILE);
    }

    /** As {@link #world}, A's range the first 64K of a 2M huge-eligible anon VMA, PTE-mapped: khugepaged can collapse it. */
    public static World thp(Profile p, String strategy, int pages) {
        return world(p, strategy, pages, Backing.THP);
    }

    /** {@link #thp}, then collapsed: a huge page to split. */
    public static World collapsed(Profile p, String strategy, int pages) {
        World w = thp(p, strategy, pages);
        w.beginStatement("collapse");
        w.collapse(w.space("A"), BASE, PhaseListener.NONE);
        w.endStatement();
        return w;
    }

    private enum Backing { ANON, TEXT, SHARED_FILE, THP, HUGETLB }

    private static World world(Profile p, String strategy, int pages, Backing backing) {
        boolean text = backing == Backing.TEXT;
        World w = new World(p);
        boolean huge = backing == Backing.THP || backing == Backing.HUGETLB;
        w.setMemory(huge ? 16L << 20 : 1L << 20); // a huge page needs a 2M-aligned run of frames
        Space a = w.createSpace("A");
        long size = backing == Backing.THP ? Addr.PMD_SIZE : backing == Backing.HUGETLB ? 2 * Addr.PMD_SIZE : 64 * 1024;
        w.map(a, new Range(BASE, BASE + size), text ? Vma.READ | Vma.EXEC : Vma.READ | Vma.WRITE,
                backing == Backing.ANON || huge ? null : text ? "libc.so" : "data.bin", backing == Backing.SHARED_FILE,
                backing == Backing.THP, backing == Backing.HUGETLB);
        var gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("n1", a, gpu, strategy);
        w.beginStatement("setup");
        for (int i = 0; i < pages; i++) {
            w.touch(a, BASE + i * Addr.PAGE_SIZE, !text);
            w.dma(gpu, a, BASE + i * Addr.PAGE_SIZE, false);
        }
        w.endStatement();
        return w;
    }

    /** As {@link #world}, A's range the first 2M page of a 4M private anonymous hugetlb VMA at BASE (the touches fault it in). */
    public static World hugetlb(Profile p, String strategy, int pages) {
        return world(p, strategy, pages, Backing.HUGETLB);
    }

    /** {@link #hugetlb}, then fork into B: the huge page write-protected and shared (hugetlb_cow has work to do). */
    public static World hugetlbForked(Profile p, String strategy, int pages) {
        return forkedIntoB(hugetlb(p, strategy, pages));
    }

    /** The PUD-aligned address of {@link #sharedPmd}'s mappings. */
    public static final long HUGE = 0x40000000L;

    /**
     * A and B map the same 1G of the hugetlbfs file "db" shared at {@link #HUGE}; A faults
     * the first 2M page, B the second (huge_pmd_share: B takes A's PMD page), and gpu (on A)
     * caches a page of each: an operation on A's part of the span unshares it.
     */
    public static World sharedPmd(Profile p, String strategy) {
        World w = new World(p);
        w.setMemory(16L << 20);
        Space a = w.createSpace("A");
        Space b = w.createSpace("B");
        w.map(a, new Range(HUGE, HUGE + Addr.PUD_SIZE), Vma.READ | Vma.WRITE, "db", true, false, true);
        w.map(b, new Range(HUGE, HUGE + Addr.PUD_SIZE), Vma.READ | Vma.WRITE, "db", true, false, true);
        var gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("n1", a, gpu, strategy);
        w.beginStatement("setup");
        w.touch(a, HUGE, true);
        w.touch(b, HUGE + Addr.PMD_SIZE, true);
        w.dma(gpu, a, HUGE, false);
        w.dma(gpu, a, HUGE + Addr.PMD_SIZE + Addr.PAGE_SIZE, false);
        w.endStatement();
        return w;
    }

    /** world(...) then fork into B, so A's pages are write-protected and shared (cow has work to do). */
    public static World forked(Profile p, String strategy, int pages) {
        return forkedIntoB(world(p, strategy, pages));
    }

    /** w after a statement that forks A into B. */
    private static World forkedIntoB(World w) {
        w.beginStatement("fork");
        w.fork(w.space("A"), "B", PhaseListener.NONE);
        w.endStatement();
        return w;
    }

    /** munmap of A's [start, start + size) as `mmn check` builds it: a step program, stepped from each state's snapshot. */
    public static OpProgram munmap(long start, long size) {
        Range r = new Range(start, start + size);
        return OpProgram.stepped((w, l) -> w.munmap(w.space("A"), r, l), w -> w.munmapFrame(w.space("A"), r));
    }

    /** The same operations without their step program: the explorer replays them (the parent-snapshot cache's tests). */
    public static OpProgram replayed(OpProgram p) {
        return p::run;
    }

    /** cow of A's page at va as `mmn check` builds it: a step program. */
    public static OpProgram cow(long va) {
        return OpProgram.stepped((w, l) -> w.cow(w.space("A"), va, l), w -> w.cowFrame(w.space("A"), va));
    }

    public static Action dma(long va, boolean write) {
        return Action.of("dma gpu A " + Addr.hex(va) + (write ? " write" : " read"),
                w -> w.dma(w.device("gpu"), w.space("A"), va, write));
    }

    public static List<Action> thread(Action... as) {
        return List.of(as);
    }
}
