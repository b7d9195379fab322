package mmn.engine.ops;

import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Sites;

/**
 * age as a step program: page_referenced for each page mapped in r, per mapping (the
 * rmap walk), under the PTL: ptep_clear_flush_young (test and clear the young bit; x86
 * does no CPU flush) then ->clear_flush_young; the page counts as referenced if either
 * saw it young. Nothing is freed and no start/end is fired.
 *
 * <pre>
 *   clear-young   the young bit tested and cleared (Sites.AGE_FLUSH_YOUNG), the subscribers asked (Sites.AGE_NOTIFY)
 *   unlock        the PTL released
 * </pre>
 */
final class Age extends RmapFrame {
    private static final int BEGIN = 0, NEXT_PAGE = 1, MAP = 2, UNLOCK = 3;

    private final Range r;
    /** Whether any mapping of the page in hand was young. */
    private boolean referenced;

    Age(String space, Range r) {
        super(space);
        this.r = r;
    }

    @Override
    public String name() {
        return "age";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN:
                    begin(k, s, r);
                    pc = NEXT_PAGE;
                    continue;
                case NEXT_PAGE:
                    if (page == pages.length) {
                        return returnOp(k);
                    }
                    referenced = false;
                    walk(k);
                    pc = MAP;
                    continue;
                case MAP: {
                    if (map == mapVas.length) {
                        k.trace.event("age", "pfn " + pfn() + (referenced ? " referenced" : " not referenced"));
                        page++;
                        pc = NEXT_PAGE;
                        continue;
                    }
                    Space sp = k.spaces.get(mapSpaces[map]);
                    long va = mapVas[map];
                    Range one = Range.page(va);
                    run.step("clear-young");
                    run.lockPtl(sp);
                    long pte = sp.pageTable.get(va);
                    boolean young = Pte.young(pte);
                    if (young) {
                        sp.pageTable.set(va, Pte.mkold(pte));
                        k.fire(sp, Sites.AGE_FLUSH_YOUNG, one); // arm64 flushes a young PTE (and from 6.6 notifies)
                    }
                    boolean secondary = k.fireYoung(sp, Sites.AGE_NOTIFY, one);
                    referenced |= young || secondary;
                    pc = UNLOCK;
                    return run.reach("clear-young");
                }
                case UNLOCK:
                    run.unlockPtl(k.spaces.get(mapSpaces[map]));
                    run.step("unlock");
                    map++;
                    pc = MAP;
                    return run.reach("unlock");
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Age c = copyRmap(new Age(space, r));
        c.referenced = referenced;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashRmap(h);
        h.put(r.start()).put(r.end()).put(referenced);
    }
}
