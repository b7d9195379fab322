package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * remap (remap_file_pages) as a step program. The language gives no file offset, so the
 * model maps the range to the file's first pages (pgoff 0), or, when that is already its
 * linear offset, to the pages right after it. The nonlinear fault (do_nonlinear_fault)
 * is on the fault side, in {@link Vmm}.
 *
 * <p>3.16/3.19, mm/fremap.c: inside one start/end, per page under the PTL, zap_pte
 * (clear + flush) then a nonlinear file PTE; pages are faulted in later through it. The
 * page cache keeps the old pages.
 * <pre>
 *   start   invalidate_range_start (Sites.REMAP_START)
 *   clear   per page: the tables allocated; under the PTL, a present PTE cleared and flushed
 *           (Sites.REMAP_CLEAR), its page's mapping put (page_cache_release), the file PTE
 *           set; the PTL released at the next step
 *   end     invalidate_range_end (Sites.REMAP_END)
 * </pre>
 *
 * 4.0+, mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): pr_warn_once, then do_mmap(vm_file,
 * start, size, prot, MAP_SHARED|MAP_FIXED|MAP_POPULATE, pgoff) (do_mmap_pgoff in 4.15):
 * mmap_region first unmaps the range (do_munmap: munmap's program, run as this one's
 * callee, its phases this one's), then links a new VMA at pgoff; after the mmap lock is
 * dropped, mm_populate faults each page in (populate_vma_page_range: no FOLL_WRITE on a
 * shared mapping, so read faults).
 * <pre>
 *   start .. free   munmap's (start, batch-flush, clear, end, unlink-tables, flush, free)
 *   map             vma_link of the new VMA
 *   populate        per page: handle_mm_fault (read)
 * </pre>
 */
final class Remap extends OpFrame {
    private static final int BEGIN = 0, NONLINEAR = 1, MUNMAP = 2, MAP = 3, POPULATE = 4, RETURN = 5;

    private final String space;
    private final Range r;
    /** The file page the range is remapped to. */
    private long pgoff;
    /** The page the loop (nonlinear's zap, the emulation's populate) does next. */
    private long page;
    /** 4.0+: the new VMA's attributes, taken from the old one before do_munmap removes it. */
    private int prot;
    private String file;
    private boolean huge, hugetlb;
    /** 4.0+: mmap_region's do_munmap while it runs, else null. */
    private Munmap munmap;

    Remap(String space, Range r) {
        this.space = space;
        this.r = r;
    }

    @Override
    public String name() {
        return "remap";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN: {
                    Vma v = s.findVma(r.start());
                    if (v == null || r.end() > v.end || v.anon || !v.shared)
                        throw new EngineException("remap " + s.name + " " + r + ": remap_file_pages needs one shared file mapping (-EINVAL)");
                    long linear = v.fileIndex(r.start());
                    pgoff = linear == 0 ? r.pages() : 0;
                    if (!k.profile.remapEmulated()) {
                        run.beginOp("remap", s);
                        run.step("start");
                        k.fire(s, Sites.REMAP_START, r);
                        pc = NONLINEAR;
                        return run.reach("start");
                    }
                    k.warnOnce("remap_file_pages", s.name + " uses deprecated remap_file_pages() syscall (" + k.profile.name
                            + " mm/mmap.c: pr_warn_once; emulated with do_mmap(MAP_SHARED|MAP_FIXED|MAP_POPULATE))");
                    run.beginOp("remap", s);
                    prot = v.prot;
                    file = v.file;
                    huge = v.huge;
                    hugetlb = v.hugetlb;
                    munmap = new Munmap(space, r); // mmap_region -> do_munmap (4.15) / do_vmi_munmap (6.x)
                    munmap.listener = listener;
                    pc = MUNMAP;
                    continue;
                }
                case NONLINEAR: {
                    if (page > 0) run.unlockPtl(s); // the previous page's PTL, held across its phase point
                    if (page == r.pages()) {
                        run.step("end");
                        k.fire(s, Sites.REMAP_END, r);
                        pc = RETURN;
                        return run.reach("end");
                    }
                    long va = r.start() + page * Addr.PAGE_SIZE;
                    run.step("clear");
                    s.pageTable.allocTables(va);
                    run.lockPtl(s);
                    long pte = s.pageTable.get(va);
                    if (Pte.present(pte)) {
                        run.clearFlushNotify(s, va, Range.page(va), Sites.REMAP_CLEAR);
                        k.mem.removeMap(Pte.pfn(pte));
                        k.mem.put(Pte.pfn(pte)); // page_cache_release: the page cache keeps the page
                    }
                    s.pageTable.set(va, Pte.make((int) (pgoff + page), Pte.FILE));
                    page++;
                    return run.reach("clear");
                }
                case MUNMAP: {
                    String p = munmap.step(k);
                    if (p != null) return p;
                    munmap = null;
                    pc = MAP;
                    continue;
                }
                case MAP: {
                    Vma fresh = new Vma(r.start(), r.end(), prot, false, file, true, huge, hugetlb, pgoff);
                    run.step("map");
                    s.vmas.put(fresh.start, fresh); // vma_link
                    k.trace.event("remap", "new VMA " + fresh + " at file page " + pgoff);
                    pc = POPULATE;
                    return run.reach("map");
                }
                case POPULATE: {
                    if (page == r.pages()) return returnOp(k);
                    run.step("populate");
                    k.vmm.handleMmFault(s, r.start() + page * Addr.PAGE_SIZE, false); // mm_populate -> __get_user_pages -> handle_mm_fault
                    page++;
                    return run.reach("populate");
                }
                case RETURN:
                    return returnOp(k);
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Remap c = new Remap(space, r);
        c.pc = pc;
        c.pgoff = pgoff;
        c.page = page;
        c.prot = prot;
        c.file = file;
        c.huge = huge;
        c.hugetlb = hugetlb;
        c.munmap = munmap == null ? null : (Munmap) munmap.copyFor(k);
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(r.start()).put(r.end()).put(pgoff).put(page).put(prot).put(file).put(huge).put(hugetlb);
        if (munmap == null) h.put(-1);
        else munmap.hashInto(h);
    }
}
