package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * remap_file_pages. 3.16/3.19 mm/fremap.c: zap_pte and nonlinear file PTEs (the
 * nonlinear fault, do_nonlinear_fault, is on the fault side, in {@link Vmm}). From 4.0
 * mm/mmap.c SYSCALL_DEFINE5(remap_file_pages) emulates it with an mmap over the range.
 */
public final class Fremap {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    public Fremap(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /**
     * remap: remap_file_pages over r. The language gives no file offset, so the model maps
     * the range to the file's first pages (pgoff 0), or, when that is already its linear
     * offset, to the pages right after it. 3.16/3.19 (mm/fremap.c): {@link #nonlinear};
     * where the profile emulates it (4.0+): {@link #emulate}.
     */
    public void remap(Space s, Range r, PhaseListener l) {
        Vma v = s.findVma(r.start());
        if (v == null || r.end() > v.end || v.anon || !v.shared)
            throw new EngineException("remap " + s.name + " " + r + ": remap_file_pages needs one shared file mapping (-EINVAL)");
        long linear = v.fileIndex(r.start());
        long pgoff = linear == 0 ? r.pages() : 0;
        if (w.profile.remapEmulated()) emulate(s, v, r, pgoff, l);
        else nonlinear(s, r, pgoff, l);
    }

    /**
     * 3.16/3.19 mm/fremap.c: inside one start/end, per page under the PTL, zap_pte (clear
     * + flush) then a nonlinear file PTE; pages are faulted in later through it. The page
     * cache keeps the old pages. Phases: start, clear (per page), end.
     */
    private void nonlinear(Space s, Range r, long pgoff, PhaseListener l) {
        run.beginOp("remap", s);
        run.step("start");
        w.fire(s, Sites.REMAP_START, r);
        run.phase("start", l);
        for (long i = 0; i < r.pages(); i++) {
            long va = r.start() + i * Addr.PAGE_SIZE;
            Range page = Range.page(va);
            run.step("clear");
            s.pageTable.allocTables(va);
            run.lockPtl(s);
            long pte = s.pageTable.get(va);
            if (Pte.present(pte)) {
                run.clearFlushNotify(s, va, page, Sites.REMAP_CLEAR);
                w.mem.removeMap(Pte.pfn(pte));
                w.mem.put(Pte.pfn(pte)); // page_cache_release: the page cache keeps the page
            }
            s.pageTable.set(va, Pte.make((int) (pgoff + i), Pte.FILE));
            run.phase("clear", l);
            run.unlockPtl(s);
        }
        run.step("end");
        w.fire(s, Sites.REMAP_END, r);
        run.phase("end", l);
        run.endOp();
    }

    /**
     * 4.0+ mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): pr_warn_once, then
     * do_mmap(vm_file, start, size, prot, MAP_SHARED|MAP_FIXED|MAP_POPULATE, pgoff)
     * (do_mmap_pgoff in 4.15): mmap_region first unmaps the range (do_munmap, munmap's
     * whole sequence and hooks), then links a new VMA at pgoff; after the mmap lock is
     * dropped, mm_populate faults each page in (populate_vma_page_range: no FOLL_WRITE on
     * a shared mapping, so read faults). Phases: munmap's (start, batch-flush, clear, end,
     * unlink-tables, flush, free), then map, populate (per page).
     */
    private void emulate(Space s, Vma v, Range r, long pgoff, PhaseListener l) {
        w.warnOnce("remap_file_pages", s.name + " uses deprecated remap_file_pages() syscall (" + w.profile.name
                + " mm/mmap.c: pr_warn_once; emulated with do_mmap(MAP_SHARED|MAP_FIXED|MAP_POPULATE))");
        run.beginOp("remap", s);
        Vma fresh = new Vma(r.start(), r.end(), v.prot, false, v.file, true, v.huge, v.hugetlb, pgoff);
        vmm.munmap(s, r, l); // mmap_region -> do_munmap (4.15) / do_vmi_munmap (6.x)
        run.step("map");
        s.vmas.put(fresh.start, fresh); // vma_link
        w.trace.event("remap", "new VMA " + fresh + " at file page " + pgoff);
        run.phase("map", l);
        for (long i = 0; i < r.pages(); i++) {
            long va = r.start() + i * Addr.PAGE_SIZE;
            run.step("populate");
            vmm.handleMmFault(s, va, false); // mm_populate -> __get_user_pages -> handle_mm_fault
            run.phase("populate", l);
        }
        run.endOp();
    }
}
