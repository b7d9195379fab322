package mmn.engine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operation catalogue: each operation's phases (where device actions may be
 * injected) and its outline, the kernel's sequence of steps with the call sites a
 * profile fills in. {@code mmn profile PROFILE OP} prints the outline with the hooks.
 */
public final class Operations {
    private Operations() {}

    /** One step of an operation's outline: what the kernel does, the site (or null), the phase after it (or null). */
    public record Step(String what, String site, String phase) {}

    private static final Map<String, List<Step>> OUTLINES = new LinkedHashMap<>();
    private static final Map<String, List<String>> PHASES = new LinkedHashMap<>();

    static {
        define("munmap", List.of("start", "clear", "end", "unlink-tables", "flush", "free", "batch-flush"),
                new Step("detach_vmas_to_be_unmapped: the VMAs leave the tree (faults now find no VMA)", null, null),
                new Step("tlb_gather_mmu", null, null),
                new Step("unmap_vmas: invalidate_range_start", Sites.UNMAP_START, "start"),
                new Step("zap_pte_range under the PTL: clear PTEs, batch pages; a full batch flushes, unlocks and frees", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("all PTEs of the range cleared", null, "clear"),
                new Step("unmap_vmas: invalidate_range_end", Sites.UNMAP_END, "end"),
                new Step("free_pgtables: page-table pages unlinked into the batch (outside start/end)", Sites.PGTABLE_FORCE_FLUSH, "unlink-tables"),
                new Step("tlb_finish_mmu: CPU TLB flush of the gathered range", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: data and page-table pages freed", null, "free"));
        define("dontneed", List.of("start", "clear", "end", "flush", "free", "batch-flush"),
                new Step("tlb_gather_mmu", null, null),
                new Step("zap_page_range: invalidate_range_start", Sites.ZAP_START, "start"),
                new Step("zap_pte_range under the PTL (page tables kept)", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("all PTEs of the range cleared", null, "clear"),
                new Step("zap_page_range: invalidate_range_end", Sites.ZAP_END, "end"),
                new Step("tlb_finish_mmu: CPU TLB flush", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: pages freed", null, "free"));
        define("mprotect", List.of("start", "change", "end", "flush"),
                new Step("mprotect_fixup: split VMAs, set the new protection", null, null),
                new Step("change_pmd_range: invalidate_range_start", Sites.MPROTECT_START, "start"),
                new Step("change_pte_range under the PTL: downgrade PTEs (no flush yet)", null, "change"),
                new Step("change_pmd_range: invalidate_range_end", Sites.MPROTECT_END, "end"),
                new Step("change_protection_range: flush_tlb_range (the device heard before the CPU)", Sites.MPROTECT_FLUSH, "flush"));
        define("exit", List.of("release", "clear", "unlink-tables", "flush", "free", "batch-flush"),
                new Step("exit_mmap: mmu_notifier_release; every subscriber leaves the list", Sites.EXIT_RELEASE, "release"),
                new Step("unmap_vmas(0, -1): start/end reach nobody now", Sites.UNMAP_START, null),
                new Step("zap every PTE", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("all PTEs cleared", Sites.UNMAP_END, "clear"),
                new Step("free_pgtables: every page-table page (and the PGD) into the batch", Sites.PGTABLE_FORCE_FLUSH, "unlink-tables"),
                new Step("tlb_finish_mmu: CPU TLB flush", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: every page and page-table page freed", null, "free"));
        define("touch", List.of(),
                new Step("CPU access; on a write to a write-protected PTE: do_wp_page", null, null),
                new Step("wp_page_reuse: make the PTE writable (ptep_set_access_flags)", Sites.WP_REUSE, null),
                new Step("wp_page_copy: invalidate_range_start", Sites.WP_COPY_START, null),
                new Step("wp_page_copy under the PTL: clear and flush the old PTE", Sites.WP_COPY_CLEAR, null),
                new Step("wp_page_copy: set_pte_at_notify(new page)", Sites.WP_COPY_SET, null),
                new Step("wp_page_copy: drop the PTL, invalidate_range_end, then the old page's last put", Sites.WP_COPY_END, null));
        define("fork", List.of("start", "copy", "end", "flush"),
                new Step("dup_mmap: copy each VMA; for a private (COW) VMA, copy_page_range:", null, null),
                new Step("copy_page_range: invalidate_range_start on the parent", Sites.FORK_START, "start"),
                new Step("copy_pte_range under both PTLs: write-protect parent and child PTEs, share the pages (no flush)", null, "copy"),
                new Step("copy_page_range: invalidate_range_end on the parent", Sites.FORK_END, "end"),
                new Step("dup_mmap: flush_tlb_mm(parent) after every VMA", Sites.FORK_FLUSH, "flush"));
        define("cow", List.of("copy", "start", "clear", "set", "unlock", "end", "put", "reuse"),
                new Step("do_wp_page: a write to a write-protected PTE; sole owner: wp_page_reuse", Sites.WP_REUSE, "reuse"),
                new Step("wp_page_copy: allocate and copy the new page", null, "copy"),
                new Step("wp_page_copy: invalidate_range_start", Sites.WP_COPY_START, "start"),
                new Step("under the PTL: clear the PTE and flush the CPU TLB", Sites.WP_COPY_CLEAR, "clear"),
                new Step("set_pte_at_notify(new page); drop the old page's mapping", Sites.WP_COPY_SET, "set"),
                new Step("drop the PTL", null, "unlock"),
                new Step("wp_page_copy: invalidate_range_end", Sites.WP_COPY_END, "end"),
                new Step("the fault's reference on the old page: its last put may free it here", null, "put"));
        define("migrate", List.of("start", "clear", "unlock", "end", "copy", "remap", "free"),
                new Step("isolate_lru_page: the isolation reference keeps the old page alive", null, null),
                new Step("try_to_unmap_one, per mapping (rmap walk): invalidate_range_start", Sites.MIGRATE_START, "start"),
                new Step("under the PTL: clear the PTE, flush the CPU TLB, install a migration entry", Sites.MIGRATE_CLEAR, "clear"),
                new Step("drop the PTL", Sites.MIGRATE_UNLOCK, "unlock"),
                new Step("try_to_unmap_one: invalidate_range_end", Sites.MIGRATE_END, "end"),
                new Step("migrate_page_move_mapping + migrate_page_copy: the data goes to the new page", null, "copy"),
                new Step("remove_migration_pte, per mapping: PTE to the new page (no flush: non-present to present)", Sites.MIGRATE_REMAP, "remap"),
                new Step("putback: the isolation reference was the last, the old page is freed", null, "free"));
        define("reclaim", List.of("start", "clear", "unlock", "end", "flush", "writeback", "free"),
                new Step("shrink_page_list: isolate the page, add_to_swap (the swap cache holds a reference)", null, null),
                new Step("try_to_unmap_one, per mapping (rmap walk): invalidate_range_start", Sites.RECLAIM_START, "start"),
                new Step("under the PTL: clear the PTE; flush the CPU TLB now, or queue a batched flush (TTU_BATCH_FLUSH)", Sites.RECLAIM_CLEAR, null),
                new Step("install the swap entry; drop the mapping's reference", Sites.RECLAIM_SWAP_ENTRY, "clear"),
                new Step("drop the PTL", Sites.RECLAIM_UNLOCK, "unlock"),
                new Step("try_to_unmap_one: invalidate_range_end", Sites.RECLAIM_END, "end"),
                new Step("try_to_unmap_flush_dirty: the batched CPU flush, if one was queued", Sites.RECLAIM_FLUSH, "flush"),
                new Step("pageout: the data goes to the swap slot", null, "writeback"),
                new Step("__remove_mapping (fails if the page was mapped again), then the page is freed", null, "free"));
        define("dma", List.of(), new Step("device access: ATC, IOTLB, walk; page request on a fault", null, null));
    }

    private static void define(String op, List<String> phases, Step... steps) {
        OUTLINES.put(op, List.of(steps));
        PHASES.put(op, phases);
    }

    /** Operations the language names whose engine part is not built yet. */
    public static final List<String> PLANNED = List.of("ksm", "split", "collapse",
            "uprobe", "remap", "mremap", "age", "oom-reap");

    public static boolean exists(String op) {
        return OUTLINES.containsKey(op);
    }

    public static List<String> phases(String op) {
        List<String> p = PHASES.get(op);
        return p == null ? List.of() : p;
    }

    public static List<Step> outline(String op) {
        List<Step> s = OUTLINES.get(op);
        return s == null ? List.of() : s;
    }

    public static List<String> names() {
        return List.copyOf(OUTLINES.keySet());
    }
}
