package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * fork as a step program: kernel/fork.c dup_mmap copies every VMA into the child (a new
 * mm, made at the first step if the script has not declared it); copy_page_range
 * write-protects the parent's and the child's PTEs of private mappings inside a notifier
 * window on the parent, and the parent's CPU TLB is flushed once at the end.
 *
 * <pre>
 *   per VMA of the parent, in order (the VMA copied into the child first):
 *     start   private mappings only: invalidate_range_start on the parent (Sites.FORK_START)
 *     copy    copy_page_range under the parent's PTL: swap entries copied, present pages
 *             referenced and mapped twice, a private mapping's writable PTEs
 *             write-protected (ptep_set_wrprotect: no flush), a THP's deposited table
 *     end     private mappings only: invalidate_range_end (Sites.FORK_END)
 *     (a hugetlb VMA: copy_hugetlb_page_range instead, its own steps: {@link Hugetlb.CopyPageRange})
 *   flush     flush_tlb_mm of the parent (Sites.FORK_FLUSH)
 * </pre>
 */
final class Fork extends OpFrame {
    private static final int BEGIN = 0, VMA = 1, COPY = 2, END = 3, RETURN = 4, HUGETLB = 5;

    private final String parent, child;
    /** The parent's VMAs as dup_mmap found them (copies: the walk is over that list), and the one being copied. */
    private Vma[] vmas;
    private int next;
    /** copy_hugetlb_page_range's frame while a hugetlb VMA is copied, else null. */
    private OpFrame callee;

    Fork(String parent, String child) {
        this.parent = parent;
        this.child = child;
    }

    @Override
    public String name() {
        return "fork";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space p = k.spaces.get(parent);
        while (true) {
            switch (pc) {
                case BEGIN: {
                    Space c = k.spaces.get(child);
                    if (c == null) c = k.vmm.mmAllocNamed(child);
                    run.beginOp("fork", p);
                    if (!c.vmas.isEmpty()) throw new EngineException("fork " + p.name + " " + c.name + ": " + c.name + " already has mappings",
                            "fork into a fresh space");
                    vmas = p.vmas.values().stream().map(Vma::copy).toArray(Vma[]::new);
                    next = 0;
                    pc = VMA;
                    continue;
                }
                case VMA: {
                    if (next == vmas.length) {
                        run.step("flush");
                        run.cpuFlush(p, Range.ALL);
                        k.fire(p, Sites.FORK_FLUSH, Range.ALL);
                        pc = RETURN;
                        return run.reach("flush");
                    }
                    Vma v = vmas[next];
                    Space c = k.spaces.get(child);
                    Vma cv = v.copy();
                    c.vmas.put(v.start, cv);
                    if (v.hugetlb) {
                        callee = new Hugetlb.CopyPageRange(parent, child, v.start);
                        pc = HUGETLB;
                        continue;
                    }
                    pc = COPY;
                    if (v.shared) continue;
                    run.step("start");
                    k.fire(p, Sites.FORK_START, v.range());
                    return run.reach("start");
                }
                case COPY: {
                    Vma v = vmas[next];
                    copyPageRange(k, p, k.spaces.get(child), v);
                    if (v.shared) {
                        next++;
                        pc = VMA;
                    } else {
                        pc = END;
                    }
                    return run.reach("copy");
                }
                case END: {
                    Range r = vmas[next++].range();
                    return fireAt(k, "end", p, Sites.FORK_END, r, VMA);
                }
                case HUGETLB: {
                    String ph = callee.step(k);
                    if (ph != null) return ph;
                    callee = null;
                    next++;
                    pc = VMA;
                    continue;
                }
                case RETURN:
                    return returnOp(k);
                default:
                    throw returned();
            }
        }
    }

    /** copy_page_range of one VMA under the parent's PTL. */
    private static void copyPageRange(Kernel k, Space p, Space c, Vma v) {
        OpRunner run = k.vmm.run;
        boolean cow = !v.shared;
        run.step("copy");
        run.lockPtl(p);
        for (long va : p.pageTable.populated(v.range())) {
            long pte = p.pageTable.get(va);
            if (Pte.isSwap(pte)) {
                c.pageTable.set(va, pte);
                continue;
            }
            if (!Pte.mapsPage(pte)) continue;
            if (cow && Pte.writable(pte)) {
                pte = Pte.wrprotect(pte);
                p.pageTable.set(va, pte); // ptep_set_wrprotect: no flush here
            }
            int pfn = Pte.pfn(pte);
            int n = Pte.huge(pte) ? Addr.PTRS_PER_TABLE : 1;
            for (int i = 0; i < n; i++) {
                k.mem.get(pfn + i);
                k.mem.addMap(pfn + i);
            }
            if (Pte.huge(pte)) c.deposits.put(va, k.mem.alloc(FrameKind.PAGE_TABLE)); // copy_huge_pmd deposits a table for the child
            c.pageTable.set(va, cow ? Pte.mkold(pte) : pte);
        }
        run.unlockPtl(p);
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Fork c = new Fork(parent, child);
        c.pc = pc;
        c.vmas = vmas; // never written after BEGIN: shared
        c.next = next;
        c.callee = callee == null ? null : callee.copyFor(k);
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(parent).put(child).put(next);
        if (vmas == null) h.put(-1);
        else {
            h.put(vmas.length);
            for (Vma v : vmas) v.hashInto(h);
        }
        if (callee != null) callee.hashInto(h.put(0x4e6e)); // nothing otherwise: a key without hugetlb is as before
    }
}
