package mmn.engine;

/**
 * mm/fremap.c (3.16/3.19): remap_file_pages with zap_pte and nonlinear file PTEs. The
 * nonlinear fault (do_nonlinear_fault) is on the fault side, in {@link Vmm}.
 */
final class Fremap {
    private final World w;
    private final Vmm vmm;

    Fremap(World w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
    }

    /**
     * remap: remap_file_pages (3.16/3.19 mm/fremap.c). The language gives no file
     * offset, so the model maps the range to the file's first pages (pgoff 0), or, when
     * that is already its linear offset, to the pages right after it. Inside one
     * start/end: per page, under the PTL, zap_pte (clear + flush) then a nonlinear file
     * PTE; pages are faulted in later through it. The page cache keeps the old pages.
     * From 4.0 the syscall is an mmap(MAP_FIXED|MAP_POPULATE) emulation: the profile has
     * no such sites and this is an error. Phases: start, clear (per page), end.
     */
    void remap(Space s, Range r, PhaseListener l) {
        if (!w.profile.hasSite(Sites.REMAP_START))
            throw new EngineException(w.profile.name + " has no remap_file_pages of its own: since 4.0 it is emulated with"
                    + " mmap(MAP_FIXED|MAP_POPULATE), i.e. an munmap of the range followed by faults",
                    "write it as munmap + map + touch, or use linux-3.16 / linux-3.19");
        vmm.beginOp("remap", s);
        Vma v = s.findVma(r.start());
        if (v == null || r.end() > v.end || v.anon || !v.shared)
            throw new EngineException("remap " + s.name + " " + r + ": remap_file_pages needs one shared file mapping (-EINVAL)");
        long linear = v.fileIndex(r.start());
        long pgoff = linear == 0 ? r.pages() : 0;
        vmm.step("start");
        w.fire(s, Sites.REMAP_START, r);
        vmm.phase("start", l);
        for (long i = 0; i < r.pages(); i++) {
            long va = r.start() + i * Addr.PAGE_SIZE;
            Range page = Range.page(va);
            vmm.step("clear");
            s.pageTable.allocTables(va);
            vmm.lockPtl(s);
            long pte = s.pageTable.get(va);
            if (Pte.present(pte)) {
                s.pageTable.set(va, Pte.NONE);
                vmm.cpuFlush(s, page);
                w.fire(s, Sites.REMAP_CLEAR, page);
                w.mem.removeMap(Pte.pfn(pte));
                w.mem.put(Pte.pfn(pte)); // page_cache_release: the page cache keeps the page
            }
            s.pageTable.set(va, Pte.make((int) (pgoff + i), Pte.FILE));
            vmm.phase("clear", l);
            vmm.unlockPtl(s);
        }
        vmm.step("end");
        w.fire(s, Sites.REMAP_END, r);
        vmm.phase("end", l);
        vmm.endOp();
    }
}
