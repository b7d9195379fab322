package mmn.engine.ops;

import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * munmap as a step program: mm/mmap.c do_munmap -> unmap_region, one step per phase.
 *
 * <pre>
 *   start          detach the VMAs; mmu_notifier_invalidate_range_start  (unmap_region)
 *   clear          unmap_vmas: zap_pte_range per PTE table under its PTL, a full batch
 *                  forcing tlb_flush_mmu (phase batch-flush) and the zap going on
 *   end            mmu_notifier_invalidate_range_end
 *   unlink-tables  free_pgtables: page-table pages join the batch (batch-flush when full)
 *   flush          tlb_finish_mmu: the gather's last flush (tlb_flush_mmu_tlbonly)
 *   free           tlb_finish_mmu: the gathered pages and tables are freed
 * </pre>
 *
 * The hooks each step fires are the profile's answer for the call sites named here
 * ({@link Sites#UNMAP_START}, {@link Sites#ZAP_FORCE_FLUSH}, {@link Sites#UNMAP_END},
 * {@link Sites#PGTABLE_FORCE_FLUSH}, {@link Sites#GATHER_FINISH}).
 */
final class Munmap extends ZapFrame {
    private static final int BEGIN = 0, UNMAP_VMAS = 1, ZAP = 2, ZAP_AGAIN = 3, END = 4, FREE_PGTABLES = 5, UNLINK = 6,
            UNLINK_AGAIN = 7, FINISH_FLUSH = 8, FINISH_FREE = 9, RETURN = 10;

    private final Range r;
    /** free_pgtables' floor and ceiling: the neighbouring VMAs' ends, fixed at do_munmap. */
    private long floor, ceiling;

    Munmap(String space, Range r) {
        super(space);
        this.r = r;
    }

    @Override
    public String name() {
        return "munmap";
    }

    @Override
    public String step(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            String p;
            switch (pc) {
                case BEGIN: { // do_munmap: split, detach; unmap_region: lru_add_drain, tlb_gather_mmu, then the notifier
                    run.beginOp("munmap", s);
                    vmm.hugetlb.checkHugetlbCut(s, r, "munmap");
                    vmm.hugetlb.hugetlbSplitUnshare(s, r);
                    s.splitAt(r);
                    List<Vma> vmas = s.vmasIn(r);
                    for (Vma v : vmas) s.vmas.remove(v.start); // detach_vmas_to_be_unmapped
                    unmap = new Zap.UnmapVmas(vmas, null);
                    floor = s.floorFor(r.start());
                    ceiling = s.ceilingFor(r.end());
                    tlb = new MmuGather(s, r, false, k.gatherBatch);
                    run.step("start");
                    k.fire(s, Sites.UNMAP_START, r);
                    pc = UNMAP_VMAS;
                    return run.reach("start");
                }
                case UNMAP_VMAS:
                    run.step("clear");
                    pc = ZAP;
                    continue;
                case ZAP: // unmap_single_vma per VMA; zap_pte_range per PTE table; a full batch pauses at batch-flush
                    if ((p = zapOn(k, ZAP_AGAIN)) != null) return p;
                    pc = END;
                    return run.reach("clear");
                case ZAP_AGAIN: // back from a forced flush: the zap goes on where it stopped
                    resume(k, "clear", ZAP);
                    continue;
                case END:
                    run.step("end");
                    k.fire(s, Sites.UNMAP_END, r);
                    pc = FREE_PGTABLES;
                    return run.reach("end");
                case FREE_PGTABLES:
                    run.step("unlink-tables");
                    tables = new Zap.TableCursor(s.pageTable.unlinkTables(r, floor, ceiling, false));
                    pc = UNLINK;
                    continue;
                case UNLINK:
                    if ((p = unlinkOn(k, UNLINK_AGAIN)) != null) return p;
                    pc = FINISH_FLUSH;
                    return run.reach("unlink-tables");
                case UNLINK_AGAIN:
                    resume(k, "unlink-tables", UNLINK);
                    continue;
                case FINISH_FLUSH: // tlb_finish_mmu
                    return finishFlush(k, FINISH_FREE);
                case FINISH_FREE:
                    finishFree(k);
                    pc = RETURN;
                    return run.reach("free");
                case RETURN:
                    return returnOp(k);
                default:
                    throw returned();
            }
        }
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        Munmap c = copyZap(new Munmap(space, r), k);
        c.floor = floor;
        c.ceiling = ceiling;
        return c;
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashZap(h);
        h.put(r.start()).put(r.end()).put(floor).put(ceiling);
    }
}
