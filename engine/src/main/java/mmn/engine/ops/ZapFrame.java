package mmn.engine.ops;

import mmn.engine.mem.MmuGather;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Sites;

/**
 * What the zap family's step programs (munmap, MADV_DONTNEED, exit, the OOM reaper)
 * share: the space, the mmu_gather, unmap_vmas' and free_pgtables' cursors, and the
 * steps they all take through them (a loop that pauses at a forced flush, the two
 * halves of tlb_finish_mmu), so each program lists only its own order of steps.
 */
abstract class ZapFrame extends OpFrame {
    protected final String space;
    protected MmuGather tlb;
    /** unmap_vmas: where it stopped (null: not begun). */
    protected Zap.UnmapVmas unmap;
    /** free_pgtables: the tables it unlinked and the next to batch (null: not begun). */
    protected Zap.TableCursor tables;

    ZapFrame(String space) {
        this.space = space;
    }

    /** unmap_vmas on from where it stopped: the phase point that paused it (the next step is {@code again}), null when done. */
    protected final String zapOn(Kernel k, int again) {
        String p = k.vmm.zap.unmapVmas(k.spaces.get(space), tlb, unmap);
        if (p != null) pc = again;
        return p;
    }

    /** free_pgtables' batching on from where it stopped: "batch-flush" when a full batch paused it (next: {@code again}), null when done. */
    protected final String unlinkOn(Kernel k, int again) {
        while (!tables.done()) {
            if (k.vmm.zap.freeNextTable(tlb, tables)) {
                pc = again;
                return "batch-flush";
            }
        }
        return null;
    }

    /** Back from a forced flush: the loop goes on in {@code phase}, at step {@code resume}. */
    protected final void resume(Kernel k, String phase, int resume) {
        k.vmm.run.step(phase);
        pc = resume;
    }

    /** tlb_finish_mmu's flush (tlb_flush_mmu_tlbonly, whatever the profile fires there): phase flush. */
    protected final String finishFlush(Kernel k, int next) {
        k.vmm.run.step("flush");
        k.vmm.zap.tlbFlushMmuTlbOnly(tlb, Sites.GATHER_FINISH);
        pc = next;
        return k.vmm.run.reach("flush");
    }

    /** tlb_finish_mmu's free (tlb_flush_mmu_free); the caller ends phase free. */
    protected final void finishFree(Kernel k) {
        k.vmm.run.step("free");
        k.vmm.zap.tlbFlushMmuFree(tlb);
    }

    /** The shared locals into a copy for {@code k}. */
    protected final <F extends ZapFrame> F copyZap(F c, Kernel k) {
        c.pc = pc;
        c.tlb = tlb == null ? null : tlb.copyFor(k.spaces.get(space));
        c.unmap = unmap == null ? null : unmap.copy();
        c.tables = tables == null ? null : tables.copy();
        return c;
    }

    /** The shared locals into h. */
    protected final void hashZap(StateHasher h) {
        h.put(pc).put(space);
        if (tlb == null) h.put(-1);
        else tlb.hashInto(h);
        if (unmap == null) h.put(-1);
        else unmap.hashInto(h);
        if (tables == null) h.put(-1);
        else tables.hashInto(h);
    }
}
