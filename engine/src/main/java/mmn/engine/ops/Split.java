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
 * split as a step program: mm/huge_memory.c __split_huge_pmd on the huge PMD at va.
 * 3.16/3.19 open and close a window before anything changes, then a separate splitting
 * pass has its own; the map pass that writes the PTEs fires nothing. From 4.5 one window
 * surrounds it (only_end in 4.15/6.5). Nothing is freed.
 *
 * <pre>
 *   start   Sites.SPLIT_START, SPLIT_EARLY_END, SPLITTING_START, SPLITTING_END (each profile fires its own)
 *   split   under the PMD lock: the deposited table withdrawn, 512 PTEs written to the same
 *           subpages, pmdp_invalidate (CPU flush; 6.6+ the secondary flush too;
 *           Sites.SPLIT_INVALIDATE), the PMD populated; the lock held
 *   end     the lock released; Sites.SPLIT_END
 * </pre>
 */
final class Split extends OpFrame {
    private static final int BEGIN = 0, SPLIT = 1, END = 2, RETURN = 3;

    private final String space;
    private final long base;
    /** The huge PMD as the first step read it (before start: the split pass writes the PTEs from it). */
    private long pmd;

    Split(String space, long va) {
        this.space = space;
        this.base = va & -Addr.PMD_SIZE;
    }

    @Override
    public String name() {
        return "split";
    }

    /** The 2M range at base, refused unless one huge-eligible VMA covers it (split and collapse). */
    static Range hugeRange(Space s, long base, String op) {
        Range r = new Range(base, base + Addr.PMD_SIZE);
        Vma v = s.findVma(base);
        if (v == null || !v.huge || v.start > base || v.end < r.end())
            throw new EngineException(op + " " + s.name + " " + Addr.hex(base) + ": needs a huge-eligible VMA covering the whole 2M range " + r,
                    "map " + s.name + " " + Addr.hex(base) + " +2M rw anon huge");
        return r;
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        Range r = new Range(base, base + Addr.PMD_SIZE);
        switch (pc) {
            case BEGIN: {
                run.beginOp("split", s);
                hugeRange(s, base, "split");
                pmd = s.pageTable.get(base);
                if (!Pte.huge(pmd) || !Pte.present(pmd))
                    throw new EngineException("split " + s.name + " " + Addr.hex(base) + ": no huge page is mapped there", "collapse it first");
                run.step("start");
                k.fire(s, Sites.SPLIT_START, r);
                k.fire(s, Sites.SPLIT_EARLY_END, r);
                k.fire(s, Sites.SPLITTING_START, r);
                k.fire(s, Sites.SPLITTING_END, r);
                pc = SPLIT;
                return run.reach("start");
            }
            case SPLIT: {
                run.step("split");
                run.lockPtl(s);
                Integer dep = s.deposits.remove(base);
                int table = dep != null ? dep : k.mem.alloc(FrameKind.PAGE_TABLE);
                int pfn = Pte.pfn(pmd);
                long flags = Pte.PRESENT | (pmd & (Pte.WRITE | Pte.DIRTY | Pte.YOUNG));
                for (int i = 0; i < Addr.PTRS_PER_TABLE; i++) {
                    s.pageTable.setDetached(table, base + ((long) i << Addr.PAGE_SHIFT), Pte.make(pfn + i, flags));
                }
                run.clearFlushNotify(s, base, r, Sites.SPLIT_INVALIDATE); // pmdp_invalidate
                s.pageTable.populatePmd(base, table);
                pc = END;
                return run.reach("split");
            }
            case END:
                run.unlockPtl(s);
                run.step("end");
                k.fire(s, Sites.SPLIT_END, r);
                pc = RETURN;
                return run.reach("end");
            case RETURN:
                return returnOp(k);
            default:
                throw returned();
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Split c = new Split(space, base);
        c.pc = pc;
        c.pmd = pmd;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(base).put(pmd);
    }
}
