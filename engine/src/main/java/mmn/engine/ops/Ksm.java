package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * mm/ksm.c: try_to_merge_two_pages, write_protect_page and replace_page.
 */
public final class Ksm {
    private final Kernel w;
    private final OpRunner run;

    public Ksm(Kernel w, OpRunner run) {
        this.w = w;
        this.run = run;
    }

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
    public void ksm(Space a, long va, Space b, long vb, PhaseListener l) {
        run.beginOp("ksm", a);
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
        run.step("free");
        w.mem.put(kpage);
        w.mem.put(page); // the scanner's reference: after replace_page it was the last
        run.phase("free", l);
        run.endOp();
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
        run.step("protect-start");
        w.fire(s, Sites.KSM_WP_START, page);
        run.phase("protect-start", l);
        run.step("protect-clear");
        run.lockPtl(s);
        long pte = s.pageTable.get(va);
        long result = Pte.NONE;
        boolean same = Pte.present(pte) && Pte.pfn(pte) == pfn;
        boolean change = same && (Pte.writable(pte) || Pte.dirty(pte));
        if (change) {
            run.clearFlushNotify(s, va, page, Sites.KSM_WP_CLEAR);
        }
        run.phase("protect-clear", l);
        run.step("protect-set");
        if (change) {
            long entry = Pte.make(pfn, Pte.PRESENT | (pte & Pte.YOUNG)); // clean and write-protected
            w.fire(s, Sites.KSM_WP_SET, page, va, entry);
            s.pageTable.set(va, entry);
            result = entry;
        } else if (same) {
            result = pte;
        }
        run.phase("protect-set", l);
        run.unlockPtl(s);
        run.step("protect-end");
        w.fire(s, Sites.KSM_WP_END, page);
        run.phase("protect-end", l);
        return result;
    }

    /** replace_page: point the PTE at the KSM page; the old page keeps only the scanner's reference. */
    private void replacePage(Space s, long va, int old, int kpage, long orig, PhaseListener l) {
        Range page = Range.page(va);
        run.step("replace-start");
        w.fire(s, Sites.KSM_REPLACE_START, page);
        run.phase("replace-start", l);
        run.step("replace-clear");
        run.lockPtl(s);
        boolean same = s.pageTable.get(va) == orig; // pte_same with the write-protected value
        if (same) {
            w.mem.get(kpage);
            w.mem.addMap(kpage);
            run.clearFlushNotify(s, va, page, Sites.KSM_REPLACE_CLEAR);
        }
        run.phase("replace-clear", l);
        run.step("replace-set");
        if (same) {
            long entry = Pte.make(kpage, Pte.PRESENT);
            w.fire(s, Sites.KSM_REPLACE_SET, page, va, entry);
            w.checker.beforeRepointSameContent(s, va, old, kpage);
            s.pageTable.set(va, entry);
            w.mem.removeMap(old);
            w.mem.put(old);
        }
        run.phase("replace-set", l);
        run.unlockPtl(s);
        run.step("replace-end");
        w.fire(s, Sites.KSM_REPLACE_END, page);
        run.phase("replace-end", l);
    }
}
