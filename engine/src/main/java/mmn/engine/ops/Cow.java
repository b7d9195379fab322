package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * The `cow` operation as a step program: a CPU write fault on a write-protected page,
 * mm/memory.c handle_pte_fault -> do_wp_page -> wp_page_copy (3.16: do_wp_page's gotten:
 * path), then the write itself.
 *
 * <pre>
 *   copy    the fault takes a reference on the old page and copies it into a new one
 *           (wp_page_reuse instead, phase reuse, when the page is not shared)
 *   start   mmu_notifier_invalidate_range_start of the page (Sites.WP_COPY_START)
 *   clear   under the PTL, if the PTE is still the one the fault copied (pte_same):
 *           ptep_clear_flush_notify (Sites.WP_COPY_CLEAR); else the copy is dropped
 *   set     set_pte_at_notify of the new page (Sites.WP_COPY_SET), the old unmapped
 *   unlock  the PTL released
 *   end     mmu_notifier_invalidate_range_end (Sites.WP_COPY_END)
 *   put     the fault's reference on the old page dropped: it may be freed here
 * </pre>
 */
final class Cow extends OpFrame {
    private static final int BEGIN = 0, COPY = 1, START = 2, CLEAR = 3, SET = 4, UNLOCK = 5, END = 6, PUT = 7, ACCESS = 8, HUGETLB = 9;

    private final String space;
    private final long va;
    /** The page, the frame the fault copied from and the one it copied into, and whether the PTE was still the same under the PTL. */
    private long page;
    private int old, fresh;
    private boolean same;
    /** The phase cow was in when wp_page_copy began ("copy"): the write runs in it again. */
    private String outer;
    /** wp_page_copy for a fault (a device's or the CPU's write to a write-protected page): no operation, no write after it. */
    private boolean faultPath;
    /** hugetlb_cow's frame on a hugetlb page (Hugetlb.WpPage), else null. */
    private OpFrame callee;

    /**
     * wp_page_copy as the fault path runs it (do_wp_page on a page it cannot reuse): the
     * same steps as the `cow` operation's, run through with no phase announced.
     */
    static void copyOnFault(Kernel k, Space s, long page, int old) {
        Cow c = new Cow(s.name, page);
        c.page = page;
        c.old = old;
        c.faultPath = true;
        c.pc = COPY;
        c.listener = mmn.engine.PhaseListener.NONE;
        while (c.step(k) != null) {
            // unannounced: runs to the end in one call
        }
    }

    Cow(String space, long va) {
        this.space = space;
        this.va = va;
    }

    @Override
    public String name() {
        return "cow";
    }

    /**
     * Whether wp_page_copy's phases are points where actions can run: in the explorer
     * (no listener: every phase is a stop) and in a scripted run with actions injected;
     * a plain scripted `cow` runs the copy through without announcing them (as the fault
     * path's own wp_page_copy does), so its trace and labels stay as they were.
     */
    private boolean phased() {
        return listener != mmn.engine.PhaseListener.NONE;
    }

    /** Returned by {@link #next} for a phase point that is not announced: the program runs on. */
    private static final String RUN_ON = new String("run on");

    @Override
    public String step(Kernel k) {
        String p;
        do {
            p = next(k);
        } while (p == RUN_ON);
        return p;
    }

    private String at(OpRunner run, String phase) {
        return phased() ? run.reach(phase) : RUN_ON;
    }

    private String next(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        Range pageRange = Range.page(page);
        switch (pc) {
            case BEGIN: {
                run.beginOp("cow", s);
                page = Addr.pageDown(va);
                Vma vma = s.findVma(page);
                long pte = s.pageTable.get(page);
                if (vma == null || !Pte.present(pte))
                    throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": no page is mapped there", "touch it (or fork) first");
                if (Pte.writable(pte) && k.interleaved) {
                    // handle_pte_fault: a write to a writable PTE is no wp fault (do_wp_page is not
                    // called): another actor broke COW first (a device write's page request), so
                    // the CPU's write only marks the PTE dirty and young (ptep_set_access_flags)
                    k.trace.event("fault", s.name + " " + Addr.hex(page) + ": the PTE is already writable (COW was broken by another actor):"
                            + " handle_pte_fault only marks it dirty");
                    vmm.cpuAccess(s, va, true);
                    return returnOp(k);
                }
                if (Pte.writable(pte))
                    throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": the PTE is writable, there is nothing to copy",
                            "fork first, or map the page read-only with a read fault");
                if (!vma.allows(true))
                    throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": the VMA " + vma.range() + " is not writable");
                if (!vma.hugetlb && Pte.huge(pte))
                    // do_huge_pmd_wp_page splits the PMD (__split_huge_pmd, its own 2M start/end) and falls
                    // back to a 4K copy: not built; copying as if it were a 4K PTE would drop the other 511
                    throw new EngineException("cow " + s.name + " " + Addr.hex(page) + ": a write fault on a transparent huge page"
                            + " (do_huge_pmd_wp_page: split the PMD, then copy 4K) is not modelled", "split it first");
                run.step("copy");
                if (vma.hugetlb) { // hugetlb_fault -> hugetlb_cow, its phases announced even in a plain run (as they always were)
                    callee = new Hugetlb.WpPage(space, page & -Addr.PMD_SIZE, true, k.phase);
                    pc = HUGETLB;
                    return RUN_ON;
                }
                old = Pte.pfn(pte);
                boolean reuse = vma.shared || (vma.anon && old != PhysMem.ZERO_PFN && k.mem.mapcount(old) == 1 && k.mem.refcount(old) == 1);
                if (reuse) {
                    run.step("reuse");
                    vmm.doWpPage(s, vma, page, pte);
                    pc = ACCESS;
                    return run.reach("reuse");
                }
                pc = COPY;
                return RUN_ON;
            }
            case COPY: // wp_page_copy
                outer = k.phase;
                k.mem.get(old); // the fault's own reference (page_cache_get(old_page))
                fresh = k.mem.alloc(FrameKind.USER);
                k.mem.setValue(fresh, old == PhysMem.ZERO_PFN ? 0 : k.mem.value(old));
                pc = START;
                return at(run, "copy");
            case START:
                if (phased()) run.step("start");
                k.fire(s, Sites.WP_COPY_START, pageRange);
                pc = CLEAR;
                return at(run, "start");
            case CLEAR: {
                if (phased()) run.step("clear");
                run.lockPtl(s);
                long now = s.pageTable.get(page);
                // !pte_same(orig_pte): under the PTL the PTE is no longer the write-protected one the
                // fault copied (a device's page request broke COW meanwhile, or the page moved), so
                // the fault backs off: unlock, invalidate_range_end, drop the copy and the old page's
                // reference, return (the CPU faults again if it still has to). Compared by frame and
                // rights, not accessed or dirty bits: a fault retried for those alone copies again.
                same = Pte.present(now) && !Pte.writable(now) && Pte.pfn(now) == old;
                if (same) {
                    run.clearFlushNotify(s, page, pageRange, Sites.WP_COPY_CLEAR);
                    pc = SET;
                } else {
                    k.trace.event("fault", s.name + " " + Addr.hex(page) + ": wp_page_copy finds the PTE changed under the PTL ("
                            + Pte.describe(now) + "): the copy is dropped");
                    pc = UNLOCK;
                }
                return at(run, "clear");
            }
            case SET: {
                if (phased()) run.step("set");
                long npte = Pte.make(fresh, Pte.PRESENT | Pte.WRITE | Pte.DIRTY | Pte.YOUNG);
                k.fire(s, Sites.WP_COPY_SET, pageRange, page, npte);
                k.checker.beforeRepoint(s, page, old, fresh);
                k.mem.addMap(fresh);
                s.pageTable.set(page, npte);
                k.mem.removeMap(old);
                k.mem.put(old); // the mapping's reference; the fault's keeps the page alive
                pc = UNLOCK;
                return at(run, "set");
            }
            case UNLOCK:
                run.unlockPtl(s);
                pc = END;
                return at(run, "unlock");
            case END:
                if (phased()) run.step("end");
                k.fire(s, Sites.WP_COPY_END, pageRange);
                pc = PUT;
                return at(run, "end");
            case PUT:
                if (phased()) run.step("put");
                if (!same) k.mem.put(fresh);
                k.mem.put(old); // the last put: the old page may be freed here, after end
                pc = ACCESS;
                return at(run, "put");
            case ACCESS:
                if (faultPath) { // back into the fault handler
                    pc = RETURNED;
                    return null;
                }
                if (outer != null && phased()) k.phase = outer; // wp_page_copy returns into the fault: the write runs in cow's phase
                vmm.cpuAccess(s, va, true);
                return returnOp(k);
            case HUGETLB: { // hugetlb_cow stepped to its end: the write, then return
                String p = callee.step(k);
                if (p != null) return p;
                callee = null;
                vmm.cpuAccess(s, va, true);
                return returnOp(k);
            }
            default:
                throw returned();
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Cow c = new Cow(space, va);
        c.pc = pc;
        c.page = page;
        c.old = old;
        c.fresh = fresh;
        c.same = same;
        c.outer = outer;
        c.faultPath = faultPath;
        c.callee = callee == null ? null : callee.copyFor(k);
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(va).put(page).put(old).put(fresh).put(same);
        if (callee != null) callee.hashInto(h.put(0x4e6e)); // nothing otherwise: a key without hugetlb is as before
    }
}
