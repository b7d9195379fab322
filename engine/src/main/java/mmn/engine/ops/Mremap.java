package mmn.engine.ops;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * mm/mremap.c: mremap to a fixed address (copy_vma, move_page_tables, move_ptes, then
 * do_munmap of the old range).
 */
public final class Mremap {
    private final Kernel w;
    private final Vmm vmm;
    private final OpRunner run;

    public Mremap(Kernel w, Vmm vmm) {
        this.w = w;
        this.vmm = vmm;
        this.run = vmm.run;
    }

    /**
     * mremap to a fixed new address: copy_vma, then move_page_tables over the old range
     * (start; per PTE table, under the old and the new PTL, move every entry; flush the
     * table's old range before the PTL is dropped where the profile's {@link
     * Profile.MremapFlush} says (4.15: a present dirty PTE; 4.19+: any present PTE); drop
     * the PTLs; one CPU flush of the old range now for the tables not flushed yet; end),
     * then do_munmap of the old range. The pages are moved, not
     * freed: the danger is a translation of the old address that outlives the PTLs while
     * another thread frees the page through the new address (kernel-reference §7 #7).
     * Phases: start, move, unlock (per PTE table), flush, end, unmap.
     */
    public void mremap(Space s, Range r, long newStart, PhaseListener l) {
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
        long delta = newStart - r.start();
        Vma moved = v.slice(r.start(), r.end()).movedTo(newStart); // copy_vma
        s.vmas.put(moved.start, moved);
        run.step("start");
        w.fire(s, Sites.MREMAP_START, r);
        run.phase("start", l);
        List<Long> addrs = s.pageTable.populated(r);
        int i = 0;
        boolean needFlush = false;
        Profile.MremapFlush when = w.profile.mremapFlush();
        while (i < addrs.size()) {
            long table = addrs.get(i) & -Addr.PMD_SIZE;
            run.step("move");
            run.lockPtl(s); // old PTL, then new PTL
            run.lockPtl(s);
            boolean present = false;
            boolean forceFlush = false;
            while (i < addrs.size() && (addrs.get(i) & -Addr.PMD_SIZE) == table) {
                long va = addrs.get(i++);
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
                w.fire(s, Sites.MREMAP_PTL_FLUSH, span);
            }
            run.phase("move", l);
            run.unlockPtl(s);
            run.unlockPtl(s);
            run.step("unlock");
            run.phase("unlock", l);
        }
        run.step("flush");
        if (needFlush) {
            run.cpuFlush(s, r);
            w.fire(s, Sites.MREMAP_FLUSH, r);
        }
        run.phase("flush", l);
        run.step("end");
        w.fire(s, Sites.MREMAP_END, r);
        run.phase("end", l);
        run.step("unmap");
        vmm.munmap(s, r, PhaseListener.NONE); // do_munmap of the old range: its page tables go
        run.phase("unmap", l);
        run.endOp();
    }
}
