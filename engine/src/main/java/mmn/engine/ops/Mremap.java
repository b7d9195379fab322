package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * mremap to a fixed new address as a step program: mm/mremap.c copy_vma, then
 * move_page_tables over the old range, then do_munmap of the old range. The pages are
 * moved, not freed: the danger is a translation of the old address that outlives the
 * PTLs while another thread frees the page through the new address (kernel-reference §7
 * #7).
 *
 * <pre>
 *   start    copy_vma (the moved VMA linked); invalidate_range_start (Sites.MREMAP_START)
 *   move     per PTE table, under the old and the new PTL: every entry moved
 *            (ptep_get_and_clear, no flush); the table's old range flushed before the PTLs
 *            drop where the profile's {@link Profile.MremapFlush} says (4.15: a present
 *            dirty PTE; 4.19+: any present PTE; Sites.MREMAP_PTL_FLUSH)
 *   unlock   the PTLs dropped
 *   flush    one CPU flush of the old range for the tables not flushed yet (Sites.MREMAP_FLUSH)
 *   end      invalidate_range_end (Sites.MREMAP_END)
 *   unmap    do_munmap of the old range, whole (its page tables go; no phase points of its own)
 * </pre>
 */
final class Mremap extends OpFrame {
    private static final int BEGIN = 0, TABLES = 1, MOVE = 2, UNLOCK = 3, FLUSH = 4, END = 5, UNMAP = 6, RETURN = 7;

    private final String space;
    private final Range r;
    private final long newStart;
    /** The old range's populated PTEs as move_page_tables found them after start, and the next one to move. */
    private long[] addrs;
    private int next;
    /** Whether a moved table had a present PTE its PTL-time flush did not cover. */
    private boolean needFlush;

    Mremap(String space, Range r, long newStart) {
        this.space = space;
        this.r = r;
        this.newStart = newStart;
    }

    @Override
    public String name() {
        return "mremap";
    }

    @Override
    public String step(Kernel k) {
        OpRunner run = k.vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            switch (pc) {
                case BEGIN: {
                    run.beginOp("mremap", s);
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
                    Vma moved = v.slice(r.start(), r.end()).movedTo(newStart); // copy_vma
                    s.vmas.put(moved.start, moved);
                    run.step("start");
                    k.fire(s, Sites.MREMAP_START, r);
                    pc = TABLES;
                    return run.reach("start");
                }
                case TABLES: {
                    List<Long> populated = s.pageTable.populated(r);
                    addrs = new long[populated.size()];
                    for (int j = 0; j < addrs.length; j++) addrs[j] = populated.get(j);
                    next = 0;
                    pc = MOVE;
                    continue;
                }
                case MOVE: {
                    if (next >= addrs.length) {
                        pc = FLUSH;
                        continue;
                    }
                    long delta = newStart - r.start();
                    Profile.MremapFlush when = k.profile.mremapFlush();
                    long table = addrs[next] & -Addr.PMD_SIZE;
                    run.step("move");
                    run.lockPtl(s); // old PTL, then new PTL
                    run.lockPtl(s);
                    boolean present = false;
                    boolean forceFlush = false;
                    while (next < addrs.length && (addrs[next] & -Addr.PMD_SIZE) == table) {
                        long va = addrs[next++];
                        long pte = s.pageTable.get(va);
                        if (Pte.none(pte)) continue;
                        if (Pte.huge(pte)) throw new EngineException("mremap: a huge page is mapped at " + Addr.hex(va) + "; the model moves 4 KiB PTEs only",
                                "split it first");
                        s.pageTable.set(va, Pte.NONE); // ptep_get_and_clear: no flush
                        s.pageTable.set(va + delta, pte);
                        present |= Pte.present(pte);
                        forceFlush |= when.forces(pte);
                    }
                    needFlush |= present && !forceFlush;
                    Range span = new Range(Math.max(table, r.start()), Math.min(table + Addr.PMD_SIZE, r.end()));
                    if (forceFlush) {
                        run.cpuFlush(s, span);
                        k.fire(s, Sites.MREMAP_PTL_FLUSH, span);
                    }
                    pc = UNLOCK;
                    return run.reach("move");
                }
                case UNLOCK:
                    run.unlockPtl(s);
                    run.unlockPtl(s);
                    run.step("unlock");
                    pc = MOVE;
                    return run.reach("unlock");
                case FLUSH:
                    run.step("flush");
                    if (needFlush) {
                        run.cpuFlush(s, r);
                        k.fire(s, Sites.MREMAP_FLUSH, r);
                    }
                    pc = END;
                    return run.reach("flush");
                case END:
                    run.step("end");
                    k.fire(s, Sites.MREMAP_END, r);
                    pc = UNMAP;
                    return run.reach("end");
                case UNMAP:
                    run.step("unmap");
                    k.runOp(new Munmap(space, r), PhaseListener.NONE); // do_munmap of the old range: its page tables go
                    pc = RETURN;
                    return run.reach("unmap");
                case RETURN:
                    return returnOp(k);
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Mremap c = new Mremap(space, r, newStart);
        c.pc = pc;
        c.addrs = addrs; // never written after TABLES: shared
        c.next = next;
        c.needFlush = needFlush;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(pc).put(space).put(r.start()).put(r.end()).put(newStart).put(needFlush);
        if (addrs == null) h.put(-1);
        else {
            h.put(addrs.length - next);
            for (int j = next; j < addrs.length; j++) h.put(addrs[j]);
        }
    }
}
