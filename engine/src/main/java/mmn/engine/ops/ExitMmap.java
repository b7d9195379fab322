package mmn.engine.ops;

import mmn.engine.mem.Addr;
import mmn.engine.mem.MmuGather;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Sites;
import java.util.List;

/**
 * exit as a step program: mm/mmap.c exit_mmap, the whole address space with a fullmm
 * gather.
 *
 * <pre>
 *   release        mmu_notifier_release (Sites.EXIT_RELEASE): subscribers drop everything
 *   clear          the start/end bracket of unmap_vmas (Sites.UNMAP_START / UNMAP_END, as
 *                  the profile has them) around the zap of every VMA (batch-flush when full)
 *   unlink-tables  free_pgtables over the whole space, the PGD with it
 *   flush          tlb_finish_mmu: the last flush (Sites.GATHER_FINISH)
 *   free           tlb_finish_mmu: pages and tables freed; the mm is dead
 * </pre>
 */
final class ExitMmap extends ZapFrame {
    private static final int BEGIN = 0, CLEAR = 1, ZAP = 2, ZAP_AGAIN = 3, FREE_PGTABLES = 4, UNLINK = 5, UNLINK_AGAIN = 6,
            FINISH_FLUSH = 7, FINISH_FREE = 8, RETURN = 9;

    ExitMmap(String space) {
        super(space);
    }

    @Override
    public String name() {
        return "exit";
    }

    @Override
    public String step(Kernel k) {
        Vmm vmm = k.vmm;
        OpRunner run = vmm.run;
        Space s = k.spaces.get(space);
        while (true) {
            String p;
            switch (pc) {
                case BEGIN:
                    run.beginOp("exit", s);
                    run.step("release");
                    k.fire(s, Sites.EXIT_RELEASE, Range.ALL);
                    pc = CLEAR;
                    return run.reach("release");
                case CLEAR:
                    run.step("clear");
                    tlb = new MmuGather(s, Range.ALL, true, k.gatherBatch);
                    k.fire(s, Sites.UNMAP_START, Range.ALL);
                    unmap = new Zap.UnmapVmas(List.copyOf(s.vmas.values()), null);
                    pc = ZAP;
                    continue;
                case ZAP:
                    if ((p = zapOn(k, ZAP_AGAIN)) != null) return p;
                    k.fire(s, Sites.UNMAP_END, Range.ALL);
                    pc = FREE_PGTABLES;
                    return run.reach("clear");
                case ZAP_AGAIN:
                    resume(k, "clear", ZAP);
                    continue;
                case FREE_PGTABLES:
                    s.vmas.clear();
                    run.step("unlink-tables");
                    tables = new Zap.TableCursor(s.pageTable.unlinkTables(new Range(0, Addr.TASK_SIZE), 0, Addr.TASK_SIZE, true));
                    pc = UNLINK;
                    continue;
                case UNLINK:
                    if ((p = unlinkOn(k, UNLINK_AGAIN)) != null) return p;
                    pc = FINISH_FLUSH;
                    return run.reach("unlink-tables");
                case UNLINK_AGAIN:
                    resume(k, "unlink-tables", UNLINK);
                    continue;
                case FINISH_FLUSH:
                    return finishFlush(k, FINISH_FREE);
                case FINISH_FREE:
                    finishFree(k);
                    s.exited = true;
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
        return copyZap(new ExitMmap(space), k);
    }

    @Override
    protected void hashInto(StateHasher h) {
        hashZap(h);
    }
}
