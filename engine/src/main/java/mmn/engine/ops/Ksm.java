package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;

/**
 * ksm as a step program: mm/ksm.c try_to_merge_two_pages. a's page becomes the KSM page
 * (write_protect_page), then b's page is write-protected, compared, and its PTE pointed
 * at the KSM page (replace_page); the scanner's reference on b's old page is dropped
 * last, which frees it. The language takes the two pages' contents as identical, so the
 * model makes them so before the scan; a write that lands between the write-protect and
 * the compare makes pages_identical fail and the merge is abandoned, as in the kernel.
 *
 * <pre>
 *   protect-start   follow_page(FOLL_GET) takes the scanner's references (first page only);
 *                   write_protect_page: invalidate_range_start (Sites.KSM_WP_START)
 *   protect-clear   under the PTL: if the PTE still maps the page writable or dirty,
 *                   ptep_clear_flush_notify (Sites.KSM_WP_CLEAR)
 *   protect-set     set_pte_at_notify of the clean read-only PTE (Sites.KSM_WP_SET); the PTL held
 *   protect-end     the PTL released; invalidate_range_end (Sites.KSM_WP_END)
 *                   (the four again for b's page)
 *   replace-start   pages_identical held: replace_page's invalidate_range_start (Sites.KSM_REPLACE_START)
 *   replace-clear   under the PTL: if the PTE is still the write-protected one (pte_same),
 *                   the KSM page referenced and mapped, ptep_clear_flush_notify (Sites.KSM_REPLACE_CLEAR)
 *   replace-set     set_pte_at_notify of the KSM page (Sites.KSM_REPLACE_SET), the old page
 *                   unmapped and put; the PTL held
 *   replace-end     the PTL released; invalidate_range_end (Sites.KSM_REPLACE_END)
 *   free            the scanner's references put (b's old page freed)
 * </pre>
 */
final class Ksm extends OpFrame {
    private static final int BEGIN = 0, WP_CLEAR = 1, WP_SET = 2, WP_END = 3, WP_DONE = 4, REPLACE_CLEAR = 5, REPLACE_SET = 6,
            REPLACE_END = 7, FREE = 8, RETURN = 9;

    private final String a, b;
    private final long pa, pb;
    /** a's page (the KSM page) and b's, as the scan found them. */
    private int kpage, page;
    /** Which page write_protect_page runs on: 0 a's, 1 b's. */
    private int which;
    /** write_protect_page's locals: the PTE read under the PTL, whether it still maps the page, whether it needs changing. */
    private long wpPte;
    private boolean wpSame, wpChange;
    /** write_protect_page's results for a and b (NONE: the page moved meanwhile); b's is replace_page's orig_pte. */
    private long protectedPte, orig;
    /** replace_page: whether the PTE was still orig under the PTL. */
    private boolean replaceSame;

    Ksm(String a, long va, String b, long vb) {
        this.a = a;
        this.b = b;
        this.pa = Addr.pageDown(va);
        this.pb = Addr.pageDown(vb);
    }

    @Override
    public String name() {
        return "ksm";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        switch (pc) {
            case BEGIN: {
                Space sa = k.spaces.get(a), sb = k.spaces.get(b);
                run.beginOp("ksm", sa);
                if (sb.exited) throw new EngineException(sb.name + " has exited");
                kpage = candidate(sa, pa);
                page = candidate(sb, pb);
                if (kpage == page) throw new EngineException("ksm: " + sa.name + " " + Addr.hex(pa) + " and " + sb.name + " " + Addr.hex(pb)
                        + " already map the same frame (pfn " + page + ")");
                k.mem.get(kpage); // follow_page(FOLL_GET): the scanner's references
                k.mem.get(page);
                k.mem.setValue(page, k.mem.value(kpage)); // the contents are taken as identical
                which = 0;
                return protectStart(k);
            }
            case WP_CLEAR: {
                Space s = wpSpace(k);
                long va = wpVa();
                run.step("protect-clear");
                run.lockPtl(s);
                wpPte = s.pageTable.get(va);
                int pfn = which == 0 ? kpage : page;
                wpSame = Pte.present(wpPte) && Pte.pfn(wpPte) == pfn;
                wpChange = wpSame && (Pte.writable(wpPte) || Pte.dirty(wpPte));
                if (wpChange) run.clearFlushNotify(s, va, Range.page(va), Sites.KSM_WP_CLEAR);
                pc = WP_SET;
                return run.reach("protect-clear");
            }
            case WP_SET: {
                Space s = wpSpace(k);
                long va = wpVa();
                run.step("protect-set");
                long result = Pte.NONE;
                if (wpChange) {
                    long entry = Pte.make(which == 0 ? kpage : page, Pte.PRESENT | (wpPte & Pte.YOUNG)); // clean and write-protected
                    k.fire(s, Sites.KSM_WP_SET, Range.page(va), va, entry);
                    s.pageTable.set(va, entry);
                    result = entry;
                } else if (wpSame) {
                    result = wpPte;
                }
                if (which == 0) protectedPte = result;
                else orig = result;
                pc = WP_END;
                return run.reach("protect-set");
            }
            case WP_END: {
                Space s = wpSpace(k);
                run.unlockPtl(s);
                run.step("protect-end");
                k.fire(s, Sites.KSM_WP_END, Range.page(wpVa()));
                pc = WP_DONE;
                return run.reach("protect-end");
            }
            case WP_DONE: {
                if (which == 0) {
                    which = 1;
                    return protectStart(k);
                }
                boolean identical = protectedPte != Pte.NONE && orig != Pte.NONE && k.mem.value(page) == k.mem.value(kpage);
                if (!identical) {
                    k.trace.event("ksm", "pages_identical failed or a PTE changed: no merge");
                    return free(k);
                }
                run.step("replace-start");
                k.fire(k.spaces.get(b), Sites.KSM_REPLACE_START, Range.page(pb));
                pc = REPLACE_CLEAR;
                return run.reach("replace-start");
            }
            case REPLACE_CLEAR: {
                Space s = k.spaces.get(b);
                run.step("replace-clear");
                run.lockPtl(s);
                replaceSame = s.pageTable.get(pb) == orig; // pte_same with the write-protected value
                if (replaceSame) {
                    k.mem.get(kpage);
                    k.mem.addMap(kpage);
                    run.clearFlushNotify(s, pb, Range.page(pb), Sites.KSM_REPLACE_CLEAR);
                }
                pc = REPLACE_SET;
                return run.reach("replace-clear");
            }
            case REPLACE_SET: {
                Space s = k.spaces.get(b);
                run.step("replace-set");
                if (replaceSame) {
                    long entry = Pte.make(kpage, Pte.PRESENT);
                    k.fire(s, Sites.KSM_REPLACE_SET, Range.page(pb), pb, entry);
                    k.checker.beforeRepointSameContent(s, pb, page, kpage);
                    s.pageTable.set(pb, entry);
                    k.mem.removeMap(page);
                    k.mem.put(page);
                }
                pc = REPLACE_END;
                return run.reach("replace-set");
            }
            case REPLACE_END: {
                Space s = k.spaces.get(b);
                run.unlockPtl(s);
                run.step("replace-end");
                k.fire(s, Sites.KSM_REPLACE_END, Range.page(pb));
                pc = FREE;
                return run.reach("replace-end");
            }
            case FREE:
                return free(k);
            case RETURN:
                return returnOp(k);
            default:
                throw returned();
        }
    }

    /** write_protect_page begins on the page {@link #which} names. */
    private String protectStart(Kernel k) {
        OpRunner run = k.vmm.run;
        run.step("protect-start");
        k.fire(wpSpace(k), Sites.KSM_WP_START, Range.page(wpVa()));
        pc = WP_CLEAR;
        return run.reach("protect-start");
    }

    private String free(Kernel k) {
        OpRunner run = k.vmm.run;
        run.step("free");
        k.mem.put(kpage);
        k.mem.put(page); // the scanner's reference: after replace_page it was the last
        pc = RETURN;
        return run.reach("free");
    }

    private Space wpSpace(Kernel k) {
        return k.spaces.get(which == 0 ? a : b);
    }

    private long wpVa() {
        return which == 0 ? pa : pb;
    }

    private static int candidate(Space s, long va) {
        Vma v = s.findVma(va);
        long pte = s.pageTable.get(va);
        if (v == null || !v.anon || !Pte.present(pte) || Pte.huge(pte) || Pte.pfn(pte) == PhysMem.ZERO_PFN)
            throw new EngineException("ksm: " + s.name + " " + Addr.hex(va) + " has no anonymous 4 KiB page mapped", "touch it with a write first");
        return Pte.pfn(pte);
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Ksm c = new Ksm(a, pa, b, pb);
        c.pc = pc;
        c.kpage = kpage;
        c.page = page;
        c.which = which;
        c.wpPte = wpPte;
        c.wpSame = wpSame;
        c.wpChange = wpChange;
        c.protectedPte = protectedPte;
        c.orig = orig;
        c.replaceSame = replaceSame;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(a).put(b).put(pa).put(pb).put(kpage).put(page).put(which).put(wpPte).put(wpSame).put(wpChange)
                .put(protectedPte).put(orig).put(replaceSame);
    }
}
