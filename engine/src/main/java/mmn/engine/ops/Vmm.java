package mmn.engine.ops;

import mmn.engine.mem.PageTable;

import mmn.engine.mem.TranslationCache;

import mmn.engine.device.PageRequestResult;
import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.check.Trace;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Translation;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Sites;
import java.util.TreeMap;

/**
 * The kernel's mm code paths shared by every operation, micro-step by micro-step:
 * the fault side of
 * mm/memory.c (handle_mm_fault, do_anonymous_page and friends, do_swap_page,
 * do_wp_page, wp_page_copy) and the operations built on the zap: munmap
 * (mm/mmap.c do_munmap, unmap_region), MADV_DONTNEED (mm/madvise.c), mprotect
 * (mm/mprotect.c change_protection), exit_mmap, fork (kernel/fork.c dup_mmap,
 * copy_page_range) and cow. Where the kernel calls into the notifier core, these
 * methods name the call site and the profile decides what fires ({@link Kernel#fire}).
 * Each operation announces its phases so that injected device actions run right after
 * the matching micro-step. The plumbing (operations, phases, the PTL, the CPU flush) is
 * {@link OpRunner}. The other kernel areas live in classes of their own, one instance
 * each, held here: {@link Zap}, {@link Rmap}, {@link OomReaper}, {@link Hugetlb}; the
 * other operations are step programs, a frame per call ({@link Ksm}, {@link Uprobe},
 * {@link Remap}, {@link Mremap}, {@link Fork}, {@link Split}, {@link Collapse}, and the
 * zap and rmap families).
 */
public final class Vmm {
    private final Kernel w;
    final Zap zap;
    public final Rmap rmap;
    public final OomReaper oomReaper;
    final Hugetlb hugetlb;
    /** The plumbing every operation shares: operations, phases, the PTL, the CPU flush. */
    final OpRunner run;

    public Vmm(Kernel w) {
        this.w = w;
        this.run = new OpRunner(w);
        this.zap = new Zap(w, this);
        this.rmap = new Rmap(w, run);
        this.oomReaper = new OomReaper(w);
        this.hugetlb = new Hugetlb(w, this);
    }

    // ------------------------------------------------------------ faults

    /** mm_alloc with its pgd: a new space with an empty page table and a CPU TLB. */
    public Space mmAlloc(String name) {
        w.memoryUsed = true;
        Space s = new Space(name);
        s.pageTable = new PageTable(w.mem, s);
        s.pageTable.setListener(w.leafListener);
        s.cpuTlb = new TranslationCache("cpu(" + name + ").tlb", s, 0);
        w.checker.attach(s.cpuTlb);
        w.spaces.put(name, s);
        w.shapeChanged();
        w.trace.event("decl", "space " + name + " (pgd pfn " + s.pageTable.root() + ")");
        return s;
    }

    /** A new mm named name (fork's child when the script has not declared it); refused if a device has the name. */
    public Space mmAllocNamed(String name) {
        if (w.spaces.containsKey(name) || w.devices.containsKey(name)) throw new EngineException("'" + name + "' is already declared");
        return mmAlloc(name);
    }

    /** mmap (do_mmap with MAP_FIXED_NOREPLACE): a new VMA; it may not overlap an existing one. */
    public Vma mmap(Space s, Range r, int prot, String file, boolean shared, boolean huge, boolean hugetlb) {
        if (r.size() == 0) throw new EngineException("empty mapping");
        if (r.end() > Addr.TASK_SIZE) throw new EngineException("mapping ends past the user address space (" + Addr.hex(Addr.TASK_SIZE) + ")");
        for (Vma v : s.vmas.values()) {
            if (r.overlaps(v.start, v.end))
                throw new EngineException("mapping " + r + " overlaps " + v.range() + " in " + s.name, "munmap it first or choose another address");
        }
        if (hugetlb && ((r.start() | r.end()) & (Addr.PMD_SIZE - 1)) != 0)
            throw new EngineException("a hugetlb mapping must be 2M aligned", "round to " + Addr.hex(r.start() & -Addr.PMD_SIZE));
        Vma v = new Vma(r.start(), r.end(), prot, file == null, file, shared, huge, hugetlb, 0);
        s.vmas.put(v.start, v);
        w.trace.event("decl", "map " + s.name + " " + v);
        return v;
    }

    /** A CPU load or store: the TLB, else the page-table walk, else handle_mm_fault. */
    public void cpuAccess(Space s, long va, boolean write) {
        if (s.exited) throw new EngineException(s.name + " has exited");
        Translation t = s.cpuTlb.lookup(va);
        if (t == null || (write && !t.writable)) {
            long pte = s.pageTable.get(va);
            if (!Pte.present(pte) || (write && !Pte.writable(pte))) {
                PageRequestResult res = handleMmFault(s, va, write);
                if (res == PageRequestResult.WAIT)
                    throw new EngineException("the CPU access to " + Addr.hex(va) + " would wait for the running operation (its page-table lock,"
                            + " or migration_entry_wait), which cannot finish while this thread waits", "inject the access at a later phase");
                if (res == PageRequestResult.INVALID) {
                    Vma v = s.findVma(va);
                    throw new EngineException("SIGSEGV: " + s.name + " " + (write ? "writes" : "reads") + " " + Addr.hex(va)
                            + (v == null ? ", which no VMA maps" : ", which its VMA " + v.range() + " (" + Vma.protString(v.prot) + ") does not allow"));
                }
                pte = s.pageTable.get(va);
            }
            int pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
            t = s.cpuTlb.insert(va, pfn, w.mem.gen(pfn), Pte.writable(pte));
            markAccessed(s, va, write);
        }
        int pfn = t.pfnFor(va);
        if (write) w.mem.setValue(pfn, ++w.writeSeq);
        if (!w.trace.keeping()) return;
        if (w.trace.full()) w.trace.event("access", null, null); // counted against the budget as any event; its text is never kept
        else w.trace.event("access", "cpu(" + s.name + ") " + (write ? "write " : "read ") + Addr.hex(va) + ": pfn " + pfn,
                new Trace.Fields().device("cpu").space(s.name).address(va).write(write).result("ok").frame(pfn, w.mem.gen(pfn)));
    }

    /** The IOMMU or CPU sets the accessed (and dirty) bit in the leaf entry. */
    public void markAccessed(Space s, long va, boolean write) {
        long pte = s.pageTable.get(va);
        if (!Pte.present(pte)) return;
        long n = pte | Pte.YOUNG | (write ? Pte.DIRTY : 0);
        if (n != pte) s.pageTable.set(va, n);
    }

    /** A device page request (PRI): resolved like a CPU fault; INVALID where no VMA allows it. */
    public PageRequestResult handlePageRequest(Space s, long va, boolean write) {
        if (s.exited || s.released) return PageRequestResult.INVALID;
        return handleMmFault(s, va, write);
    }

    /** Whether handlePageRequest would answer WAIT now, without doing anything (the explorer's enabled test). */
    public boolean pageRequestWaits(Space s, long va, boolean write) {
        if (s.exited || s.released) return false;
        if (s.ptlHeld() || s.mmapWriteLocked) return true;
        Vma vma = s.findVma(va);
        if (vma == null || !vma.allows(write) || vma.hugetlb) return false;
        long pte = s.pageTable.get(Addr.pageDown(va));
        return !Pte.mapsPage(pte) && Pte.isMigration(pte);
    }

    /** Whether handlePageRequest would answer INVALID now, having changed nothing (the explorer's independence test). */
    public boolean pageRequestRefused(Space s, long va, boolean write) {
        if (s.exited || s.released) return true;
        if (s.ptlHeld() || s.mmapWriteLocked) return false; // WAIT
        Vma vma = s.findVma(va);
        return vma == null || !vma.allows(write);
    }

    /** handle_mm_fault for one page. */
    PageRequestResult handleMmFault(Space s, long va, boolean write) {
        // an access injected while an operation holds the PTL: the fault handler spins on
        // the lock until the operation drops it, so the request is answered only after that
        if (s.ptlHeld() || s.mmapWriteLocked) return PageRequestResult.WAIT;
        Vma vma = s.findVma(va);
        if (vma == null || !vma.allows(write)) return PageRequestResult.INVALID;
        long page = Addr.pageDown(va);
        long pte = s.pageTable.get(page);
        if (vma.hugetlb) {
            hugetlb.hugetlbFault(s, vma, page, write); // handle_mm_fault -> hugetlb_fault
            return PageRequestResult.SUCCESS;
        }
        if (!Pte.mapsPage(pte)) {
            // do_swap_page: a migration entry waits for the migration; a swap entry swaps in
            if (Pte.isMigration(pte)) return PageRequestResult.WAIT;
            if (Pte.isSwap(pte)) doSwapPage(s, vma, page, pte, write);
            else if (Pte.isFile(pte)) doNonlinearFault(s, vma, page, pte, write);
            else faultIn(s, vma, page, write);
        } else if (write && !Pte.writable(pte)) {
            doWpPage(s, vma, page, pte);
        } else {
            markAccessed(s, page, write);
        }
        return PageRequestResult.SUCCESS;
    }

    /** do_anonymous_page / do_read_fault / do_cow_fault / do_shared_fault. */
    private void faultIn(Space s, Vma vma, long va, boolean write) {
        s.pageTable.allocTables(va);
        run.lockPtl(s);
        long flags = Pte.PRESENT | Pte.YOUNG;
        int pfn;
        if (vma.anon) {
            if (!write && !vma.shared) {
                pfn = PhysMem.ZERO_PFN; // the shared zero page, read-only
            } else {
                pfn = w.mem.alloc(FrameKind.USER);
                if (vma.allows(true)) flags |= Pte.WRITE | Pte.DIRTY;
            }
        } else {
            int cached = pageCacheGet(vma.file, vma.fileIndex(va));
            if (write && !vma.shared) {
                pfn = w.mem.alloc(FrameKind.USER);
                w.mem.setValue(pfn, w.mem.value(cached));
                flags |= Pte.WRITE | Pte.DIRTY;
            } else {
                pfn = cached;
                w.mem.get(pfn);
                if (write) flags |= Pte.WRITE | Pte.DIRTY;
            }
        }
        w.mem.addMap(pfn);
        s.pageTable.set(va, Pte.make(pfn, flags));
        run.unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " faulted in: " + Pte.describe(Pte.make(pfn, flags)),
                new Trace.Fields().space(s.name).address(va).write(write).frame(pfn, w.mem.gen(pfn)).site("mm/memory.c handle_mm_fault"));
    }

    /**
     * do_swap_page: the page still in the swap cache (reclaim has not freed it yet) is
     * mapped again, which makes reclaim's __remove_mapping fail; otherwise a new frame is
     * read in from the slot. The model maps a swapped-in page writable only on a write
     * fault (a read fault leaves it read-only, as do_swap_page does without reuse_swap_page).
     */
    private void doSwapPage(Space s, Vma vma, long va, long pte, boolean write) {
        int slot = Pte.pfn(pte);
        Integer cached = w.swap.cached(slot);
        int pfn;
        if (cached != null) {
            pfn = cached;
            w.mem.get(pfn);
        } else {
            Long saved = w.swap.saved(slot);
            pfn = w.mem.alloc(FrameKind.USER);
            w.mem.setValue(pfn, saved == null ? 0 : saved);
        }
        run.lockPtl(s);
        long flags = Pte.PRESENT | Pte.YOUNG | (write && vma.allows(true) ? Pte.WRITE | Pte.DIRTY : 0);
        w.mem.addMap(pfn);
        s.pageTable.set(va, Pte.make(pfn, flags));
        run.unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " swapped in from slot " + slot
                + (cached != null ? " (still in the swap cache)" : "") + ": " + Pte.describe(Pte.make(pfn, flags)));
    }

    /** 3.16/3.19 do_nonlinear_fault: a file PTE names the page-cache page to map (remap_file_pages). */
    private void doNonlinearFault(Space s, Vma vma, long va, long pte, boolean write) {
        int pfn = pageCacheGet(vma.file, Pte.pfn(pte));
        w.mem.get(pfn);
        run.lockPtl(s);
        long flags = Pte.PRESENT | Pte.YOUNG | (write ? Pte.WRITE | Pte.DIRTY : 0);
        w.mem.addMap(pfn);
        s.pageTable.set(va, Pte.make(pfn, flags));
        run.unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " nonlinear fault, file page " + Pte.pfn(pte) + ": " + Pte.describe(Pte.make(pfn, flags)));
    }

    /** find_get_page, allocating (reading in) the page on a miss; the cache keeps one reference. */
    private int pageCacheGet(String file, long index) {
        TreeMap<Long, Integer> pages = w.pageCache.pagesOf(file);
        Integer pfn = pages.get(index);
        if (pfn == null) {
            pfn = w.mem.alloc(FrameKind.USER);
            w.mem.setValue(pfn, ((long) file.hashCode() << 20) ^ index);
            pages.put(index, pfn);
        }
        return pfn;
    }

    /** do_wp_page: a write to a present, write-protected PTE. */
    void doWpPage(Space s, Vma vma, long va, long pte) {
        int old = Pte.pfn(pte);
        boolean reuse = vma.shared || (vma.anon && old != PhysMem.ZERO_PFN && w.mem.mapcount(old) == 1 && w.mem.refcount(old) == 1);
        if (reuse) {
            // wp_page_reuse: same page, more rights: a permission upgrade
            run.lockPtl(s);
            s.pageTable.set(va, pte | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
            w.fire(s, Sites.WP_REUSE, Range.page(va));
            run.unlockPtl(s);
            return;
        }
        Cow.copyOnFault(w, s, va, old);
    }

    /** The `cow` operation: a CPU write fault on a write-protected page ({@link Cow}, a step program). */
    public void cow(Space s, long va, PhaseListener l) {
        w.runOp(new Cow(s.name, va), l);
    }

    /** cow not yet begun, as a frame to step. */
    public OpFrame cowFrame(Space s, long va) {
        return new Cow(s.name, va);
    }

    /**
     * fork: dup_mmap copies every VMA into the child; copy_page_range write-protects the
     * parent's and the child's PTEs of private mappings inside a notifier window on the
     * parent, and the parent's CPU TLB is flushed once at the end.
     */
    public void fork(Space parent, String child, PhaseListener l) {
        w.runOp(new Fork(parent.name, child), l);
    }

    /** fork not yet begun, as a frame to step. */
    public OpFrame forkFrame(Space parent, String child) {
        return new Fork(parent.name, child);
    }

    // ------------------------------------------------------------ operations

    /** munmap: do_munmap -> unmap_region ({@link Munmap}, a step program). */
    public void munmap(Space s, Range r, PhaseListener l) {
        w.runOp(new Munmap(s.name, r), l);
    }

    /** munmap not yet begun, as a frame to step (a hugetlb VMA's __unmap_hugepage_range is one of its loops: Hugetlb.UnmapCursor). */
    public OpFrame munmapFrame(Space s, Range r) {
        return new Munmap(s.name, r);
    }

    /** madvise(MADV_DONTNEED): zap_page_range; page tables stay ({@link Dontneed}, a step program). */
    public void dontneed(Space s, Range r, PhaseListener l) {
        w.runOp(new Dontneed(s.name, r), l);
    }

    /** dontneed not yet begun, as a frame to step. */
    public OpFrame dontneedFrame(Space s, Range r) {
        return new Dontneed(s.name, r);
    }

    /** mprotect: change_protection ({@link Mprotect}, a step program). */
    public void mprotect(Space s, Range r, int prot, PhaseListener l) {
        w.runOp(new Mprotect(s.name, r, prot), l);
    }

    /** ksm merging a's page at va and b's at vb (try_to_merge_two_pages). */
    public void ksm(Space a, long va, Space b, long vb, PhaseListener l) {
        w.runOp(new Ksm(a.name, va, b.name, vb), l);
    }

    /** ksm not yet begun, as a frame to step. */
    public OpFrame ksmFrame(Space a, long va, Space b, long vb) {
        return new Ksm(a.name, va, b.name, vb);
    }

    /** Split the transparent huge page mapped at va: {@link Split}. */
    public void split(Space s, long va, PhaseListener l) {
        w.runOp(new Split(s.name, va), l);
    }

    /** split not yet begun, as a frame to step. */
    public OpFrame splitFrame(Space s, long va) {
        return new Split(s.name, va);
    }

    /** khugepaged on the 2M range at va: {@link Collapse}. */
    public void collapse(Space s, long va, PhaseListener l) {
        w.runOp(new Collapse(s.name, va), l);
    }

    /** collapse not yet begun, as a frame to step. */
    public OpFrame collapseFrame(Space s, long va) {
        return new Collapse(s.name, va);
    }

    /** mremap(MREMAP_FIXED) of r to newStart: {@link Mremap}. */
    public void mremap(Space s, Range r, long newStart, PhaseListener l) {
        w.runOp(new Mremap(s.name, r, newStart), l);
    }

    /** mremap not yet begun, as a frame to step. */
    public OpFrame mremapFrame(Space s, Range r, long newStart) {
        return new Mremap(s.name, r, newStart);
    }

    /** remap_file_pages over r (3.16/3.19 nonlinear; 4.0+ an mmap emulation): {@link Remap}. */
    public void remap(Space s, Range r, PhaseListener l) {
        w.runOp(new Remap(s.name, r), l);
    }

    /** remap not yet begun, as a frame to step. */
    public OpFrame remapFrame(Space s, Range r) {
        return new Remap(s.name, r);
    }

    /** uprobes installing a breakpoint in the text page at va (uprobe_write_opcode -> __replace_page). */
    public void uprobe(Space s, long va, PhaseListener l) {
        w.runOp(new Uprobe(s.name, va), l);
    }

    /** uprobe not yet begun, as a frame to step. */
    public OpFrame uprobeFrame(Space s, long va) {
        return new Uprobe(s.name, va);
    }

    /** mprotect not yet begun, as a frame to step (over hugetlb: Hugetlb.ChangeProtection per VMA, its callee). */
    public OpFrame mprotectFrame(Space s, Range r, int prot) {
        return new Mprotect(s.name, r, prot);
    }

    /**
     * change_pte_range (6.0+): whether a present PTE's change is queued with
     * tlb_flush_pte_range. x86's pte_needs_flush (arch/x86/include/asm/tlbflush.h) wants
     * one for a demotion only (write or present bit cleared, another frame); the generic
     * one (arm64) for every present PTE changed.
     */
    boolean pteNeedsFlush(long old, long changed) {
        if (!Pte.present(old)) return false;
        if (w.arch() != Arch.X86) return true;
        return !Pte.present(changed) || Pte.pfn(old) != Pte.pfn(changed) || (Pte.writable(old) && !Pte.writable(changed));
    }

    /**
     * pte_modify with the VMA's new vm_page_prot: PROT_NONE hides the page from the
     * hardware walk; private mappings never gain write here (vm_page_prot is PAGE_COPY,
     * writes fault and go through do_wp_page); shared writable mappings do.
     */
    static long changePte(long pte, Vma v, int prot) {
        int pfn = Pte.pfn(pte);
        long keep = pte & (Pte.YOUNG | Pte.DIRTY | Pte.HUGE);
        if (prot == 0) return Pte.make(pfn, keep | Pte.PROTNONE);
        long flags = keep | Pte.PRESENT;
        boolean canWrite = (prot & Vma.WRITE) != 0;
        if (canWrite && (Pte.writable(pte) || (v != null && v.shared))) flags |= Pte.WRITE;
        return Pte.make(pfn, flags);
    }

    /** exit_mmap ({@link ExitMmap}, a step program). */
    public void exitMmap(Space s, PhaseListener l) {
        w.runOp(new ExitMmap(s.name), l);
    }

    /** exit not yet begun, as a frame to step. */
    public OpFrame exitFrame(Space s) {
        return new ExitMmap(s.name);
    }
}
