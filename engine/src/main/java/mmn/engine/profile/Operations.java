package mmn.engine.profile;

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
        define("munmap", List.of("start", "clear", "end", "unlink-tables", "flush", "free", "batch-flush", "unshare"),
                new Step("hugetlb, 6.3+: hugetlb_vm_op_split unshares the PUD span around a cut: start", Sites.HUGETLB_SPLIT_UNSHARE_START, null),
                new Step("hugetlb_unshare_pmds: huge_pmd_unshare, flush_hugetlb_tlb_range under i_mmap_rwsem", Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, null),
                new Step("hugetlb_unshare_pmds: end", Sites.HUGETLB_SPLIT_UNSHARE_END, null),
                new Step("detach_vmas_to_be_unmapped: the VMAs leave the tree (faults now find no VMA)", null, null),
                new Step("tlb_gather_mmu", null, null),
                new Step("unmap_vmas: invalidate_range_start", Sites.UNMAP_START, "start"),
                new Step("zap_pte_range under the PTL: clear PTEs, batch pages; a full batch flushes, unlocks and frees", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("hugetlb VMA (unmap_single_vma -> __unmap_hugepage_range): 3.16-4.15 open their own window", Sites.HUGETLB_UNMAP_START, null),
                new Step("per 2M entry under the PTL: huge_pmd_unshare drops a shared PMD page's whole PUD span from this mm", null, "unshare"),
                new Step("huge_ptep_get_and_clear, the huge page into the gather (one slot); a full batch flushes and frees", Sites.HUGETLB_UNMAP_FORCE_FLUSH, "batch-flush"),
                new Step("5.x+: after an unshare, the PUD span flushed before i_mmap_rwsem is dropped", Sites.HUGETLB_UNSHARE_FLUSH, null),
                new Step("3.16-4.15: __unmap_hugepage_range's own end", Sites.HUGETLB_UNMAP_END, null),
                new Step("all PTEs of the range cleared", null, "clear"),
                new Step("unmap_vmas: invalidate_range_end", Sites.UNMAP_END, "end"),
                new Step("free_pgtables: page-table pages unlinked into the batch (outside start/end)", Sites.PGTABLE_FORCE_FLUSH, "unlink-tables"),
                new Step("tlb_finish_mmu: CPU TLB flush of the gathered range", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: data and page-table pages freed", null, "free"));
        define("dontneed", List.of("start", "clear", "end", "flush", "free", "batch-flush", "unshare"),
                new Step("tlb_gather_mmu", null, null),
                new Step("zap_page_range: invalidate_range_start", Sites.ZAP_START, "start"),
                new Step("zap_pte_range under the PTL (page tables kept)", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("hugetlb (5.18+; -EINVAL before): the range widened for PMD sharing (adjust_range_if_pmd_sharing_possible), __unmap_hugepage_range", null, null),
                new Step("hugetlb VMA (unmap_single_vma -> __unmap_hugepage_range): 3.16-4.15 open their own window", Sites.HUGETLB_UNMAP_START, null),
                new Step("per 2M entry under the PTL: huge_pmd_unshare drops a shared PMD page's whole PUD span from this mm", null, "unshare"),
                new Step("huge_ptep_get_and_clear, the huge page into the gather (one slot); a full batch flushes and frees", Sites.HUGETLB_UNMAP_FORCE_FLUSH, "batch-flush"),
                new Step("5.x+: after an unshare, the PUD span flushed before i_mmap_rwsem is dropped", Sites.HUGETLB_UNSHARE_FLUSH, null),
                new Step("3.16-4.15: __unmap_hugepage_range's own end", Sites.HUGETLB_UNMAP_END, null),
                new Step("all PTEs of the range cleared", null, "clear"),
                new Step("zap_page_range: invalidate_range_end", Sites.ZAP_END, "end"),
                new Step("tlb_finish_mmu: CPU TLB flush", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: pages freed", null, "free"));
        define("mprotect", List.of("start", "change", "end", "flush", "unshare"),
                new Step("hugetlb, 6.3+: hugetlb_vm_op_split unshares the PUD span around a cut: start", Sites.HUGETLB_SPLIT_UNSHARE_START, null),
                new Step("hugetlb_unshare_pmds: huge_pmd_unshare, flush_hugetlb_tlb_range under i_mmap_rwsem", Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, null),
                new Step("hugetlb_unshare_pmds: end", Sites.HUGETLB_SPLIT_UNSHARE_END, null),
                new Step("mprotect_fixup: split VMAs, set the new protection", null, null),
                new Step("change_pmd_range: invalidate_range_start", Sites.MPROTECT_START, "start"),
                new Step("change_pte_range under the PTL: downgrade PTEs (no flush yet)", null, "change"),
                new Step("change_pmd_range: invalidate_range_end", Sites.MPROTECT_END, "end"),
                new Step("change_protection_range: flush_tlb_range (the device heard before the CPU)", Sites.MPROTECT_FLUSH, "flush"),
                new Step("hugetlb VMA: hugetlb_change_protection: invalidate_range_start (4.19+: widened by adjust_range_if_pmd_sharing_possible)", Sites.HUGETLB_PROT_START, "start"),
                new Step("under i_mmap_rwsem, per 2M entry under the PTL: huge_pmd_unshare drops a shared PUD span", null, "unshare"),
                new Step("otherwise the entry gets the new protection", null, "change"),
                new Step("flush_hugetlb_tlb_range (the widened range after an unshare) before i_mmap_rwsem is dropped", Sites.HUGETLB_PROT_FLUSH, "flush"),
                new Step("i_mmap_rwsem dropped; invalidate_range_end", Sites.HUGETLB_PROT_END, "end"));
        define("exit", List.of("release", "clear", "unlink-tables", "flush", "free", "batch-flush", "unshare"),
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
                new Step("hugetlb VMA: copy_hugetlb_page_range: invalidate_range_start on the parent when cow", Sites.HUGETLB_FORK_START, "start"),
                new Step("per entry under both PTLs: huge_ptep_set_wrprotect (3.19: invalidate_range after each); a shared VMA may share the PMD page instead", Sites.HUGETLB_FORK_WRPROTECT, "copy"),
                new Step("copy_hugetlb_page_range: invalidate_range_end", Sites.HUGETLB_FORK_END, "end"),
                new Step("dup_mmap: flush_tlb_mm(parent) after every VMA", Sites.FORK_FLUSH, "flush"));
        define("cow", List.of("copy", "start", "clear", "set", "unlock", "end", "put", "reuse"),
                new Step("do_wp_page: a write to a write-protected PTE; sole owner: wp_page_reuse", Sites.WP_REUSE, "reuse"),
                new Step("wp_page_copy: allocate and copy the new page", null, "copy"),
                new Step("wp_page_copy: invalidate_range_start", Sites.WP_COPY_START, "start"),
                new Step("under the PTL: clear the PTE and flush the CPU TLB", Sites.WP_COPY_CLEAR, "clear"),
                new Step("set_pte_at_notify(new page); drop the old page's mapping", Sites.WP_COPY_SET, "set"),
                new Step("drop the PTL", null, "unlock"),
                new Step("wp_page_copy: invalidate_range_end", Sites.WP_COPY_END, "end"),
                new Step("the fault's reference on the old page: its last put may free it here", null, "put"),
                new Step("hugetlb VMA: hugetlb_cow / hugetlb_wp: sole owner -> set_huge_ptep_writable (no notifier); else copy_user_huge_page, then start", Sites.HUGETLB_COW_START, "start"),
                new Step("under the PTL: huge_ptep_clear_flush", Sites.HUGETLB_COW_CLEAR, "clear"),
                new Step("set_huge_pte_at(new page), no change_pte; drop the PTL; end; then the old page's put", Sites.HUGETLB_COW_END, "end"));
        define("migrate", List.of("start", "clear", "unlock", "end", "copy", "remap", "free"),
                new Step("isolate_lru_page: the isolation reference keeps the old page alive", null, null),
                new Step("try_to_unmap_one, per mapping (rmap walk): invalidate_range_start", Sites.MIGRATE_START, "start"),
                new Step("under the PTL: clear the PTE, flush the CPU TLB, install a migration entry", Sites.MIGRATE_CLEAR, "clear"),
                new Step("drop the PTL", Sites.MIGRATE_UNLOCK, "unlock"),
                new Step("try_to_unmap_one: invalidate_range_end", Sites.MIGRATE_END, "end"),
                new Step("migrate_page_move_mapping + migrate_page_copy: the data goes to the new page", null, "copy"),
                new Step("remove_migration_pte, per mapping: PTE to the new page (no flush: non-present to present)", Sites.MIGRATE_REMAP, "remap"),
                new Step("putback: the isolation reference was the last, the old page is freed", null, "free"));
        define("reclaim", List.of("start", "young", "clear", "unlock", "end", "flush", "writeback", "free"),
                new Step("shrink_page_list: isolate the page, add_to_swap (the swap cache holds a reference)", null, null),
                new Step("try_to_unmap_one, per mapping (rmap walk): invalidate_range_start", Sites.RECLAIM_START, "start"),
                new Step("3.16-4.15, under the PTL: ptep_clear_flush_young_notify; young (PTE or subscriber) -> the unmap is abandoned, the walk stops, the page is reactivated", Sites.RECLAIM_YOUNG, "young"),
                new Step("under the PTL: clear the PTE; flush the CPU TLB now, or queue a batched flush (TTU_BATCH_FLUSH)", Sites.RECLAIM_CLEAR, null),
                new Step("install the swap entry; drop the mapping's reference", Sites.RECLAIM_SWAP_ENTRY, "clear"),
                new Step("drop the PTL", Sites.RECLAIM_UNLOCK, "unlock"),
                new Step("try_to_unmap_one: invalidate_range_end", Sites.RECLAIM_END, "end"),
                new Step("try_to_unmap_flush_dirty: the batched CPU flush, if one was queued", Sites.RECLAIM_FLUSH, "flush"),
                new Step("pageout: the data goes to the swap slot", null, "writeback"),
                new Step("__remove_mapping (fails if the page was mapped again), then the page is freed", null, "free"));
        define("ksm", List.of("protect-start", "protect-clear", "protect-set", "protect-end",
                        "replace-start", "replace-clear", "replace-set", "replace-end", "free"),
                new Step("ksm_do_scan: the scanner takes a reference on both pages (follow_page FOLL_GET)", null, null),
                new Step("write_protect_page (the first page, then the second): invalidate_range_start", Sites.KSM_WP_START, "protect-start"),
                new Step("under the PTL: clear the PTE and flush the CPU TLB (if writable or dirty)", Sites.KSM_WP_CLEAR, "protect-clear"),
                new Step("set_pte_at_notify: the same page, clean and write-protected", Sites.KSM_WP_SET, "protect-set"),
                new Step("drop the PTL; write_protect_page: invalidate_range_end", Sites.KSM_WP_END, "protect-end"),
                new Step("pages_identical, then replace_page: invalidate_range_start", Sites.KSM_REPLACE_START, "replace-start"),
                new Step("under the PTL: the PTE is unchanged; take a reference on the KSM page; clear and flush", Sites.KSM_REPLACE_CLEAR, "replace-clear"),
                new Step("set_pte_at_notify(KSM page, write-protected); drop the old page's mapping", Sites.KSM_REPLACE_SET, "replace-set"),
                new Step("drop the PTL; replace_page: invalidate_range_end", Sites.KSM_REPLACE_END, "replace-end"),
                new Step("ksm_do_scan: put_page, the last reference on the old page: it is freed", null, "free"));
        define("age", List.of("clear-young", "unlock"),
                new Step("page_referenced: per mapping (rmap walk), under the PTL: test and clear the young bit (ptep_clear_flush_young)", Sites.AGE_FLUSH_YOUNG, null),
                new Step("->clear_flush_young: did the secondary MMU use it?", Sites.AGE_NOTIFY, "clear-young"),
                new Step("drop the PTL; the page is referenced if either saw it young", null, "unlock"));
        define("oom-reap", List.of("start", "clear", "end", "flush", "free", "batch-flush"),
                new Step("__oom_reap_task_mm: mmap_read_trylock; 4.14/4.15 skip an mm with subscribers (4.16-4.18: with blockable ones)", null, null),
                new Step("per anon or private VMA: tlb_gather_mmu, invalidate_range_start_nonblock (6.5+: -EAGAIN skips the VMA, no end)", Sites.OOM_REAP_START, "start"),
                new Step("unmap_page_range: zap the VMA's PTEs (page tables stay)", Sites.ZAP_FORCE_FLUSH, "batch-flush"),
                new Step("all PTEs of the VMA cleared", null, "clear"),
                new Step("invalidate_range_end", Sites.OOM_REAP_END, "end"),
                new Step("tlb_finish_mmu: CPU TLB flush", Sites.GATHER_FINISH, "flush"),
                new Step("tlb_finish_mmu: pages freed", null, "free"));
        define("mremap", List.of("start", "move", "unlock", "flush", "end", "unmap"),
                new Step("copy_vma: the new VMA", null, null),
                new Step("move_page_tables: invalidate_range_start over the old range", Sites.MREMAP_START, "start"),
                new Step("move_ptes, per PTE table under the old and new PTLs: move each entry; force_flush (4.15: a present dirty PTE; 4.19+: any present PTE): flush_tlb_range before unlocking", Sites.MREMAP_PTL_FLUSH, "move"),
                new Step("drop the new PTL, then the old", null, "unlock"),
                new Step("need_flush (3.16/3.19 always; 4.15 for tables not force-flushed): flush_tlb_range(old range) once, after every PTL is dropped", Sites.MREMAP_FLUSH, "flush"),
                new Step("move_page_tables: invalidate_range_end", Sites.MREMAP_END, "end"),
                new Step("do_munmap(old range): an munmap, its page tables freed", null, "unmap"));
        define("uprobe", List.of("start", "clear", "set", "unlock", "end"),
                new Step("uprobe_write_opcode: get_user_pages on the text page; copy it and write the breakpoint", null, null),
                new Step("__replace_page: invalidate_range_start", Sites.UPROBE_START, "start"),
                new Step("under the PTL: rmap for the new page; clear the PTE and flush", Sites.UPROBE_CLEAR, "clear"),
                new Step("set_pte_at_notify(new page); drop the old page's rmap", Sites.UPROBE_SET, "set"),
                new Step("drop the PTL; put_page(old): the page cache keeps it", null, "unlock"),
                new Step("__replace_page: invalidate_range_end", Sites.UPROBE_END, "end"));
        define("remap", List.of("start", "clear", "end", "batch-flush", "unlink-tables", "flush", "free", "map", "populate"),
                new Step("3.16/3.19 mm/fremap.c remap_file_pages: invalidate_range_start", Sites.REMAP_START, "start"),
                new Step("install_file_pte, per page under the PTL: zap_pte (clear, flush, drop the mapping), then a nonlinear file PTE", Sites.REMAP_CLEAR, "clear"),
                new Step("invalidate_range_end", Sites.REMAP_END, "end"),
                new Step("4.0+ mm/mmap.c: pr_warn_once, do_mmap(MAP_SHARED|MAP_FIXED|MAP_POPULATE) -> do_munmap: munmap's steps and phases (start .. free)", Sites.REMAP_EMULATE, null),
                new Step("mmap_region: the new VMA at pgoff", null, "map"),
                new Step("mm_populate, per page: a read fault (handle_mm_fault), no hooks", null, "populate"));
        define("collapse", List.of("unmap", "start", "clear-pmd", "end", "copy", "set", "free-table"),
                new Step("khugepaged_scan_pmd: young bits, else ->test_young per PTE; an unreferenced range is left alone", Sites.COLLAPSE_SCAN_YOUNG, null),
                new Step("anon: collapse_huge_page: allocate the huge page; mmap lock for write; invalidate_range_start", Sites.COLLAPSE_START, "start"),
                new Step("under the PMD lock: clear the PMD that points at the PTE table, flush the CPU TLB", Sites.COLLAPSE_PMD_CLEAR, "clear-pmd"),
                new Step("invalidate_range_end", Sites.COLLAPSE_END, "end"),
                new Step("copy each small page into the huge page; clear its PTE and free it (no flush, no hook)", null, "copy"),
                new Step("set the huge PMD; the PTE table is kept as its deposit", null, "set"),
                new Step("file/shmem (4.8+): unmap the small pages (unmap_mapping_range, with its own hooks)", null, "unmap"),
                new Step("retract_page_tables: invalidate_range_start (none before the fix)", Sites.RETRACT_START, "start"),
                new Step("under the PMD lock: pmdp_collapse_flush, the PMD cleared and the CPU TLB flushed", Sites.RETRACT_PMD_CLEAR, "clear-pmd"),
                new Step("invalidate_range_end (none before the fix)", Sites.RETRACT_END, "end"),
                new Step("pte_free: the page-table page is freed", null, "free-table"));
        define("split", List.of("start", "split", "end"),
                new Step("__split_huge_pmd: invalidate_range_start", Sites.SPLIT_START, "start"),
                new Step("3.16/3.19: the window closes before anything changes", Sites.SPLIT_EARLY_END, null),
                new Step("3.16/3.19 __split_huge_page_splitting: its own start, pmdp_splitting_flush, end", Sites.SPLITTING_START, null),
                new Step("(end of the splitting pass)", Sites.SPLITTING_END, null),
                new Step("under the PMD lock: withdraw the deposited table, 512 PTEs to the same subpages, pmdp_invalidate", Sites.SPLIT_INVALIDATE, "split"),
                new Step("pmd_populate; drop the lock; invalidate_range_end", Sites.SPLIT_END, "end"));
        define("dma", List.of(), new Step("device access: ATC, IOTLB, walk; page request on a fault", null, null));
    }

    private static void define(String op, List<String> phases, Step... steps) {
        OUTLINES.put(op, List.of(steps));
        PHASES.put(op, phases);
    }

    /** Operations the language names whose engine part is not built yet. */
    public static final List<String> PLANNED = List.of();

    /** Sites of a part of an operation some kernels lack (khugepaged's file collapse before 4.8). */
    public static final java.util.Set<String> OPTIONAL_SITES = java.util.Set.of(Sites.RETRACT_START, Sites.RETRACT_PMD_CLEAR, Sites.RETRACT_END,
            Sites.HUGETLB_SPLIT_UNSHARE_START, Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, Sites.HUGETLB_SPLIT_UNSHARE_END);

    /**
     * Operations a kernel may lack: the profile has no row for this site, and the
     * operation is an error there (no OOM reaper before 4.6).
     */
    private static final Map<String, String> GATE = Map.of("oom-reap", Sites.OOM_REAP_START);

    /** Whether the profile's kernel has the operation at all. */
    public static boolean availableIn(String op, Profile p) {
        String gate = GATE.get(op);
        return gate == null || p.hasSite(gate);
    }

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
