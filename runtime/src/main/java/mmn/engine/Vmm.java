package mmn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The kernel's mm code paths, micro-step by micro-step: faults, the zap loop, the
 * mmu_gather, free_pgtables and the operations built from them. Where the kernel calls
 * into the notifier core, these methods name the call site and the profile decides
 * what fires ({@link World#fire}). Each operation announces its phases so that
 * injected device actions run right after the matching micro-step.
 */
final class Vmm {
    private final World w;

    Vmm(World w) {
        this.w = w;
    }

    // ------------------------------------------------------------ plumbing

    /** The operation and phase an operation interrupted (an operation injected at another's phase). */
    private final java.util.ArrayDeque<String[]> outer = new java.util.ArrayDeque<>();

    private void beginOp(String name, Space s) {
        if (s.exited) throw new EngineException(s.name + " has exited; no further operations on it");
        outer.push(new String[] {w.operation, w.phase});
        w.operation = name;
        w.phase = null;
    }

    /** A micro-step begins: violations found inside it are reported against its phase. */
    private void step(String name) {
        w.phase = name;
    }

    /** A micro-step ended: announce it and run the actions injected after it. */
    private void phase(String name, PhaseListener l) {
        w.phase = name;
        if (w.trace.keeping()) w.trace.event("step", w.operation + ": " + name);
        l.after(name);
    }

    private void endOp() {
        String[] o = outer.isEmpty() ? new String[] {w.operation, null} : outer.pop();
        w.operation = o[0] == null ? w.operation : o[0];
        w.phase = o[1];
    }

    private void lockPtl(Space s) {
        s.ptlDepth++;
    }

    private void unlockPtl(Space s) {
        s.ptlDepth--;
    }

    /** flush_tlb_range / flush_tlb_page on the CPU side. */
    void cpuFlush(Space s, Range r) {
        int n = r.equals(Range.ALL) ? s.cpuTlb.flushAll() : s.cpuTlb.flush(r);
        if (w.trace.keeping()) w.trace.event("flush", "cpu(" + s.name + ") " + r + ": " + n + " entries");
    }

    // ------------------------------------------------------------ faults

    /** A CPU load or store: the TLB, else the page-table walk, else handle_mm_fault. */
    void cpuAccess(Space s, long va, boolean write) {
        if (s.exited) throw new EngineException(s.name + " has exited");
        Translation t = s.cpuTlb.lookup(va);
        if (t == null || (write && !t.writable)) {
            long pte = s.pageTable.get(va);
            if (!Pte.present(pte) || (write && !Pte.writable(pte))) {
                World.PageRequestResult res = handleMmFault(s, va, write);
                if (res == World.PageRequestResult.WAIT)
                    throw new EngineException("the CPU access to " + Addr.hex(va) + " would wait for the running operation (its page-table lock,"
                            + " or migration_entry_wait), which cannot finish while this thread waits", "inject the access at a later phase");
                if (res == World.PageRequestResult.INVALID) {
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
        w.trace.event("access", "cpu(" + s.name + ") " + (write ? "write " : "read ") + Addr.hex(va) + ": pfn " + pfn);
    }

    /** The IOMMU or CPU sets the accessed (and dirty) bit in the leaf entry. */
    void markAccessed(Space s, long va, boolean write) {
        long pte = s.pageTable.get(va);
        if (!Pte.present(pte)) return;
        long n = pte | Pte.YOUNG | (write ? Pte.DIRTY : 0);
        if (n != pte) s.pageTable.set(va, n);
    }

    /** A device page request (PRI): resolved like a CPU fault; INVALID where no VMA allows it. */
    World.PageRequestResult handlePageRequest(Space s, long va, boolean write) {
        if (s.exited || s.released) return World.PageRequestResult.INVALID;
        return handleMmFault(s, va, write);
    }

    /** handle_mm_fault for one page. */
    World.PageRequestResult handleMmFault(Space s, long va, boolean write) {
        // an access injected while an operation holds the PTL: the fault handler spins on
        // the lock until the operation drops it, so the request is answered only after that
        if (s.ptlHeld() || s.mmapWriteLocked) return World.PageRequestResult.WAIT;
        Vma vma = s.findVma(va);
        if (vma == null || !vma.allows(write)) return World.PageRequestResult.INVALID;
        long page = Addr.pageDown(va);
        long pte = s.pageTable.get(page);
        if (!Pte.mapsPage(pte)) {
            // do_swap_page: a migration entry waits for the migration; a swap entry swaps in
            if (Pte.isMigration(pte)) return World.PageRequestResult.WAIT;
            if (Pte.isSwap(pte)) doSwapPage(s, vma, page, pte, write);
            else if (Pte.isFile(pte)) doNonlinearFault(s, vma, page, pte, write);
            else faultIn(s, vma, page, write);
        } else if (write && !Pte.writable(pte)) {
            doWpPage(s, vma, page, pte, PhaseListener.NONE);
        } else {
            markAccessed(s, page, write);
        }
        return World.PageRequestResult.SUCCESS;
    }

    /** do_anonymous_page / do_read_fault / do_cow_fault / do_shared_fault. */
    private void faultIn(Space s, Vma vma, long va, boolean write) {
        s.pageTable.allocTables(va);
        lockPtl(s);
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
        unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " faulted in: " + Pte.describe(Pte.make(pfn, flags)));
    }

    /**
     * do_swap_page: the page still in the swap cache (reclaim has not freed it yet) is
     * mapped again, which makes reclaim's __remove_mapping fail; otherwise a new frame is
     * read in from the slot. The model maps a swapped-in page writable only on a write
     * fault (a read fault leaves it read-only, as do_swap_page does without reuse_swap_page).
     */
    private void doSwapPage(Space s, Vma vma, long va, long pte, boolean write) {
        int slot = Pte.pfn(pte);
        Integer cached = w.swapCache.get(slot);
        int pfn;
        if (cached != null) {
            pfn = cached;
            w.mem.get(pfn);
        } else {
            Long saved = w.swap.get(slot);
            pfn = w.mem.alloc(FrameKind.USER);
            w.mem.setValue(pfn, saved == null ? 0 : saved);
        }
        lockPtl(s);
        long flags = Pte.PRESENT | Pte.YOUNG | (write && vma.allows(true) ? Pte.WRITE | Pte.DIRTY : 0);
        w.mem.addMap(pfn);
        s.pageTable.set(va, Pte.make(pfn, flags));
        unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " swapped in from slot " + slot
                + (cached != null ? " (still in the swap cache)" : "") + ": " + Pte.describe(Pte.make(pfn, flags)));
    }

    /** 3.16/3.19 do_nonlinear_fault: a file PTE names the page-cache page to map (remap_file_pages). */
    private void doNonlinearFault(Space s, Vma vma, long va, long pte, boolean write) {
        int pfn = pageCacheGet(vma.file, Pte.pfn(pte));
        w.mem.get(pfn);
        lockPtl(s);
        long flags = Pte.PRESENT | Pte.YOUNG | (write ? Pte.WRITE | Pte.DIRTY : 0);
        w.mem.addMap(pfn);
        s.pageTable.set(va, Pte.make(pfn, flags));
        unlockPtl(s);
        w.trace.event("fault", s.name + " " + Addr.hex(va) + " nonlinear fault, file page " + Pte.pfn(pte) + ": " + Pte.describe(Pte.make(pfn, flags)));
    }

    /** find_get_page, allocating (reading in) the page on a miss; the cache keeps one reference. */
    private int pageCacheGet(String file, long index) {
        TreeMap<Long, Integer> pages = w.pageCache.computeIfAbsent(file, k -> new TreeMap<>());
        Integer pfn = pages.get(index);
        if (pfn == null) {
            pfn = w.mem.alloc(FrameKind.USER);
            w.mem.setValue(pfn, ((long) file.hashCode() << 20) ^ index);
            pages.put(index, pfn);
        }
        return pfn;
    }

    /** do_wp_page: a write to a present, write-protected PTE. */
    void doWpPage(Space s, Vma vma, long va, long pte, PhaseListener l) {
        int old = Pte.pfn(pte);
        boolean reuse = vma.shared || (vma.anon && old != PhysMem.ZERO_PFN && w.mem.mapcount(old) == 1 && w.mem.refcount(old) == 1);
        if (reuse) {
            // wp_page_reuse: same page, more rights: a permission upgrade
            lockPtl(s);
            s.pageTable.set(va, pte | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
            w.fire(s, Sites.WP_REUSE, Range.page(va));
            unlockPtl(s);
            return;
        }
        wpPageCopy(s, va, old, l);
    }

    /** wp_page_copy (3.16: the gotten: path of do_wp_page): copy, repoint, drop the old page. */
    private void wpPageCopy(Space s, long va, int old, PhaseListener l) {
        Range page = Range.page(va);
        String outer = w.phase;
        boolean phased = l != PhaseListener.NONE;
        w.mem.get(old); // the fault's own reference (page_cache_get(old_page))
        int fresh = w.mem.alloc(FrameKind.USER);
        w.mem.setValue(fresh, old == PhysMem.ZERO_PFN ? 0 : w.mem.value(old));
        if (phased) phase("copy", l);
        if (phased) step("start");
        w.fire(s, Sites.WP_COPY_START, page);
        if (phased) phase("start", l);
        if (phased) step("clear");
        lockPtl(s);
        s.pageTable.set(va, Pte.NONE);
        cpuFlush(s, page);
        w.fire(s, Sites.WP_COPY_CLEAR, page);
        if (phased) phase("clear", l);
        if (phased) step("set");
        long npte = Pte.make(fresh, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
        w.fire(s, Sites.WP_COPY_SET, page, va, npte);
        w.checker.beforeRepoint(s, va, old, fresh);
        w.mem.addMap(fresh);
        s.pageTable.set(va, npte);
        w.mem.removeMap(old);
        w.mem.put(old); // the mapping's reference; the fault's keeps the page alive
        if (phased) phase("set", l);
        unlockPtl(s);
        if (phased) phase("unlock", l);
        if (phased) step("end");
        w.fire(s, Sites.WP_COPY_END, page);
        if (phased) phase("end", l);
        if (phased) step("put");
        w.mem.put(old); // the last put: the old page may be freed here, after end
        if (phased) phase("put", l);
        if (phased) w.phase = outer;
    }

    /** The `cow` operation: a CPU write fault on a write-protected page, phase by phase. */
    void cow(Space s, long va, PhaseListener l) {
        beginOp("cow", s);
        long page = Addr.pageDown(va);
        Vma vma = s.findVma(page);
        long pte = s.pageTable.get(page);
        if (vma == null || !Pte.present(pte))
            throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": no page is mapped there", "touch it (or fork) first");
        if (Pte.writable(pte))
            throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": the PTE is writable, there is nothing to copy",
                    "fork first, or map the page read-only with a read fault");
        if (!vma.allows(true))
            throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": the VMA " + vma.range() + " is not writable");
        step("copy");
        int old = Pte.pfn(pte);
        boolean reuse = vma.shared || (vma.anon && old != PhysMem.ZERO_PFN && w.mem.mapcount(old) == 1 && w.mem.refcount(old) == 1);
        if (reuse) {
            step("reuse");
            doWpPage(s, vma, page, pte, l);
            phase("reuse", l);
        } else {
            wpPageCopy(s, page, old, l);
        }
        cpuAccess(s, va, true);
        endOp();
    }

    /**
     * fork: dup_mmap copies every VMA into the child; copy_page_range write-protects the
     * parent's and the child's PTEs of private mappings inside a notifier window on the
     * parent, and the parent's CPU TLB is flushed once at the end.
     */
    void fork(Space parent, Space child, PhaseListener l) {
        beginOp("fork", parent);
        if (!child.vmas.isEmpty()) throw new EngineException("fork " + parent.name + " " + child.name + ": " + child.name + " already has mappings",
                "fork into a fresh space");
        for (Vma v : List.copyOf(parent.vmas.values())) {
            child.vmas.put(v.start, v.copy());
            boolean cow = !v.shared;
            Range r = v.range();
            if (cow) {
                step("start");
                w.fire(parent, Sites.FORK_START, r);
                phase("start", l);
            }
            step("copy");
            lockPtl(parent);
            for (long va : parent.pageTable.populated(r)) {
                long pte = parent.pageTable.get(va);
                if (Pte.isSwap(pte)) {
                    child.pageTable.set(va, pte);
                    continue;
                }
                if (!Pte.mapsPage(pte)) continue;
                if (cow && Pte.writable(pte)) {
                    pte = Pte.wrprotect(pte);
                    parent.pageTable.set(va, pte); // ptep_set_wrprotect: no flush here
                }
                int pfn = Pte.pfn(pte);
                int n = Pte.huge(pte) ? Addr.PTRS_PER_TABLE : 1;
                for (int k = 0; k < n; k++) {
                    w.mem.get(pfn + k);
                    w.mem.addMap(pfn + k);
                }
                if (Pte.huge(pte)) child.deposits.put(va, w.mem.alloc(FrameKind.PAGE_TABLE)); // copy_huge_pmd deposits a table for the child
                child.pageTable.set(va, cow ? Pte.mkold(pte) : pte);
            }
            unlockPtl(parent);
            phase("copy", l);
            if (cow) {
                step("end");
                w.fire(parent, Sites.FORK_END, r);
                phase("end", l);
            }
        }
        step("flush");
        cpuFlush(parent, Range.ALL);
        w.fire(parent, Sites.FORK_FLUSH, Range.ALL);
        phase("flush", l);
        endOp();
    }

    // ------------------------------------------------------------ the mmu_gather

    /** tlb_flush_mmu_tlbonly: CPU flush of the gathered range, then whatever the profile fires there. */
    private void tlbFlushMmuTlbOnly(MmuGather tlb, String site) {
        if (tlb.range == null && !tlb.fullmm) return; // nothing gathered (!tlb->end)
        Range r = tlb.flushRange();
        cpuFlush(tlb.space, r);
        w.fire(tlb.space, site, r);
        tlb.range = null;
    }

    /** tlb_flush_mmu_free: the batch's pages get their last put; page-table pages are freed. */
    private void tlbFlushMmuFree(MmuGather tlb) {
        int n = tlb.pages.size(), t = tlb.tables.size();
        for (int pfn : tlb.pages) w.mem.put(pfn);
        for (int pfn : tlb.tables) w.mem.free(pfn);
        tlb.pages.clear();
        tlb.tables.clear();
        w.trace.event("free", "mmu_gather freed " + n + " pages and " + t + " page-table pages");
    }

    /**
     * unmap_single_vma -> zap_pte_range over r: per PTE table, under its PTL, clear each
     * PTE and batch the page; a full batch (or a dirty shared-file PTE) forces
     * tlb_flush_mmu_tlbonly under the PTL, then the free after unlocking, then the zap
     * restarts where it stopped.
     */
    private void zap(Space s, MmuGather tlb, Range r, PhaseListener l) {
        List<Long> addrs = s.pageTable.populated(r);
        int i = 0;
        while (i < addrs.size()) {
            long table = addrs.get(i) & -Addr.PMD_SIZE;
            lockPtl(s);
            boolean force = false;
            while (i < addrs.size() && (addrs.get(i) & -Addr.PMD_SIZE) == table) {
                long va = addrs.get(i++);
                long pte = s.pageTable.get(va);
                if (Pte.none(pte)) continue;
                s.pageTable.set(va, Pte.NONE);
                if (Pte.isSwap(pte)) {
                    w.swap.remove(Pte.pfn(pte));
                    continue;
                }
                if (Pte.isMigration(pte) || Pte.isFile(pte)) continue;
                int pfn = Pte.pfn(pte);
                if (pfn == PhysMem.ZERO_PFN) {
                    tlb.range = Range.page(va).union(tlb.range); // tlb_remove_tlb_entry only
                    continue;
                }
                if (Pte.huge(pte)) {
                    // zap_huge_pmd: the deposited PTE table is freed at once (nothing links it), the
                    // 512 subpages join the batch (the model zaps a whole huge PMD even for a partial range)
                    Integer dep = s.deposits.remove(va);
                    if (dep != null) w.mem.free(dep);
                    for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
                        w.mem.removeMap(pfn + k);
                        if (tlb.removePage(pfn + k, va + ((long) k << Addr.PAGE_SHIFT))) force = true;
                    }
                    if (force) break;
                    continue;
                }
                w.mem.removeMap(pfn);
                Vma vma = s.findVma(va);
                if (vma != null && !vma.anon && vma.shared && Pte.dirty(pte)) force = true; // dirty shared file page
                if (tlb.removePage(pfn, va)) force = true;
                if (force) break;
            }
            String outer = w.phase;
            if (force) {
                step("batch-flush");
                tlbFlushMmuTlbOnly(tlb, Sites.ZAP_FORCE_FLUSH);
            }
            unlockPtl(s);
            if (force) {
                tlbFlushMmuFree(tlb);
                phase("batch-flush", l);
                step(outer);
            }
        }
    }

    // ------------------------------------------------------------ operations

    /** munmap: do_munmap -> unmap_region. */
    void munmap(Space s, Range r, PhaseListener l) {
        beginOp("munmap", s);
        s.splitAt(r);
        List<Vma> vmas = s.vmasIn(r);
        for (Vma v : vmas) s.vmas.remove(v.start); // detach_vmas_to_be_unmapped
        long floor = s.floorFor(r.start());
        long ceiling = s.ceilingFor(r.end());
        MmuGather tlb = new MmuGather(s, r, false, w.gatherBatch);
        step("start");
        w.fire(s, Sites.UNMAP_START, r);
        phase("start", l);
        step("clear");
        for (Vma v : vmas) zap(s, tlb, v.range(), l);
        phase("clear", l);
        step("end");
        w.fire(s, Sites.UNMAP_END, r);
        phase("end", l);
        step("unlink-tables");
        freePgtables(s, tlb, r, floor, ceiling, false, l);
        phase("unlink-tables", l);
        step("flush");
        tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
        phase("flush", l);
        step("free");
        tlbFlushMmuFree(tlb);
        phase("free", l);
        endOp();
    }

    /** free_pgtables: unlink page-table pages no remaining VMA needs; they join the gather's batch. */
    private void freePgtables(Space s, MmuGather tlb, Range r, long floor, long ceiling, boolean root, PhaseListener l) {
        for (PageTable.UnlinkedTable t : s.pageTable.unlinkTables(r, floor, ceiling, root)) {
            w.trace.event("unlink", Addr.levelName(t.level()) + " table pfn " + t.pfn() + " for " + t.covers());
            if (tlb.removeTable(t.pfn(), t.va())) {
                String outer = w.phase;
                step("batch-flush");
                tlbFlushMmuTlbOnly(tlb, Sites.PGTABLE_FORCE_FLUSH);
                tlbFlushMmuFree(tlb);
                phase("batch-flush", l);
                step(outer);
            }
        }
    }

    /** madvise(MADV_DONTNEED): zap_page_range; page tables stay. */
    void dontneed(Space s, Range r, PhaseListener l) {
        beginOp("dontneed", s);
        List<Vma> vmas = new ArrayList<>();
        for (Vma v : s.vmas.values()) if (r.overlaps(v.start, v.end)) vmas.add(v);
        if (vmas.isEmpty()) throw new EngineException("madvise(MADV_DONTNEED) on " + r + ": no VMA there (-ENOMEM)");
        MmuGather tlb = new MmuGather(s, r, false, w.gatherBatch);
        step("start");
        w.fire(s, Sites.ZAP_START, r);
        phase("start", l);
        step("clear");
        for (Vma v : vmas) zap(s, tlb, new Range(Math.max(v.start, r.start()), Math.min(v.end, r.end())), l);
        phase("clear", l);
        step("end");
        w.fire(s, Sites.ZAP_END, r);
        phase("end", l);
        step("flush");
        tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
        phase("flush", l);
        step("free");
        tlbFlushMmuFree(tlb);
        phase("free", l);
        endOp();
    }

    /**
     * mprotect: change_protection. The notifier window closes before the CPU flush, so
     * the device hears of the downgrade before the CPU does.
     */
    void mprotect(Space s, Range r, int prot, PhaseListener l) {
        beginOp("mprotect", s);
        s.splitAt(r);
        List<Vma> vmas = s.vmasIn(r);
        if (vmas.isEmpty()) throw new EngineException("mprotect on " + r + ": no VMA there (-ENOMEM)");
        for (Vma v : vmas) v.prot = prot;
        step("start");
        w.fire(s, Sites.MPROTECT_START, r);
        phase("start", l);
        step("change");
        List<Long> addrs = s.pageTable.populated(r);
        int i = 0;
        while (i < addrs.size()) {
            long table = addrs.get(i) & -Addr.PMD_SIZE;
            lockPtl(s);
            while (i < addrs.size() && (addrs.get(i) & -Addr.PMD_SIZE) == table) {
                long va = addrs.get(i++);
                long pte = s.pageTable.get(va);
                if (!Pte.mapsPage(pte)) continue;
                Vma v = s.findVma(va);
                s.pageTable.set(va, changePte(pte, v, prot));
            }
            unlockPtl(s);
        }
        phase("change", l);
        step("end");
        w.fire(s, Sites.MPROTECT_END, r);
        phase("end", l);
        step("flush");
        cpuFlush(s, r);
        w.fire(s, Sites.MPROTECT_FLUSH, r);
        phase("flush", l);
        endOp();
    }

    /**
     * pte_modify with the VMA's new vm_page_prot: PROT_NONE hides the page from the
     * hardware walk; private mappings never gain write here (vm_page_prot is PAGE_COPY,
     * writes fault and go through do_wp_page); shared writable mappings do.
     */
    private static long changePte(long pte, Vma v, int prot) {
        int pfn = Pte.pfn(pte);
        long keep = pte & (Pte.YOUNG | Pte.DIRTY | Pte.HUGE);
        if (prot == 0) return Pte.make(pfn, keep | Pte.PROTNONE);
        long flags = keep | Pte.PRESENT;
        boolean canWrite = (prot & Vma.WRITE) != 0;
        if (canWrite && (Pte.writable(pte) || (v != null && v.shared))) flags |= Pte.WRITE;
        return Pte.make(pfn, flags);
    }

    /** exit_mmap: release first, then unmap and free everything with no further callbacks. */
    void exitMmap(Space s, PhaseListener l) {
        beginOp("exit", s);
        step("release");
        w.fire(s, Sites.EXIT_RELEASE, Range.ALL);
        phase("release", l);
        step("clear");
        MmuGather tlb = new MmuGather(s, Range.ALL, true, w.gatherBatch);
        w.fire(s, Sites.UNMAP_START, Range.ALL);
        for (Vma v : List.copyOf(s.vmas.values())) zap(s, tlb, v.range(), l);
        w.fire(s, Sites.UNMAP_END, Range.ALL);
        phase("clear", l);
        s.vmas.clear();
        step("unlink-tables");
        freePgtables(s, tlb, new Range(0, Addr.TASK_SIZE), 0, Addr.TASK_SIZE, true, l);
        phase("unlink-tables", l);
        step("flush");
        tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
        phase("flush", l);
        step("free");
        tlbFlushMmuFree(tlb);
        s.exited = true;
        phase("free", l);
        endOp();
    }

    // ------------------------------------------------------------ rmap operations

    /** One PTE mapping a page, found by the rmap walk. */
    record Mapping(Space space, long va) {}

    /**
     * The rmap walk (rmap_walk_anon / rmap_walk_file): every PTE in every space that maps
     * the frame, spaces in declaration order, addresses ascending. The model scans the
     * VMAs instead of keeping anon_vma chains: the answer is the same.
     */
    List<Mapping> rmap(int pfn) {
        List<Mapping> out = new ArrayList<>();
        for (Space sp : w.spaces.values()) {
            if (sp.exited || sp.pageTable.root() < 0) continue;
            for (Vma v : sp.vmas.values()) {
                for (long va : sp.pageTable.populated(v.range())) {
                    long pte = sp.pageTable.get(va);
                    if (Pte.mapsPage(pte) && !Pte.huge(pte) && Pte.pfn(pte) == pfn) out.add(new Mapping(sp, va));
                }
            }
        }
        return out;
    }

    /** The distinct frames mapped by 4 KiB PTEs in r (the zero page is never migrated or reclaimed). */
    private List<Integer> pagesIn(Space s, Range r, String op) {
        List<Integer> out = new ArrayList<>();
        for (long va : s.pageTable.populated(r)) {
            long pte = s.pageTable.get(va);
            if (!Pte.mapsPage(pte)) continue;
            if (Pte.huge(pte))
                throw new EngineException(op + " " + s.name + " " + Addr.hex(va) + ": a huge page is mapped there; the model moves 4 KiB pages only",
                        "split " + s.name + " " + Addr.hex(va & -Addr.PMD_SIZE) + " first");
            int pfn = Pte.pfn(pte);
            if (pfn != PhysMem.ZERO_PFN && !out.contains(pfn)) out.add(pfn);
        }
        if (out.isEmpty()) throw new EngineException(op + " " + s.name + " " + r + ": no page is mapped there", "touch it first");
        return out;
    }

    /** The call sites of one try_to_unmap_one flavour. */
    private record UnmapSites(String start, String clear, String entry, String unlock, String end) {}

    private static final UnmapSites MIGRATION = new UnmapSites(Sites.MIGRATE_START, Sites.MIGRATE_CLEAR, null,
            Sites.MIGRATE_UNLOCK, Sites.MIGRATE_END);
    private static final UnmapSites SWAP_OUT = new UnmapSites(Sites.RECLAIM_START, Sites.RECLAIM_CLEAR, Sites.RECLAIM_SWAP_ENTRY,
            Sites.RECLAIM_UNLOCK, Sites.RECLAIM_END);

    /**
     * try_to_unmap_one for one mapping: [start], PTL, clear (and flush the CPU, unless the
     * flush is batched), install the migration or swap entry, drop the mapping's reference
     * (the caller's keeps the page), unlock, [invalidate_page], [end]. {@code slot} < 0
     * means a migration entry. Phases: start, clear, unlock, end (once per mapping).
     */
    private void tryToUnmapOne(Mapping m, int pfn, int slot, UnmapSites sites, boolean batched, PhaseListener l) {
        Space s = m.space();
        Range page = Range.page(m.va());
        step("start");
        w.fire(s, sites.start(), page);
        phase("start", l);
        step("clear");
        lockPtl(s);
        long pte = s.pageTable.get(m.va());
        boolean mapped = Pte.mapsPage(pte) && Pte.pfn(pte) == pfn; // page_vma_mapped_walk may find it gone
        if (mapped) {
            s.pageTable.set(m.va(), Pte.NONE);
            if (!batched) cpuFlush(s, page);
            // a queued (batched) flush is for the whole mm: arch_tlbbatch_add_pending passes 0..-1
            w.fire(s, sites.clear(), batched ? Range.ALL : page);
            long entry = slot < 0 ? Pte.make(pfn, Pte.MIGRATION | (pte & Pte.WRITE)) : Pte.make(slot, Pte.SWAP);
            s.pageTable.set(m.va(), entry);
            if (sites.entry() != null) w.fire(s, sites.entry(), page);
            w.mem.removeMap(pfn);
            w.mem.put(pfn); // the mapping's reference; the caller's isolation reference remains
        }
        phase("clear", l);
        unlockPtl(s);
        step("unlock");
        if (mapped) w.fire(s, sites.unlock(), page, m.va(), Pte.NONE);
        phase("unlock", l);
        step("end");
        w.fire(s, sites.end(), page);
        phase("end", l);
    }

    /**
     * migrate (migrate_pages, MIGRATE_SYNC): per page, isolate it (a reference), unmap
     * every mapping into migration entries (try_to_unmap_one), copy to a new frame,
     * replace the migration entries by PTEs to the new frame (remove_migration_ptes: no
     * flush, no notifier) and drop the isolation reference, which frees the old frame.
     * Phases: start, clear, unlock, end (per mapping), copy, remap (per mapping), free.
     */
    void migrate(Space s, Range r, PhaseListener l) {
        beginOp("migrate", s);
        for (int old : pagesIn(s, r, "migrate")) {
            w.mem.get(old); // isolate_lru_page
            List<Mapping> maps = rmap(old);
            for (Mapping m : maps) tryToUnmapOne(m, old, -1, MIGRATION, false, l);
            step("copy");
            int fresh = w.mem.alloc(FrameKind.USER); // the new page's own reference, dropped after remap
            pageCacheReplace(old, fresh); // migrate_page_move_mapping
            w.mem.setValue(fresh, w.mem.value(old)); // migrate_page_copy
            w.copiedOut.add(old);
            w.trace.event("copy", "pfn " + old + " copied to pfn " + fresh);
            phase("copy", l);
            for (Mapping m : maps) {
                step("remap");
                Space sp = m.space();
                lockPtl(sp);
                long pte = sp.pageTable.get(m.va());
                if (Pte.isMigration(pte) && Pte.pfn(pte) == old) {
                    w.fire(sp, Sites.MIGRATE_REMAP, Range.page(m.va()));
                    long wr = pte & Pte.WRITE;
                    w.mem.get(fresh);
                    w.mem.addMap(fresh);
                    sp.pageTable.set(m.va(), Pte.make(fresh, Pte.PRESENT | Pte.YOUNG | wr | (wr != 0 ? Pte.DIRTY : 0)));
                }
                unlockPtl(sp);
                phase("remap", l);
            }
            w.mem.put(fresh);
            step("free");
            w.mem.put(old); // putback: the isolation reference was the last one
            w.copiedOut.remove(old);
            phase("free", l);
        }
        endOp();
    }

    /** migrate_page_move_mapping for a page-cache page: the cache's slot and reference move to the new frame. */
    private void pageCacheReplace(int old, int fresh) {
        for (TreeMap<Long, Integer> pages : w.pageCache.values()) {
            for (java.util.Map.Entry<Long, Integer> e : pages.entrySet()) {
                if (e.getValue() == old) {
                    e.setValue(fresh);
                    w.mem.get(fresh);
                    w.mem.put(old);
                    return;
                }
            }
        }
    }

    /**
     * reclaim (shrink_page_list for one anon page): add_to_swap, unmap every mapping into
     * swap entries (try_to_unmap_one), flush the batched CPU TLB flush where the profile
     * batches it (4.3+ TTU_BATCH_FLUSH), write the page out, then __remove_mapping frees it
     * unless it was mapped again meanwhile. The model reclaims as if page_check_references
     * had found the page old: the aging pass is the separate `age` operation.
     * Phases: start, clear, unlock, end (per mapping), flush, writeback, free.
     */
    void reclaim(Space s, Range r, PhaseListener l) {
        beginOp("reclaim", s);
        boolean batched = w.profile.batchedUnmapFlush;
        for (int pfn : pagesIn(s, r, "reclaim")) {
            if (isPageCache(pfn))
                throw new EngineException("reclaim " + s.name + " " + r + ": pfn " + pfn + " is a file page; the model swaps out anonymous pages only",
                        "reclaim a page of an anon mapping");
            w.mem.get(pfn); // isolate_lru_page
            int slot = w.nextSwapSlot++;
            w.swapCache.put(slot, pfn); // add_to_swap: the swap cache holds a reference
            w.mem.get(pfn);
            List<Mapping> maps = rmap(pfn);
            for (Mapping m : maps) tryToUnmapOne(m, pfn, slot, SWAP_OUT, batched, l);
            step("flush");
            for (Space sp : spacesOf(maps)) {
                if (batched) cpuFlush(sp, Range.ALL); // try_to_unmap_flush_dirty: the deferred CPU flush
                w.fire(sp, Sites.RECLAIM_FLUSH, Range.ALL);
            }
            phase("flush", l);
            step("writeback");
            w.swap.put(slot, w.mem.value(pfn)); // pageout
            w.copiedOut.add(pfn);
            phase("writeback", l);
            step("free");
            // __remove_mapping: the reference freeze fails if the page was faulted back in
            if (w.mem.mapcount(pfn) == 0 && w.mem.refcount(pfn) == 2) {
                w.swapCache.remove(slot);
                w.mem.put(pfn);
                w.mem.put(pfn);
            } else {
                w.trace.event("reclaim", "pfn " + pfn + " was mapped again: __remove_mapping fails, the page stays in the swap cache");
                w.mem.put(pfn);
            }
            w.copiedOut.remove(pfn);
            phase("free", l);
        }
        endOp();
    }

    private static List<Space> spacesOf(List<Mapping> maps) {
        List<Space> out = new ArrayList<>();
        for (Mapping m : maps) if (!out.contains(m.space())) out.add(m.space());
        return out;
    }

    private boolean isPageCache(int pfn) {
        for (TreeMap<Long, Integer> pages : w.pageCache.values()) if (pages.containsValue(pfn)) return true;
        return false;
    }

    // ------------------------------------------------------------ KSM

    /**
     * ksm: try_to_merge_two_pages. a's page becomes the KSM page (write_protect_page), then
     * b's page is write-protected, compared, and its PTE pointed at the KSM page
     * (replace_page); the scanner's reference on b's old page is dropped last, which frees
     * it. The language takes the two pages' contents as identical, so the model makes them
     * so before the scan; a write that lands between the write-protect and the compare
     * makes pages_identical fail and the merge is abandoned, as in the kernel.
     * Phases: protect-start, protect-clear, protect-set, protect-end (for a, then b),
     * replace-start, replace-clear, replace-set, replace-end, free.
     */
    void ksm(Space a, long va, Space b, long vb, PhaseListener l) {
        beginOp("ksm", a);
        if (b.exited) throw new EngineException(b.name + " has exited");
        long pa = Addr.pageDown(va), pb = Addr.pageDown(vb);
        int kpage = ksmCandidate(a, pa), page = ksmCandidate(b, pb);
        if (kpage == page) throw new EngineException("ksm: " + a.name + " " + Addr.hex(pa) + " and " + b.name + " " + Addr.hex(pb)
                + " already map the same frame (pfn " + page + ")");
        w.mem.get(kpage); // follow_page(FOLL_GET): the scanner's references
        w.mem.get(page);
        w.mem.setValue(page, w.mem.value(kpage)); // the contents are taken as identical
        long protectedPte = writeProtectPage(a, pa, kpage, l);
        long orig = writeProtectPage(b, pb, page, l);
        boolean identical = protectedPte != Pte.NONE && orig != Pte.NONE && w.mem.value(page) == w.mem.value(kpage);
        if (identical) {
            replacePage(b, pb, page, kpage, orig, l);
        } else {
            w.trace.event("ksm", "pages_identical failed or a PTE changed: no merge");
        }
        step("free");
        w.mem.put(kpage);
        w.mem.put(page); // the scanner's reference: after replace_page it was the last
        phase("free", l);
        endOp();
    }

    private int ksmCandidate(Space s, long va) {
        Vma v = s.findVma(va);
        long pte = s.pageTable.get(va);
        if (v == null || !v.anon || !Pte.present(pte) || Pte.huge(pte) || Pte.pfn(pte) == PhysMem.ZERO_PFN)
            throw new EngineException("ksm: " + s.name + " " + Addr.hex(va) + " has no anonymous 4 KiB page mapped", "touch it with a write first");
        return Pte.pfn(pte);
    }

    /** write_protect_page: returns the write-protected PTE, or NONE when the page moved meanwhile. */
    private long writeProtectPage(Space s, long va, int pfn, PhaseListener l) {
        Range page = Range.page(va);
        step("protect-start");
        w.fire(s, Sites.KSM_WP_START, page);
        phase("protect-start", l);
        step("protect-clear");
        lockPtl(s);
        long pte = s.pageTable.get(va);
        long result = Pte.NONE;
        boolean same = Pte.present(pte) && Pte.pfn(pte) == pfn;
        boolean change = same && (Pte.writable(pte) || Pte.dirty(pte));
        if (change) {
            s.pageTable.set(va, Pte.NONE);
            cpuFlush(s, page);
            w.fire(s, Sites.KSM_WP_CLEAR, page);
        }
        phase("protect-clear", l);
        step("protect-set");
        if (change) {
            long entry = Pte.make(pfn, Pte.PRESENT | (pte & Pte.YOUNG)); // clean and write-protected
            w.fire(s, Sites.KSM_WP_SET, page, va, entry);
            s.pageTable.set(va, entry);
            result = entry;
        } else if (same) {
            result = pte;
        }
        phase("protect-set", l);
        unlockPtl(s);
        step("protect-end");
        w.fire(s, Sites.KSM_WP_END, page);
        phase("protect-end", l);
        return result;
    }

    /** replace_page: point the PTE at the KSM page; the old page keeps only the scanner's reference. */
    private void replacePage(Space s, long va, int old, int kpage, long orig, PhaseListener l) {
        Range page = Range.page(va);
        step("replace-start");
        w.fire(s, Sites.KSM_REPLACE_START, page);
        phase("replace-start", l);
        step("replace-clear");
        lockPtl(s);
        boolean same = s.pageTable.get(va) == orig; // pte_same with the write-protected value
        if (same) {
            w.mem.get(kpage);
            w.mem.addMap(kpage);
            s.pageTable.set(va, Pte.NONE);
            cpuFlush(s, page);
            w.fire(s, Sites.KSM_REPLACE_CLEAR, page);
        }
        phase("replace-clear", l);
        step("replace-set");
        if (same) {
            long entry = Pte.make(kpage, Pte.PRESENT);
            w.fire(s, Sites.KSM_REPLACE_SET, page, va, entry);
            w.checker.beforeRepointSameContent(s, va, old, kpage);
            s.pageTable.set(va, entry);
            w.mem.removeMap(old);
            w.mem.put(old);
        }
        phase("replace-set", l);
        unlockPtl(s);
        step("replace-end");
        w.fire(s, Sites.KSM_REPLACE_END, page);
        phase("replace-end", l);
    }

    // ------------------------------------------------------------ aging

    /**
     * age: page_referenced for each page mapped in r: per mapping (rmap walk), under the
     * PTL, ptep_clear_flush_young (test and clear the young bit; x86 does no CPU flush)
     * then ->clear_flush_young; the page counts as referenced if either saw it young.
     * Nothing is freed and no start/end is fired. Phases: clear-young, unlock (per mapping).
     */
    void age(Space s, Range r, PhaseListener l) {
        beginOp("age", s);
        for (int pfn : pagesIn(s, r, "age")) {
            boolean referenced = false;
            for (Mapping m : rmap(pfn)) {
                Space sp = m.space();
                Range page = Range.page(m.va());
                step("clear-young");
                lockPtl(sp);
                long pte = sp.pageTable.get(m.va());
                boolean young = Pte.young(pte);
                if (young) {
                    sp.pageTable.set(m.va(), Pte.mkold(pte));
                    w.fire(sp, Sites.AGE_FLUSH_YOUNG, page); // arm64 flushes a young PTE (and from 6.6 notifies)
                }
                boolean secondary = w.fireYoung(sp, Sites.AGE_NOTIFY, page);
                referenced |= young || secondary;
                phase("clear-young", l);
                unlockPtl(sp);
                step("unlock");
                phase("unlock", l);
            }
            w.trace.event("age", "pfn " + pfn + (referenced ? " referenced" : " not referenced"));
        }
        endOp();
    }

    // ------------------------------------------------------------ OOM reaper

    /**
     * oom-reap: __oom_reap_task_mm. Where the profile has no reaper (before 4.6) this is an
     * error. 4.6-4.18 skip an mm with subscribers altogether; otherwise, per anon or
     * private VMA: gather, a non-blocking start (6.5+: may fail with -EAGAIN, then the VMA
     * is skipped and end is not called), zap, end, tlb_finish_mmu. VMAs and page tables
     * stay. Phases: start, clear, end, flush, free, batch-flush (per VMA).
     */
    void oomReap(Space s, PhaseListener l) {
        if (!w.profile.hasSite(Sites.OOM_REAP_START))
            throw new EngineException(w.profile.name + " has no OOM reaper (it arrived in 4.6)", "use exit, or a later profile");
        beginOp("oom-reap", s);
        if (w.profile.oomReaperSkipsSubscribed && !s.subscribers.isEmpty()) {
            w.trace.event("oom", s.name + " has mmu notifiers: the OOM reaper skips it (mm_has_notifiers) and sets MMF_OOM_SKIP");
            endOp();
            return;
        }
        for (Vma v : List.copyOf(s.vmas.values())) {
            if (v.shared && !v.anon) continue; // only anonymous or private memory is reaped
            Range r = v.range();
            MmuGather tlb = new MmuGather(s, r, false, w.gatherBatch);
            step("start");
            if (!w.fireStartNonblock(s, Sites.OOM_REAP_START, r)) {
                w.trace.event("oom", "non-blocking start failed for " + r + ": this VMA is skipped, no end");
                continue;
            }
            phase("start", l);
            step("clear");
            zap(s, tlb, r, l);
            phase("clear", l);
            step("end");
            w.fire(s, Sites.OOM_REAP_END, r);
            phase("end", l);
            step("flush");
            tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
            phase("flush", l);
            step("free");
            tlbFlushMmuFree(tlb);
            phase("free", l);
        }
        endOp();
    }

    // ------------------------------------------------------------ mremap

    /**
     * mremap to a fixed new address: copy_vma, then move_page_tables over the old range
     * (start; per PTE table, under the old and the new PTL, move every entry; 4.20+ flush
     * the old range before dropping the PTLs; drop the PTLs; before 4.20 one CPU flush of
     * the old range now; end), then do_munmap of the old range. The pages are moved, not
     * freed: the danger is a translation of the old address that outlives the PTLs while
     * another thread frees the page through the new address (kernel-reference §7 #7).
     * Phases: start, move, unlock (per PTE table), flush, end, unmap.
     */
    void mremap(Space s, Range r, long newStart, PhaseListener l) {
        beginOp("mremap", s);
        Vma v = s.findVma(r.start());
        if (v == null || r.end() > v.end)
            throw new EngineException("mremap " + s.name + " " + r + ": the range must lie inside one VMA (-EFAULT)");
        if (!Addr.pageAligned(newStart)) throw new EngineException("mremap: the new address " + Addr.hex(newStart) + " is not page aligned",
                "use " + Addr.hex(Addr.pageDown(newStart)));
        Range to = new Range(newStart, newStart + r.size());
        if (to.overlaps(r)) throw new EngineException("mremap: the new range " + to + " overlaps the old one (-EINVAL)");
        for (Vma o : s.vmas.values()) {
            if (to.overlaps(o.start, o.end)) throw new EngineException("mremap: " + to + " overlaps " + o.range() + " in " + s.name,
                    "munmap it first or choose another address");
        }
        long delta = newStart - r.start();
        Vma moved = v.slice(r.start(), r.end()).movedTo(newStart); // copy_vma
        s.vmas.put(moved.start, moved);
        step("start");
        w.fire(s, Sites.MREMAP_START, r);
        phase("start", l);
        List<Long> addrs = s.pageTable.populated(r);
        int i = 0;
        boolean any = false;
        while (i < addrs.size()) {
            long table = addrs.get(i) & -Addr.PMD_SIZE;
            step("move");
            lockPtl(s); // old PTL, then new PTL
            lockPtl(s);
            boolean present = false;
            while (i < addrs.size() && (addrs.get(i) & -Addr.PMD_SIZE) == table) {
                long va = addrs.get(i++);
                long pte = s.pageTable.get(va);
                if (Pte.none(pte)) continue;
                if (Pte.huge(pte)) throw new EngineException("mremap: a huge page is mapped at " + Addr.hex(va) + "; the model moves 4 KiB PTEs only",
                        "split it first");
                s.pageTable.set(va, Pte.NONE); // ptep_get_and_clear: no flush
                s.pageTable.set(va + delta, pte);
                present |= Pte.present(pte);
            }
            any |= present;
            Range span = new Range(Math.max(table, r.start()), Math.min(table + Addr.PMD_SIZE, r.end()));
            if (present && w.profile.mremapFlushUnderPtl) {
                cpuFlush(s, span);
                w.fire(s, Sites.MREMAP_PTL_FLUSH, span);
            }
            phase("move", l);
            unlockPtl(s);
            unlockPtl(s);
            step("unlock");
            phase("unlock", l);
        }
        step("flush");
        if (any && !w.profile.mremapFlushUnderPtl) {
            cpuFlush(s, r);
            w.fire(s, Sites.MREMAP_FLUSH, r);
        }
        phase("flush", l);
        step("end");
        w.fire(s, Sites.MREMAP_END, r);
        phase("end", l);
        step("unmap");
        munmap(s, r, PhaseListener.NONE); // do_munmap of the old range: its page tables go
        phase("unmap", l);
        endOp();
    }

    // ------------------------------------------------------------ uprobes

    /**
     * uprobe: uprobe_write_opcode -> __replace_page. The text page (a page-cache page,
     * faulted in first as get_user_pages does) is replaced by an anonymous copy holding
     * the breakpoint: a PTE repointed to a page with different content (case B). The old
     * page is never freed here: the page cache and the caller's reference keep it.
     * Phases: start, clear, set, unlock, end.
     */
    void uprobe(Space s, long va, PhaseListener l) {
        beginOp("uprobe", s);
        long page = Addr.pageDown(va);
        Vma v = s.findVma(page);
        if (v == null || v.anon)
            throw new EngineException("uprobe " + s.name + " " + Addr.hex(page) + ": uprobes patch file-backed text; " + (v == null ? "no VMA maps it" : "the VMA is anonymous"),
                    "map a file there");
        long pte = s.pageTable.get(page);
        if (!Pte.present(pte)) {
            handleMmFault(s, page, false); // get_user_pages(FOLL_FORCE)
            pte = s.pageTable.get(page);
        }
        int old = Pte.pfn(pte);
        w.mem.get(old); // the caller's reference
        int fresh = w.mem.alloc(FrameKind.USER); // the breakpoint copy; this reference becomes the mapping's
        w.mem.setValue(fresh, w.mem.value(old) ^ 0xCC);
        Range r = Range.page(page);
        step("start");
        w.fire(s, Sites.UPROBE_START, r);
        phase("start", l);
        step("clear");
        lockPtl(s);
        w.mem.addMap(fresh);
        s.pageTable.set(page, Pte.NONE);
        cpuFlush(s, r);
        w.fire(s, Sites.UPROBE_CLEAR, r);
        phase("clear", l);
        step("set");
        long npte = Pte.make(fresh, Pte.PRESENT | Pte.YOUNG);
        w.fire(s, Sites.UPROBE_SET, r, page, npte);
        w.checker.beforeRepoint(s, page, old, fresh);
        s.pageTable.set(page, npte);
        w.mem.removeMap(old);
        phase("set", l);
        unlockPtl(s);
        w.mem.put(old); // the old mapping's reference, after the unlock
        step("unlock");
        phase("unlock", l);
        step("end");
        w.fire(s, Sites.UPROBE_END, r);
        phase("end", l);
        w.mem.put(old); // uprobe_write_opcode: put_page after __replace_page
        endOp();
    }

    // ------------------------------------------------------------ remap_file_pages

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
        beginOp("remap", s);
        Vma v = s.findVma(r.start());
        if (v == null || r.end() > v.end || v.anon || !v.shared)
            throw new EngineException("remap " + s.name + " " + r + ": remap_file_pages needs one shared file mapping (-EINVAL)");
        long linear = v.fileIndex(r.start());
        long pgoff = linear == 0 ? r.pages() : 0;
        step("start");
        w.fire(s, Sites.REMAP_START, r);
        phase("start", l);
        for (long i = 0; i < r.pages(); i++) {
            long va = r.start() + i * Addr.PAGE_SIZE;
            Range page = Range.page(va);
            step("clear");
            s.pageTable.allocTables(va);
            lockPtl(s);
            long pte = s.pageTable.get(va);
            if (Pte.present(pte)) {
                s.pageTable.set(va, Pte.NONE);
                cpuFlush(s, page);
                w.fire(s, Sites.REMAP_CLEAR, page);
                w.mem.removeMap(Pte.pfn(pte));
                w.mem.put(Pte.pfn(pte)); // page_cache_release: the page cache keeps the page
            }
            s.pageTable.set(va, Pte.make((int) (pgoff + i), Pte.FILE));
            phase("clear", l);
            unlockPtl(s);
        }
        step("end");
        w.fire(s, Sites.REMAP_END, r);
        phase("end", l);
        endOp();
    }

    // ------------------------------------------------------------ transparent huge pages

    private Range hugeRange(Space s, long va, String op) {
        long base = va & -Addr.PMD_SIZE;
        Range r = new Range(base, base + Addr.PMD_SIZE);
        Vma v = s.findVma(base);
        if (v == null || !v.huge || v.start > base || v.end < r.end())
            throw new EngineException(op + " " + s.name + " " + Addr.hex(base) + ": needs a huge-eligible VMA covering the whole 2M range " + r,
                    "map " + s.name + " " + Addr.hex(base) + " +2M rw anon huge");
        return r;
    }

    /**
     * collapse: khugepaged on the 2M range at va. Anonymous VMA: khugepaged_scan_pmd
     * (young bits, then ->test_young for a PTE that is not young; a range nobody
     * referenced, with no writable PTE, or with a shared page is left alone), then
     * collapse_huge_page under the mmap lock held for write (faults wait): start; clear
     * the PMD that points at the PTE table and flush; end; copy each small page into the
     * huge page and free it (no hook); set the huge PMD, the PTE table kept as its deposit.
     * File VMA: the small pages are zapped (unmap_mapping_range, with its own hooks), then
     * retract_page_tables clears the PMD and frees the PTE table (4.8+; no start/end before
     * the fix, kernel-reference §7 #9). Phases: start, clear-pmd, end, copy, set (anon);
     * unmap, start, clear-pmd, end, free-table (file).
     */
    void collapse(Space s, long va, PhaseListener l) {
        beginOp("collapse", s);
        Range r = hugeRange(s, va, "collapse");
        long base = r.start();
        Vma v = s.findVma(base);
        if (s.pageTable.isHuge(base)) throw new EngineException("collapse " + s.name + " " + Addr.hex(base) + ": already a huge page");
        if (!v.anon) {
            retract(s, r, l);
            endOp();
            return;
        }
        boolean referenced = false, writable = false;
        int present = 0;
        String why = null;
        for (long a : s.pageTable.populated(r)) {
            long pte = s.pageTable.get(a);
            if (!Pte.present(pte)) { why = "a swap or migration entry at " + Addr.hex(a); break; }
            int pfn = Pte.pfn(pte);
            if (pfn != PhysMem.ZERO_PFN && w.mem.mapcount(pfn) != 1) { why = "pfn " + pfn + " is shared"; break; }
            present++;
            writable |= Pte.writable(pte);
            referenced |= Pte.young(pte) || w.fireYoung(s, Sites.COLLAPSE_SCAN_YOUNG, Range.page(a));
        }
        if (why == null && present == 0) why = "no page is mapped";
        if (why == null && !writable) why = "no writable PTE";
        if (why == null && !referenced) why = "nothing referenced the range (young bits and test_young)";
        if (why != null) {
            w.trace.event("khugepaged", "not collapsing " + r + ": " + why);
            endOp();
            return;
        }
        int huge = w.mem.allocHuge(); // khugepaged_alloc_page
        s.mmapWriteLocked = true;
        step("start");
        w.fire(s, Sites.COLLAPSE_START, r);
        phase("start", l);
        step("clear-pmd");
        lockPtl(s);
        int table = s.pageTable.detachPteTable(base);
        cpuFlush(s, r);
        w.fire(s, Sites.COLLAPSE_PMD_CLEAR, r);
        unlockPtl(s);
        phase("clear-pmd", l);
        step("end");
        w.fire(s, Sites.COLLAPSE_END, r);
        phase("end", l);
        step("copy");
        long[] ptes = w.mem.table(table);
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            long pte = ptes[k];
            if (pte == Pte.NONE) continue;
            int pfn = Pte.pfn(pte);
            w.mem.setValue(huge + k, w.mem.value(pfn));
            s.pageTable.setDetached(table, base + ((long) k << Addr.PAGE_SHIFT), Pte.NONE); // no flush, no notifier
            w.mem.removeMap(pfn);
            w.mem.put(pfn); // free_page_and_swap_cache
        }
        phase("copy", l);
        step("set");
        lockPtl(s);
        s.deposits.put(base, table); // pgtable_trans_huge_deposit: the same table
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) w.mem.addMap(huge + k);
        s.pageTable.set(base, Pte.make(huge, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG | Pte.HUGE));
        unlockPtl(s);
        s.mmapWriteLocked = false;
        phase("set", l);
        endOp();
    }

    /** The file side of collapse: unmap the small pages, then retract_page_tables. */
    private void retract(Space s, Range r, PhaseListener l) {
        if (!w.profile.hasSite(Sites.RETRACT_START))
            throw new EngineException(w.profile.name + "'s khugepaged collapses anonymous memory only (file and shmem collapse came in 4.8)",
                    "use an anon huge mapping, or linux-4.15 and later");
        long base = r.start();
        step("unmap");
        if (!s.pageTable.populated(r).isEmpty()) dontneed(s, r, PhaseListener.NONE); // unmap_mapping_range of each small page
        phase("unmap", l);
        if (s.pageTable.tableAt(base, 1) < 0) {
            w.trace.event("khugepaged", "no page table to retract at " + r);
            return;
        }
        s.mmapWriteLocked = true; // mmap write-trylock (4.15, 6.5); 6.8 holds i_mmap only
        step("start");
        w.fire(s, Sites.RETRACT_START, r);
        phase("start", l);
        step("clear-pmd");
        lockPtl(s);
        int table = s.pageTable.detachPteTable(base);
        cpuFlush(s, r);
        w.fire(s, Sites.RETRACT_PMD_CLEAR, r);
        unlockPtl(s);
        phase("clear-pmd", l);
        step("end");
        w.fire(s, Sites.RETRACT_END, r);
        phase("end", l);
        step("free-table");
        w.mem.free(table); // pte_free (4.15: right after the flush; 6.5 after end; 6.8 pte_free_defer)
        s.mmapWriteLocked = false;
        phase("free-table", l);
    }

    /**
     * split: __split_huge_pmd on the huge PMD at va. 3.16/3.19 open and close a window
     * before anything changes, then a separate splitting pass has its own; the map pass
     * that writes the PTEs fires nothing. From 4.5 one window surrounds it (only_end in
     * 4.15/6.5). Under the PMD lock: withdraw the deposited table, write 512 PTEs to the
     * same subpages, pmdp_invalidate (CPU flush; 6.6+ the secondary flush too), populate
     * the PMD. Nothing is freed. Phases: start, split, end.
     */
    void split(Space s, long va, PhaseListener l) {
        beginOp("split", s);
        Range r = hugeRange(s, va, "split");
        long base = r.start();
        long pmd = s.pageTable.get(base);
        if (!Pte.huge(pmd) || !Pte.present(pmd))
            throw new EngineException("split " + s.name + " " + Addr.hex(base) + ": no huge page is mapped there", "collapse it first");
        step("start");
        w.fire(s, Sites.SPLIT_START, r);
        w.fire(s, Sites.SPLIT_EARLY_END, r);
        w.fire(s, Sites.SPLITTING_START, r);
        w.fire(s, Sites.SPLITTING_END, r);
        phase("start", l);
        step("split");
        lockPtl(s);
        Integer dep = s.deposits.remove(base);
        int table = dep != null ? dep : w.mem.alloc(FrameKind.PAGE_TABLE);
        int pfn = Pte.pfn(pmd);
        long flags = Pte.PRESENT | (pmd & (Pte.WRITE | Pte.DIRTY | Pte.YOUNG));
        for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) {
            s.pageTable.setDetached(table, base + ((long) k << Addr.PAGE_SHIFT), Pte.make(pfn + k, flags));
        }
        s.pageTable.set(base, Pte.NONE); // pmdp_invalidate
        cpuFlush(s, r);
        w.fire(s, Sites.SPLIT_INVALIDATE, r);
        s.pageTable.populatePmd(base, table);
        phase("split", l);
        unlockPtl(s);
        step("end");
        w.fire(s, Sites.SPLIT_END, r);
        phase("end", l);
        endOp();
    }
}
