package mmn.engine.profile;

/**
 * Call-site names: the places in the kernel's mm code where a profile may fire
 * notifier hooks. Operations pass these; {@link Profiles} says what fires at each.
 */
public final class Sites {
    private Sites() {}

    // exit_mmap
    public static final String EXIT_RELEASE = "exit_mmap:mmu_notifier_release";
    // unmap_vmas (munmap, exit)
    public static final String UNMAP_START = "unmap_vmas:invalidate_range_start";
    public static final String UNMAP_END = "unmap_vmas:invalidate_range_end";
    // zap_page_range (MADV_DONTNEED)
    public static final String ZAP_START = "zap_page_range:invalidate_range_start";
    public static final String ZAP_END = "zap_page_range:invalidate_range_end";
    // the mmu_gather
    public static final String ZAP_FORCE_FLUSH = "zap_pte_range:tlb_flush_mmu_tlbonly";
    public static final String PGTABLE_FORCE_FLUSH = "free_pgtables:tlb_flush_mmu";
    public static final String GATHER_FINISH = "tlb_finish_mmu:tlb_flush_mmu_tlbonly";
    // mprotect
    public static final String MPROTECT_START = "change_pmd_range:invalidate_range_start";
    public static final String MPROTECT_END = "change_pmd_range:invalidate_range_end";
    public static final String MPROTECT_FLUSH = "change_protection_range:flush_tlb_range";
    // write fault on a write-protected PTE
    public static final String WP_COPY_START = "wp_page_copy:invalidate_range_start";
    public static final String WP_COPY_CLEAR = "wp_page_copy:ptep_clear_flush";
    public static final String WP_COPY_SET = "wp_page_copy:set_pte_at_notify";
    public static final String WP_COPY_END = "wp_page_copy:invalidate_range_end";
    public static final String WP_REUSE = "wp_page_reuse:ptep_set_access_flags";
    // fork
    public static final String FORK_START = "copy_page_range:invalidate_range_start";
    public static final String FORK_END = "copy_page_range:invalidate_range_end";
    public static final String FORK_FLUSH = "dup_mmap:flush_tlb_mm";

    // migration: try_to_unmap_one (TTU_MIGRATION; try_to_migrate_one from 5.15), then remove_migration_ptes
    public static final String MIGRATE_START = "try_to_unmap_one(migration):invalidate_range_start";
    public static final String MIGRATE_CLEAR = "try_to_unmap_one(migration):ptep_clear_flush";
    public static final String MIGRATE_UNLOCK = "try_to_unmap_one(migration):pte_unmap_unlock";
    public static final String MIGRATE_END = "try_to_unmap_one(migration):invalidate_range_end";
    public static final String MIGRATE_REMAP = "remove_migration_pte:set_pte_at";
    // reclaim: shrink_page_list -> try_to_unmap_one with a swap entry
    public static final String RECLAIM_START = "try_to_unmap_one(swap):invalidate_range_start";
    /** 3.16-4.15: the young test reclaim does not skip (no TTU_IGNORE_ACCESS); no hooks where the kernel has none. */
    public static final String RECLAIM_YOUNG = "try_to_unmap_one(swap):ptep_clear_flush_young_notify";
    public static final String RECLAIM_CLEAR = "try_to_unmap_one(swap):ptep_clear_flush";
    public static final String RECLAIM_SWAP_ENTRY = "try_to_unmap_one(swap):set_pte_at(swp_entry)";
    public static final String RECLAIM_UNLOCK = "try_to_unmap_one(swap):pte_unmap_unlock";
    public static final String RECLAIM_END = "try_to_unmap_one(swap):invalidate_range_end";
    public static final String RECLAIM_FLUSH = "shrink_page_list:try_to_unmap_flush";
    // KSM: write_protect_page, then replace_page
    public static final String KSM_WP_START = "write_protect_page:invalidate_range_start";
    public static final String KSM_WP_CLEAR = "write_protect_page:ptep_clear_flush";
    public static final String KSM_WP_SET = "write_protect_page:set_pte_at_notify";
    public static final String KSM_WP_END = "write_protect_page:invalidate_range_end";
    public static final String KSM_REPLACE_START = "replace_page:invalidate_range_start";
    public static final String KSM_REPLACE_CLEAR = "replace_page:ptep_clear_flush";
    public static final String KSM_REPLACE_SET = "replace_page:set_pte_at_notify";
    public static final String KSM_REPLACE_END = "replace_page:invalidate_range_end";
    // page aging: page_referenced_one
    public static final String AGE_FLUSH_YOUNG = "page_referenced_one:ptep_clear_flush_young";
    public static final String AGE_NOTIFY = "page_referenced_one:mmu_notifier_clear_flush_young";
    // the OOM reaper: __oom_reap_task_mm (absent where the kernel has no reaper)
    public static final String OOM_REAP_START = "__oom_reap_task_mm:invalidate_range_start_nonblock";
    public static final String OOM_REAP_END = "__oom_reap_task_mm:invalidate_range_end";
    // mremap: move_page_tables
    public static final String MREMAP_START = "move_page_tables:invalidate_range_start";
    public static final String MREMAP_PTL_FLUSH = "move_ptes:flush_tlb_range";
    public static final String MREMAP_FLUSH = "move_page_tables:flush_tlb_range";
    public static final String MREMAP_END = "move_page_tables:invalidate_range_end";
    // uprobes: __replace_page
    public static final String UPROBE_START = "__replace_page:invalidate_range_start";
    public static final String UPROBE_CLEAR = "__replace_page:ptep_clear_flush";
    public static final String UPROBE_SET = "__replace_page:set_pte_at_notify";
    public static final String UPROBE_END = "__replace_page:invalidate_range_end";
    // THP: khugepaged collapse (anon) and retract (file/shmem page tables), split
    public static final String COLLAPSE_SCAN_YOUNG = "khugepaged_scan_pmd:mmu_notifier_test_young";
    public static final String COLLAPSE_START = "collapse_huge_page:invalidate_range_start";
    public static final String COLLAPSE_PMD_CLEAR = "collapse_huge_page:pmdp_collapse_flush";
    public static final String COLLAPSE_END = "collapse_huge_page:invalidate_range_end";
    public static final String RETRACT_START = "retract_page_tables:invalidate_range_start";
    public static final String RETRACT_PMD_CLEAR = "retract_page_tables:pmdp_collapse_flush";
    public static final String RETRACT_END = "retract_page_tables:invalidate_range_end";
    public static final String SPLIT_START = "__split_huge_pmd:invalidate_range_start";
    public static final String SPLIT_EARLY_END = "__split_huge_page_pmd:invalidate_range_end(before the split)";
    public static final String SPLITTING_START = "__split_huge_page_splitting:invalidate_range_start";
    public static final String SPLITTING_END = "__split_huge_page_splitting:invalidate_range_end";
    public static final String SPLIT_INVALIDATE = "__split_huge_pmd_locked:pmdp_invalidate";
    public static final String SPLIT_END = "__split_huge_pmd:invalidate_range_end";
    // remap_file_pages (mm/fremap.c up to 3.19; from 4.0 an mmap emulation in mm/mmap.c)
    public static final String REMAP_START = "remap_file_pages:invalidate_range_start";
    public static final String REMAP_CLEAR = "zap_pte:ptep_clear_flush";
    public static final String REMAP_END = "remap_file_pages:invalidate_range_end";
    /** 4.0+: mm/mmap.c remap_file_pages emulated by do_mmap(MAP_SHARED|MAP_FIXED|MAP_POPULATE). */
    public static final String REMAP_EMULATE = "remap_file_pages:do_mmap(MAP_FIXED|MAP_POPULATE)";

    // hugetlb (mm/hugetlb.c): 2M pages mapped by PMD entries, PMD pages shared between
    // processes mapping the same hugetlbfs file at PUD-aligned addresses (huge_pmd_share)
    public static final String HUGETLB_UNMAP_START = "__unmap_hugepage_range:invalidate_range_start";
    public static final String HUGETLB_UNMAP_FORCE_FLUSH = "__unmap_hugepage_range:tlb_flush_mmu";
    public static final String HUGETLB_UNSHARE_FLUSH = "__unmap_hugepage_range:flush after huge_pmd_unshare";
    public static final String HUGETLB_UNMAP_END = "__unmap_hugepage_range:invalidate_range_end";
    public static final String HUGETLB_COW_START = "hugetlb_cow:invalidate_range_start";
    public static final String HUGETLB_COW_CLEAR = "hugetlb_cow:huge_ptep_clear_flush";
    public static final String HUGETLB_COW_END = "hugetlb_cow:invalidate_range_end";
    public static final String HUGETLB_PROT_START = "hugetlb_change_protection:invalidate_range_start";
    public static final String HUGETLB_PROT_FLUSH = "hugetlb_change_protection:flush_hugetlb_tlb_range";
    public static final String HUGETLB_PROT_END = "hugetlb_change_protection:invalidate_range_end";
    public static final String HUGETLB_FORK_START = "copy_hugetlb_page_range:invalidate_range_start";
    public static final String HUGETLB_FORK_WRPROTECT = "copy_hugetlb_page_range:huge_ptep_set_wrprotect";
    public static final String HUGETLB_FORK_END = "copy_hugetlb_page_range:invalidate_range_end";
    /** hugetlb_vm_op_split -> hugetlb_unshare_pmds (6.3+; absent before, where a split leaves PMDs shared). */
    public static final String HUGETLB_SPLIT_UNSHARE_START = "hugetlb_unshare_pmds:invalidate_range_start";
    public static final String HUGETLB_SPLIT_UNSHARE_FLUSH = "hugetlb_unshare_pmds:flush_hugetlb_tlb_range";
    public static final String HUGETLB_SPLIT_UNSHARE_END = "hugetlb_unshare_pmds:invalidate_range_end";
}
