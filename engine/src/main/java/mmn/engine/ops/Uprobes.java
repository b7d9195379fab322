package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * kernel/events/uprobes.c: uprobe_write_opcode and __replace_page.
 */
public final class Uprobes {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    public Uprobes(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /**
     * uprobe: uprobe_write_opcode -> __replace_page. The text page (a page-cache page,
     * faulted in first as get_user_pages does) is replaced by an anonymous copy holding
     * the breakpoint: a PTE repointed to a page with different content (case B). The old
     * page is never freed here: the page cache and the caller's reference keep it.
     * Phases: start, clear, set, unlock, end.
     */
    public void uprobe(Space s, long va, PhaseListener l) {
        run.beginOp("uprobe", s);
        long page = Addr.pageDown(va);
        Vma v = s.findVma(page);
        if (v == null || v.anon)
            throw new EngineException("uprobe " + s.name + " " + Addr.hex(page) + ": uprobes patch file-backed text; " + (v == null ? "no VMA maps it" : "the VMA is anonymous"),
                    "map a file there");
        long pte = s.pageTable.get(page);
        if (!Pte.present(pte)) {
            vmm.handleMmFault(s, page, false); // get_user_pages(FOLL_FORCE)
            pte = s.pageTable.get(page);
        }
        int old = Pte.pfn(pte);
        w.mem.get(old); // the caller's reference
        int fresh = w.mem.alloc(FrameKind.USER); // the breakpoint copy; this reference becomes the mapping's
        w.mem.setValue(fresh, w.mem.value(old) ^ 0xCC);
        Range r = Range.page(page);
        run.step("start");
        w.fire(s, Sites.UPROBE_START, r);
        run.phase("start", l);
        run.step("clear");
        run.lockPtl(s);
        w.mem.addMap(fresh);
        run.clearFlushNotify(s, page, r, Sites.UPROBE_CLEAR);
        run.phase("clear", l);
        run.step("set");
        long npte = Pte.make(fresh, Pte.PRESENT | Pte.YOUNG);
        w.fire(s, Sites.UPROBE_SET, r, page, npte);
        w.checker.beforeRepoint(s, page, old, fresh);
        s.pageTable.set(page, npte);
        w.mem.removeMap(old);
        run.phase("set", l);
        run.unlockPtl(s);
        w.mem.put(old); // the old mapping's reference, after the unlock
        run.step("unlock");
        run.phase("unlock", l);
        run.step("end");
        w.fire(s, Sites.UPROBE_END, r);
        run.phase("end", l);
        w.mem.put(old); // uprobe_write_opcode: put_page after __replace_page
        run.endOp();
    }
}
