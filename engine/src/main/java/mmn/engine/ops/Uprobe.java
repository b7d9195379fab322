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
 * uprobe as a step program: kernel/events/uprobes.c uprobe_write_opcode -> __replace_page.
 * The text page (a page-cache page, faulted in first as get_user_pages does) is replaced
 * by an anonymous copy holding the breakpoint: a PTE repointed to a page with different
 * content (case B). The old page is never freed here: the page cache and the caller's
 * reference keep it.
 *
 * <pre>
 *   start   get_user_pages(FOLL_FORCE) faults the text page in and takes the caller's
 *           reference; the breakpoint copy allocated; invalidate_range_start (Sites.UPROBE_START)
 *   clear   under the PTL: ptep_clear_flush_notify of the old PTE (Sites.UPROBE_CLEAR)
 *   set     set_pte_at_notify of the copy (Sites.UPROBE_SET); the old page's mapcount
 *           dropped; the PTL still held
 *   unlock  pte_unmap_unlock; put_page of the old mapping's reference
 *   end     invalidate_range_end (Sites.UPROBE_END)
 *   return  uprobe_write_opcode's put_page of the caller's reference
 * </pre>
 */
final class Uprobe extends OpFrame {
    private static final int BEGIN = 0, CLEAR = 1, SET = 2, UNLOCK = 3, END = 4, RETURN = 5;

    private final String space;
    private final long page;
    /** The text page and its breakpoint copy (frame numbers, 0 until the first step). */
    private int old, fresh;

    Uprobe(String space, long va) {
        this.space = space;
        this.page = Addr.pageDown(va);
    }

    @Override
    public String name() {
        return "uprobe";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        Range r = Range.page(page);
        switch (pc) {
            case BEGIN: {
                run.beginOp("uprobe", s);
                Vma v = s.findVma(page);
                if (v == null || v.anon)
                    throw new EngineException("uprobe " + s.name + " " + Addr.hex(page) + ": uprobes patch file-backed text; "
                            + (v == null ? "no VMA maps it" : "the VMA is anonymous"), "map a file there");
                long pte = s.pageTable.get(page);
                if (!Pte.present(pte)) {
                    k.vmm.handleMmFault(s, page, false); // get_user_pages(FOLL_FORCE)
                    pte = s.pageTable.get(page);
                }
                old = Pte.pfn(pte);
                k.mem.get(old); // the caller's reference
                fresh = k.mem.alloc(FrameKind.USER); // the breakpoint copy; this reference becomes the mapping's
                k.mem.setValue(fresh, k.mem.value(old) ^ 0xCC);
                run.step("start");
                k.fire(s, Sites.UPROBE_START, r);
                pc = CLEAR;
                return run.reach("start");
            }
            case CLEAR:
                run.step("clear");
                run.lockPtl(s);
                k.mem.addMap(fresh);
                run.clearFlushNotify(s, page, r, Sites.UPROBE_CLEAR);
                pc = SET;
                return run.reach("clear");
            case SET: {
                run.step("set");
                long npte = Pte.make(fresh, Pte.PRESENT | Pte.YOUNG);
                k.fire(s, Sites.UPROBE_SET, r, page, npte);
                k.checker.beforeRepoint(s, page, old, fresh);
                s.pageTable.set(page, npte);
                k.mem.removeMap(old);
                pc = UNLOCK;
                return run.reach("set");
            }
            case UNLOCK:
                run.unlockPtl(s);
                k.mem.put(old); // the old mapping's reference, after the unlock
                run.step("unlock");
                pc = END;
                return run.reach("unlock");
            case END:
                run.step("end");
                k.fire(s, Sites.UPROBE_END, r);
                pc = RETURN;
                return run.reach("end");
            case RETURN:
                k.mem.put(old); // uprobe_write_opcode: put_page after __replace_page
                return returnOp(k);
            default:
                throw returned();
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Uprobe c = new Uprobe(space, page);
        c.pc = pc;
        c.old = old;
        c.fresh = fresh;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(page).put(old).put(fresh);
    }
}
