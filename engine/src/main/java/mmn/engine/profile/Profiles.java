package mmn.engine.profile;

import static mmn.engine.profile.Hook.CHANGE_PTE;
import static mmn.engine.profile.Hook.CLEAR_FLUSH_YOUNG;
import static mmn.engine.profile.Hook.INVALIDATE_RANGE;
import static mmn.engine.profile.Hook.INVALIDATE_RANGE_END;
import static mmn.engine.profile.Hook.INVALIDATE_RANGE_ONLY_END;
import static mmn.engine.profile.Hook.INVALIDATE_PAGE;
import static mmn.engine.profile.Hook.INVALIDATE_RANGE_START;
import static mmn.engine.profile.Hook.RELEASE;
import static mmn.engine.profile.Hook.TEST_YOUNG;
import static mmn.engine.profile.NotifierEvent.CLEAR;
import static mmn.engine.profile.NotifierEvent.PROTECTION_PAGE;
import static mmn.engine.profile.NotifierEvent.PROTECTION_VMA;
import static mmn.engine.profile.NotifierEvent.UNMAP;
import static mmn.engine.profile.SiteRow.Lock.I_MMAP;
import static mmn.engine.profile.SiteRow.Lock.MMAP_LOCK;
import static mmn.engine.profile.SiteRow.Lock.NONE;
import static mmn.engine.profile.SiteRow.Lock.PTL;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kernel profiles as tables. Each row: call site, lock held, event, the kernel
 * function it follows, and the hooks fired there in order. Sources are the trees named
 * in docs/profiles.md (v3.16, v3.19.8 ...), read function by function.
 *
 * Events are given for every row so that later profiles (5.0+) can pass them; 3.x
 * subscribers never see them.
 */
public final class Profiles {
    private Profiles() {}

    /** v3.16 (and up to 3.18): start/end, invalidate_page, change_pte; no invalidate_range. */
    public static final Profile LINUX_3_16 = Profile.builder("linux-3.16")
            .summary("before the invalidate_range series: start/end, invalidate_page, change_pte;"
                    + " page-table pages freed with no hook")
            .hasInvalidatePage(true)
            .row(Sites.EXIT_RELEASE, MMAP_LOCK, NotifierEvent.RELEASE, "mm/mmap.c exit_mmap -> mmu_notifier_release (first, before unmap_vmas)", RELEASE)
            .row(Sites.UNMAP_START, MMAP_LOCK, UNMAP, "mm/memory.c unmap_vmas -> mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.UNMAP_END, MMAP_LOCK, UNMAP, "mm/memory.c unmap_vmas -> mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.ZAP_START, MMAP_LOCK, CLEAR, "mm/memory.c zap_page_range -> mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.ZAP_END, MMAP_LOCK, CLEAR, "mm/memory.c zap_page_range -> mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.ZAP_FORCE_FLUSH, PTL, UNMAP, "mm/memory.c zap_pte_range -> tlb_flush_mmu_tlbonly: tlb_flush only (CPU)")
            .row(Sites.PGTABLE_FORCE_FLUSH, MMAP_LOCK, UNMAP, "arch/x86/mm/pgtable.c ___pte_free_tlb -> tlb_remove_page -> tlb_flush_mmu when the batch is full: CPU flush only")
            .row(Sites.GATHER_FINISH, NONE, UNMAP, "mm/memory.c tlb_finish_mmu -> tlb_flush_mmu_tlbonly: tlb_flush only (CPU); free_pgtables' pages freed with no hook")
            .row(Sites.MPROTECT_START, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c change_pmd_range -> mmu_notifier_invalidate_range_start (first populated pmd)", INVALIDATE_RANGE_START)
            .row(Sites.MPROTECT_END, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c change_pmd_range -> mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.MPROTECT_FLUSH, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c change_protection_range -> flush_tlb_range (CPU only, after end)")
            .row(Sites.WP_COPY_START, MMAP_LOCK, CLEAR, "mm/memory.c do_wp_page (gotten:) -> mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.WP_COPY_CLEAR, PTL, CLEAR, "mm/memory.c do_wp_page -> ptep_clear_flush (CPU only)")
            .row(Sites.WP_COPY_SET, PTL, CLEAR, "mm/memory.c do_wp_page -> set_pte_at_notify: ->change_pte before set_pte_at", CHANGE_PTE)
            .row(Sites.WP_COPY_END, MMAP_LOCK, CLEAR, "mm/memory.c do_wp_page -> mmu_notifier_invalidate_range_end (after pte_unmap_unlock)", INVALIDATE_RANGE_END)
            .row(Sites.WP_REUSE, PTL, CLEAR, "mm/memory.c do_wp_page reuse -> ptep_set_access_flags (x86: no flush on upgrade)")
            .row(Sites.FORK_START, MMAP_LOCK, PROTECTION_PAGE, "mm/memory.c copy_page_range -> mmu_notifier_invalidate_range_start(src_mm) when is_cow", INVALIDATE_RANGE_START)
            .row(Sites.FORK_END, MMAP_LOCK, PROTECTION_PAGE, "mm/memory.c copy_page_range -> mmu_notifier_invalidate_range_end(src_mm) when is_cow", INVALIDATE_RANGE_END)
            .row(Sites.FORK_FLUSH, MMAP_LOCK, PROTECTION_PAGE, "kernel/fork.c dup_mmap -> flush_tlb_mm(oldmm): CPU only, after every VMA is copied")
            .row(Sites.MIGRATE_START, NONE, CLEAR, "mm/rmap.c try_to_unmap_one (TTU_MIGRATION from mm/migrate.c __unmap_and_move): no invalidate_range_start")
            .row(Sites.MIGRATE_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush (CPU only), then set_pte_at(migration entry)")
            .row(Sites.MIGRATE_UNLOCK, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> pte_unmap_unlock, then mmu_notifier_invalidate_page(address) after the PTL is dropped", INVALIDATE_PAGE)
            .row(Sites.MIGRATE_END, NONE, CLEAR, "mm/rmap.c try_to_unmap_one: no invalidate_range_end")
            .row(Sites.MIGRATE_REMAP, PTL, CLEAR, "mm/migrate.c remove_migration_pte -> set_pte_at: non-present to present, no flush and no notifier")
            .row(Sites.RECLAIM_START, NONE, CLEAR, "mm/rmap.c try_to_unmap_one (from mm/vmscan.c shrink_page_list): no invalidate_range_start")
            .row(Sites.RECLAIM_YOUNG, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush_young_notify(vma, address, pte) under the PTL (mm/vmscan.c shrink_inactive_list passes TTU_UNMAP, no TTU_IGNORE_ACCESS): ptep_clear_flush_young, then mmu_notifier_clear_flush_young(mm, address); young -> SWAP_FAIL, out_unmap skips invalidate_page, shrink_page_list -> activate_locked", CLEAR_FLUSH_YOUNG)
            .row(Sites.RECLAIM_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush (CPU only; reclaim is never batched)")
            .row(Sites.RECLAIM_SWAP_ENTRY, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> swap_duplicate, set_pte_at(swp_entry): no notifier")
            .row(Sites.RECLAIM_UNLOCK, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> pte_unmap_unlock, then mmu_notifier_invalidate_page(address) after the PTL is dropped", INVALIDATE_PAGE)
            .row(Sites.RECLAIM_END, NONE, CLEAR, "mm/rmap.c try_to_unmap_one: no invalidate_range_end")
            .row(Sites.RECLAIM_FLUSH, NONE, CLEAR, "mm/vmscan.c shrink_page_list: no batched flush (each PTE was flushed by ptep_clear_flush)")
            .row(Sites.KSM_WP_START, MMAP_LOCK, CLEAR, "mm/ksm.c write_protect_page -> mmu_notifier_invalidate_range_start(addr, addr + PAGE_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.KSM_WP_CLEAR, PTL, CLEAR, "mm/ksm.c write_protect_page -> ptep_clear_flush (CPU only), so GUP-fast cannot race the count check")
            .row(Sites.KSM_WP_SET, PTL, CLEAR, "mm/ksm.c write_protect_page -> set_pte_at_notify(clean, write-protected PTE): ->change_pte first", CHANGE_PTE)
            .row(Sites.KSM_WP_END, MMAP_LOCK, CLEAR, "mm/ksm.c write_protect_page -> mmu_notifier_invalidate_range_end (after pte_unmap_unlock)", INVALIDATE_RANGE_END)
            .row(Sites.KSM_REPLACE_START, MMAP_LOCK, CLEAR, "mm/ksm.c replace_page -> mmu_notifier_invalidate_range_start(addr, addr + PAGE_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.KSM_REPLACE_CLEAR, PTL, CLEAR, "mm/ksm.c replace_page -> ptep_clear_flush (CPU only)")
            .row(Sites.KSM_REPLACE_SET, PTL, CLEAR, "mm/ksm.c replace_page -> set_pte_at_notify(kpage, write-protected): ->change_pte first", CHANGE_PTE)
            .row(Sites.KSM_REPLACE_END, MMAP_LOCK, CLEAR, "mm/ksm.c replace_page -> mmu_notifier_invalidate_range_end (after pte_unmap_unlock)", INVALIDATE_RANGE_END)
            .row(Sites.AGE_FLUSH_YOUNG, PTL, CLEAR, "arch/x86/mm/pgtable.c ptep_clear_flush_young: test-and-clear the young bit, no CPU flush on x86")
            .row(Sites.AGE_NOTIFY, PTL, CLEAR, "mm/rmap.c page_referenced_one -> ptep_clear_flush_young_notify -> mmu_notifier_clear_flush_young(mm, address): one address in 3.16", CLEAR_FLUSH_YOUNG)
            .row(Sites.MREMAP_START, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables -> mmu_notifier_invalidate_range_start(old_start, old_end)", INVALIDATE_RANGE_START)
            .row(Sites.MREMAP_PTL_FLUSH, PTL, UNMAP, "mm/mremap.c move_ptes: no flush before the PTLs are dropped (no force_flush in this tree; eb66ae030829 came in 4.19)")
            .row(Sites.MREMAP_FLUSH, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables -> flush_tlb_range(old range): CPU only, after every PTL is dropped")
            .row(Sites.MREMAP_END, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables -> mmu_notifier_invalidate_range_end (after the flush)", INVALIDATE_RANGE_END)
            .row(Sites.UPROBE_START, MMAP_LOCK, CLEAR, "kernel/events/uprobes.c __replace_page -> mmu_notifier_invalidate_range_start(addr, addr + PAGE_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.UPROBE_CLEAR, PTL, CLEAR, "kernel/events/uprobes.c __replace_page -> ptep_clear_flush (CPU only)")
            .row(Sites.UPROBE_SET, PTL, CLEAR, "kernel/events/uprobes.c __replace_page -> set_pte_at_notify(new page): ->change_pte first", CHANGE_PTE)
            .row(Sites.UPROBE_END, MMAP_LOCK, CLEAR, "kernel/events/uprobes.c __replace_page -> mmu_notifier_invalidate_range_end (after pte_unmap_unlock and put_page)", INVALIDATE_RANGE_END)
            .row(Sites.REMAP_START, MMAP_LOCK, CLEAR, "mm/fremap.c SYSCALL_DEFINE5(remap_file_pages) -> mmu_notifier_invalidate_range_start(start, start + size)", INVALIDATE_RANGE_START)
            .row(Sites.REMAP_CLEAR, PTL, CLEAR, "mm/fremap.c install_file_pte -> zap_pte -> ptep_clear_flush (CPU only), then set_pte_at(file PTE)")
            .row(Sites.REMAP_END, MMAP_LOCK, CLEAR, "mm/fremap.c SYSCALL_DEFINE5(remap_file_pages) -> mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.REMAP_EMULATE, MMAP_LOCK, CLEAR, "mm/fremap.c SYSCALL_DEFINE5(remap_file_pages): the nonlinear path above; no mmap emulation in this tree")
            .row(Sites.COLLAPSE_SCAN_YOUNG, MMAP_LOCK, CLEAR, "mm/huge_memory.c khugepaged_scan_pmd -> mmu_notifier_test_young for a PTE that is not young", TEST_YOUNG)
            .row(Sites.COLLAPSE_START, MMAP_LOCK, CLEAR, "mm/huge_memory.c collapse_huge_page -> mmu_notifier_invalidate_range_start(address, address + HPAGE_PMD_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.COLLAPSE_PMD_CLEAR, PTL, CLEAR, "mm/huge_memory.c collapse_huge_page -> pmdp_clear_flush: CPU flush only")
            .row(Sites.COLLAPSE_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c collapse_huge_page -> mmu_notifier_invalidate_range_end; __collapse_huge_page_copy then frees the small pages with no hook", INVALIDATE_RANGE_END)
            .row(Sites.SPLIT_START, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_page_pmd -> mmu_notifier_invalidate_range_start(haddr, haddr + HPAGE_PMD_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.SPLIT_EARLY_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_page_pmd -> mmu_notifier_invalidate_range_end before split_huge_page: the window closes before anything changes", INVALIDATE_RANGE_END)
            .row(Sites.SPLITTING_START, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_page_splitting -> mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.SPLITTING_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_page_splitting -> pmdp_splitting_flush (CPU flush), then mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.SPLIT_INVALIDATE, PTL, CLEAR, "mm/huge_memory.c __split_huge_page_map -> pmdp_invalidate: CPU flush, no notifier")
            .row(Sites.SPLIT_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_page_map -> pmd_populate, unlock: no notifier (same pages)")
                        // hugetlb, mm/hugetlb.c (docs/research/callsites.md §7)
            .row(Sites.HUGETLB_UNMAP_START, MMAP_LOCK, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> tlb_start_vma, mmu_notifier_invalidate_range_start(start, end): its own window, nested in unmap_vmas' one", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_UNMAP_FORCE_FLUSH, NONE, UNMAP, "mm/hugetlb.c __unmap_hugepage_range: __tlb_remove_page found the batch full -> drop the PTL, tlb_flush_mmu: CPU flush only, then free")
            .row(Sites.HUGETLB_UNSHARE_FLUSH, PTL, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> huge_pmd_unshare: PUD cleared, the PMD page's count dropped, no flush (left to the caller's tlb_finish_mmu, after i_mmap is released)")
            .row(Sites.HUGETLB_UNMAP_END, MMAP_LOCK, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> mmu_notifier_invalidate_range_end(start, end), then tlb_end_vma", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_COW_START, MMAP_LOCK, CLEAR, "mm/hugetlb.c hugetlb_cow -> copy_user_huge_page, then mmu_notifier_invalidate_range_start(haddr, haddr + huge page size)", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_COW_CLEAR, PTL, CLEAR, "mm/hugetlb.c hugetlb_cow -> huge_ptep_clear_flush (CPU only), then set_huge_pte_at(new page): no change_pte")
            .row(Sites.HUGETLB_COW_END, MMAP_LOCK, CLEAR, "mm/hugetlb.c hugetlb_cow -> spin_unlock(ptl), mmu_notifier_invalidate_range_end; the old page's put follows", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_PROT_START, MMAP_LOCK, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> mmu_notifier_invalidate_range_start(start, end), then i_mmap_mutex (no widening for PMD sharing)", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_PROT_FLUSH, I_MMAP, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> flush_tlb_range(vma, start, end) before i_mmap_mutex is dropped (an unshared PMD page must not be freed first): CPU only")
            .row(Sites.HUGETLB_PROT_END, MMAP_LOCK, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> mutex_unlock(i_mmap_mutex), mmu_notifier_invalidate_range_end", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_FORK_START, MMAP_LOCK, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> mmu_notifier_invalidate_range_start(src, vm_start, vm_end) when cow", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_FORK_WRPROTECT, PTL, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> huge_ptep_set_wrprotect(src): no flush, no notifier")
            .row(Sites.HUGETLB_FORK_END, MMAP_LOCK, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> mmu_notifier_invalidate_range_end(src, vm_start, vm_end) when cow", INVALIDATE_RANGE_END)
            .build();

    /** v3.19: the Roedel series (../shared/seed): invalidate_range at every CPU flush that precedes a free. */
    public static final Profile LINUX_3_19 = Profile.builder("linux-3.19")
            .from(LINUX_3_16)
            .summary("the invalidate_range series: invalidate_range from *_clear_flush_notify (under the PTL),"
                    + " from the mmu_gather flush before batched pages and page tables are freed, and first in invalidate_range_end")
            .endCallsRange(true)
            .row(Sites.ZAP_FORCE_FLUSH, PTL, UNMAP, "mm/memory.c zap_pte_range -> tlb_flush_mmu_tlbonly: tlb_flush, then mmu_notifier_invalidate_range(tlb->start, tlb->end)", INVALIDATE_RANGE)
            .row(Sites.PGTABLE_FORCE_FLUSH, MMAP_LOCK, UNMAP, "arch/x86/mm/pgtable.c ___pte_free_tlb -> tlb_remove_page -> tlb_flush_mmu -> tlb_flush_mmu_tlbonly: CPU flush, then invalidate_range", INVALIDATE_RANGE)
            .row(Sites.GATHER_FINISH, NONE, UNMAP, "mm/memory.c tlb_finish_mmu -> tlb_flush_mmu_tlbonly: tlb_flush, then mmu_notifier_invalidate_range over the gathered range (page-table pages included)", INVALIDATE_RANGE)
            .row(Sites.WP_COPY_CLEAR, PTL, CLEAR, "mm/memory.c do_wp_page -> ptep_clear_flush_notify: CPU flush, then invalidate_range(page)", INVALIDATE_RANGE)
            .archRow(Sites.WP_REUSE, "arm64", PTL, CLEAR, "arch/arm64/mm/fault.c ptep_set_access_flags -> flush_tlb_page: CPU only; an SMMU that cached the read-only PTE is never told (kernel-reference §7 #10)")
            .row(Sites.KSM_WP_CLEAR, PTL, CLEAR, "mm/ksm.c write_protect_page -> ptep_clear_flush_notify: CPU flush, then invalidate_range(page) under the PTL", INVALIDATE_RANGE)
            .row(Sites.KSM_REPLACE_CLEAR, PTL, CLEAR, "mm/ksm.c replace_page -> ptep_clear_flush_notify: CPU flush, then invalidate_range(page) under the PTL", INVALIDATE_RANGE)
            .row(Sites.AGE_NOTIFY, PTL, CLEAR, "mm/rmap.c page_referenced_one -> ptep_clear_flush_young_notify -> mmu_notifier_clear_flush_young(mm, address, address + PAGE_SIZE)", CLEAR_FLUSH_YOUNG)
            .row(Sites.RECLAIM_YOUNG, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush_young_notify -> mmu_notifier_clear_flush_young(mm, address, address + PAGE_SIZE) under the PTL (shrink_page_list(TTU_UNMAP) from shrink_inactive_list); young -> SWAP_FAIL: no invalidate_page, the page is reactivated", CLEAR_FLUSH_YOUNG)
            .row(Sites.UPROBE_CLEAR, PTL, CLEAR, "kernel/events/uprobes.c __replace_page -> ptep_clear_flush_notify: CPU flush, then invalidate_range(page) under the PTL", INVALIDATE_RANGE)
            .row(Sites.REMAP_CLEAR, PTL, CLEAR, "mm/fremap.c install_file_pte -> zap_pte -> ptep_clear_flush_notify: CPU flush, then invalidate_range(page), then set_pte_at(file PTE)", INVALIDATE_RANGE)
                        .row(Sites.HUGETLB_UNMAP_FORCE_FLUSH, NONE, UNMAP, "mm/hugetlb.c __unmap_hugepage_range: batch full -> drop the PTL, tlb_flush_mmu -> tlb_flush_mmu_tlbonly: CPU flush, then invalidate_range(tlb->start, tlb->end), then free", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_COW_CLEAR, PTL, CLEAR, "mm/hugetlb.c hugetlb_cow -> huge_ptep_clear_flush, then mmu_notifier_invalidate_range(mm, mmun_start, mmun_end) under the PTL, then set_huge_pte_at(new page)", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_PROT_FLUSH, I_MMAP, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> flush_tlb_range(vma, start, end), then mmu_notifier_invalidate_range(mm, start, end), before i_mmap_mutex is dropped", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_FORK_WRPROTECT, PTL, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> huge_ptep_set_wrprotect(src), then mmu_notifier_invalidate_range(src, mmun_start, mmun_end) per entry", INVALIDATE_RANGE)
            .build();

    /**
     * v4.15: invalidate_page is gone (4.13); COW uses invalidate_range_only_end because
     * ptep_clear_flush_notify already fired invalidate_range under the PTL.
     */
    public static final Profile LINUX_4_15 = Profile.builder("linux-4.15")
            .from(LINUX_3_19)
            .summary("invalidate_page removed; only_end where invalidate_range already ran under the PTL;"
                    + " the OOM reaper skips spaces with subscribers")
            .hasInvalidatePage(false)
            .row(Sites.WP_COPY_END, MMAP_LOCK, CLEAR, "mm/memory.c wp_page_copy -> mmu_notifier_invalidate_range_only_end (invalidate_range already ran in ptep_clear_flush_notify)", INVALIDATE_RANGE_ONLY_END)
            .batchedUnmapFlush(true)
            .oomReaperSkipsSubscribed(true)
            .row(Sites.MIGRATE_START, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_invalidate_range_start(address, address + page size)", INVALIDATE_RANGE_START)
            .row(Sites.MIGRATE_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush (no invalidate_range: the migration entry makes it unnecessary, per its comment)")
            .row(Sites.MIGRATE_UNLOCK, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> page_vma_mapped_walk ends, PTL dropped (invalidate_page was removed in 4.13)")
            .row(Sites.MIGRATE_END, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_invalidate_range_end (invalidate_range first)", INVALIDATE_RANGE_END)
            .row(Sites.RECLAIM_START, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_invalidate_range_start(address, address + page size)", INVALIDATE_RANGE_START)
            .row(Sites.RECLAIM_YOUNG, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> ptep_clear_flush_young_notify under the PTL, inside start/end (mm/vmscan.c shrink_inactive_list -> shrink_page_list(ttu_flags 0 | TTU_BATCH_FLUSH)); young -> ret = false, page_vma_mapped_walk_done, end still fires; shrink_page_list -> activate_locked", CLEAR_FLUSH_YOUNG)
            .row(Sites.RECLAIM_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_unmap_one (TTU_BATCH_FLUSH) -> ptep_get_and_clear + set_tlb_ubc_flush_pending: the CPU flush is deferred, no notifier")
            .row(Sites.RECLAIM_SWAP_ENTRY, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> set_pte_at(swp_entry), then mmu_notifier_invalidate_range(page) under the PTL (the page may be freed before end)", INVALIDATE_RANGE)
            .row(Sites.RECLAIM_UNLOCK, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> page_vma_mapped_walk ends, PTL dropped (invalidate_page was removed in 4.13)")
            .row(Sites.RECLAIM_END, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_invalidate_range_end (invalidate_range again)", INVALIDATE_RANGE_END)
            .row(Sites.RECLAIM_FLUSH, NONE, CLEAR, "mm/vmscan.c shrink_page_list -> try_to_unmap_flush_dirty / try_to_unmap_flush -> arch_tlbbatch_flush: CPU only, after end")
            .row(Sites.KSM_WP_CLEAR, PTL, CLEAR, "mm/ksm.c write_protect_page -> ptep_clear_flush (back to the plain flush: a write-protect needs no in-PTL notify, end covers it)")
            .row(Sites.KSM_REPLACE_CLEAR, PTL, CLEAR, "mm/ksm.c replace_page -> ptep_clear_flush (same content, read-only: end covers it, per the comment)")
            .row(Sites.OOM_REAP_START, MMAP_LOCK, UNMAP, "mm/oom_kill.c __oom_reap_task_mm: no start/end around unmap_page_range; an mm with subscribers is skipped (mm_has_notifiers, 4d4bbd8526a8)")
            .row(Sites.OOM_REAP_END, MMAP_LOCK, UNMAP, "mm/oom_kill.c __oom_reap_task_mm -> tlb_finish_mmu after unmap_page_range, no invalidate_range_end")
            .mremapFlush(Profile.MremapFlush.DIRTY_UNDER_PTL)
            .row(Sites.MREMAP_PTL_FLUSH, PTL, UNMAP, "mm/mremap.c move_ptes -> force_flush for a present dirty PTE: flush_tlb_range(old range) after the new PTL is dropped, before the old one: CPU only")
            .row(Sites.MREMAP_FLUSH, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables -> flush_tlb_range(old range) after every PTL is dropped, if a table was moved without force_flush (need_flush): CPU only")
            .row(Sites.UPROBE_END, MMAP_LOCK, CLEAR, "kernel/events/uprobes.c __replace_page -> mmu_notifier_invalidate_range_end (a plain end: invalidate_range again)", INVALIDATE_RANGE_END)
            .row(Sites.COLLAPSE_SCAN_YOUNG, MMAP_LOCK, CLEAR, "mm/khugepaged.c khugepaged_scan_pmd -> mmu_notifier_test_young for a PTE that is not young", TEST_YOUNG)
            .row(Sites.COLLAPSE_START, MMAP_LOCK, CLEAR, "mm/khugepaged.c collapse_huge_page -> mmu_notifier_invalidate_range_start(address, address + HPAGE_PMD_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.COLLAPSE_PMD_CLEAR, PTL, CLEAR, "mm/khugepaged.c collapse_huge_page -> pmdp_collapse_flush: CPU flush only")
            .row(Sites.COLLAPSE_END, MMAP_LOCK, CLEAR, "mm/khugepaged.c collapse_huge_page -> mmu_notifier_invalidate_range_end (invalidate_range first); the small pages are freed after it", INVALIDATE_RANGE_END)
            .row(Sites.RETRACT_START, I_MMAP, CLEAR, "mm/khugepaged.c retract_page_tables: no invalidate_range_start (kernel-reference §7 #9)")
            .row(Sites.RETRACT_PMD_CLEAR, PTL, CLEAR, "mm/khugepaged.c retract_page_tables -> pmdp_collapse_flush: CPU flush only; pte_free follows at once")
            .row(Sites.RETRACT_END, I_MMAP, CLEAR, "mm/khugepaged.c retract_page_tables: no invalidate_range_end; the page-table page was already freed")
            .row(Sites.SPLIT_START, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_pmd -> mmu_notifier_invalidate_range_start(haddr, haddr + HPAGE_PMD_SIZE)", INVALIDATE_RANGE_START)
            .row(Sites.SPLIT_EARLY_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_pmd: one window around __split_huge_pmd_locked (no early end since the 4.5 THP refcount rework)")
            .row(Sites.SPLITTING_START, MMAP_LOCK, CLEAR, "mm/huge_memory.c: no __split_huge_page_splitting pass since the 4.5 THP refcount rework")
            .row(Sites.SPLITTING_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c: no __split_huge_page_splitting pass since the 4.5 THP refcount rework")
            .row(Sites.SPLIT_INVALIDATE, PTL, CLEAR, "mm/huge_memory.c __split_huge_pmd_locked -> pmdp_invalidate: CPU flush, no notifier")
            .row(Sites.SPLIT_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_pmd -> mmu_notifier_invalidate_range_only_end (same pages, per its comment)", INVALIDATE_RANGE_ONLY_END)
            // mm/fremap.c is gone: remap_file_pages is an mmap(MAP_FIXED|MAP_POPULATE) emulation in mm/mmap.c
            .remapEmulated(true)
            .row(Sites.REMAP_START, MMAP_LOCK, CLEAR, "mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): no nonlinear path (mm/fremap.c is gone); the emulation's do_munmap opens munmap's window instead")
            .row(Sites.REMAP_CLEAR, PTL, CLEAR, "mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): no zap_pte / nonlinear PTEs; do_munmap zaps the range like munmap")
            .row(Sites.REMAP_END, MMAP_LOCK, CLEAR, "mm/mmap.c SYSCALL_DEFINE5(remap_file_pages): see do_munmap's end")
            .row(Sites.REMAP_EMULATE, MMAP_LOCK, UNMAP, "mm/mmap.c SYSCALL_DEFINE5(remap_file_pages) -> pr_warn_once, do_mmap_pgoff(file, start, size, prot, MAP_SHARED|MAP_FIXED|MAP_POPULATE, pgoff) -> mmap_region -> do_munmap (munmap's hooks), vma_link; after up_write, mm_populate (read faults, no hooks)")
                        .row(Sites.HUGETLB_UNMAP_FORCE_FLUSH, NONE, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> spin_unlock, tlb_remove_page_size: a full batch flushes (CPU, invalidate_range) and frees", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_PROT_FLUSH, I_MMAP, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> flush_hugetlb_tlb_range(vma, start, end) before i_mmap_rwsem is dropped; the explicit invalidate_range is gone (comment: a downgrade needs none, end covers it)")
            .row(Sites.HUGETLB_PROT_END, MMAP_LOCK, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> i_mmap_unlock_write, mmu_notifier_invalidate_range_end (invalidate_range first, after the lock that kept an unshared PMD page alive)", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_FORK_WRPROTECT, PTL, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> huge_ptep_set_wrprotect(src): the invalidate_range was removed (comment: downgrading protection, end covers it)")
            .build();

    /** v6.5: struct mmu_notifier_range with events and the blockable flag; start may fail when non-blocking. */
    public static final Profile LINUX_6_5 = Profile.builder("linux-6.5")
            .from(LINUX_4_15)
            .summary("mmu_notifier_range with events and blockable; a non-blocking start may fail (-EAGAIN) and gets no end;"
                    + " invalidate_range still fired by the mmu_gather and at end")
            .startMayFail(true)
            .intervalNotifiers(true)
            .mprotectGathers(true)
            .row(Sites.ZAP_START, MMAP_LOCK, CLEAR, "mm/madvise.c madvise_dontneed_single_vma -> mm/memory.c zap_page_range_single -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start (zap_page_range is gone)", INVALIDATE_RANGE_START)
            .row(Sites.ZAP_END, MMAP_LOCK, CLEAR, "mm/memory.c zap_page_range_single -> unmap_single_vma, mmu_notifier_invalidate_range_end, then tlb_finish_mmu", INVALIDATE_RANGE_END)
            .row(Sites.REMAP_EMULATE, MMAP_LOCK, UNMAP, "mm/mmap.c SYSCALL_DEFINE5(remap_file_pages) -> pr_warn_once, do_mmap(file, start, size, prot, MAP_SHARED|MAP_FIXED|MAP_POPULATE, 0, pgoff) -> mmap_region -> do_vmi_munmap (munmap's hooks), then the new VMA; after mmap_write_unlock, mm_populate (read faults, no hooks)")
            .row(Sites.MPROTECT_START, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c change_pmd_range -> mmu_notifier_range_init(MMU_NOTIFY_PROTECTION_VMA) + invalidate_range_start (first populated pmd), inside do_mprotect_pkey's tlb_gather_mmu", INVALIDATE_RANGE_START)
            .row(Sites.MPROTECT_FLUSH, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c do_mprotect_pkey -> mm/mmu_gather.c tlb_finish_mmu -> tlb_flush_mmu -> include/asm-generic/tlb.h tlb_flush_mmu_tlbonly: tlb_flush (the PTEs change_pte_range queued with tlb_flush_pte_range), then mmu_notifier_invalidate_range(tlb->start, tlb->end), after invalidate_range_end", INVALIDATE_RANGE)
            .row(Sites.ZAP_FORCE_FLUSH, PTL, UNMAP, "include/asm-generic/tlb.h tlb_flush_mmu_tlbonly: tlb_flush, then mmu_notifier_invalidate_range(tlb->mm, tlb->start, tlb->end)", INVALIDATE_RANGE)
            .oomReaperSkipsSubscribed(false)
            .row(Sites.MIGRATE_START, NONE, CLEAR, "mm/rmap.c try_to_migrate_one -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.MIGRATE_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_migrate_one -> ptep_clear_flush, then set_pte_at(migration entry): no invalidate_range (sync migration; async defers the CPU flush)")
            .row(Sites.MIGRATE_UNLOCK, NONE, CLEAR, "mm/rmap.c try_to_migrate_one -> page_vma_mapped_walk ends, PTL dropped")
            .row(Sites.MIGRATE_END, NONE, CLEAR, "mm/rmap.c try_to_migrate_one -> mmu_notifier_invalidate_range_end (invalidate_range first)", INVALIDATE_RANGE_END)
            .row(Sites.RECLAIM_START, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + mmu_notifier_invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.RECLAIM_YOUNG, PTL, CLEAR, "mm/rmap.c try_to_unmap_one: no young test (the tree has ptep_clear_flush_young_notify only in folio_referenced_one; TTU_IGNORE_ACCESS is gone); shrink_folio_list's folio_check_references is the only aging")
            .row(Sites.RECLAIM_SWAP_ENTRY, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> set_pte_at(swp_entry), then mmu_notifier_invalidate_range(page) under the PTL", INVALIDATE_RANGE)
            .row(Sites.RECLAIM_FLUSH, NONE, CLEAR, "mm/vmscan.c shrink_folio_list -> try_to_unmap_flush_dirty / try_to_unmap_flush: CPU only, after end")
            .mremapFlush(Profile.MremapFlush.PRESENT_UNDER_PTL)
            .row(Sites.KSM_WP_START, MMAP_LOCK, CLEAR, "mm/ksm.c write_protect_page -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.KSM_REPLACE_START, MMAP_LOCK, CLEAR, "mm/ksm.c replace_page -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.AGE_NOTIFY, PTL, CLEAR, "mm/rmap.c folio_referenced_one -> ptep_clear_flush_young_notify -> mmu_notifier_clear_flush_young (MGLRU look-around neighbours get none)", CLEAR_FLUSH_YOUNG)
            .row(Sites.OOM_REAP_START, MMAP_LOCK, UNMAP, "mm/oom_kill.c __oom_reap_task_mm -> mmu_notifier_range_init(MMU_NOTIFY_UNMAP, whole VMA) + mmu_notifier_invalidate_range_start_nonblock", INVALIDATE_RANGE_START)
            .row(Sites.OOM_REAP_END, MMAP_LOCK, UNMAP, "mm/oom_kill.c __oom_reap_task_mm -> mmu_notifier_invalidate_range_end after unmap_page_range (only when the start succeeded)", INVALIDATE_RANGE_END)
            .row(Sites.MREMAP_START, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables -> mmu_notifier_range_init(MMU_NOTIFY_UNMAP) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.MREMAP_PTL_FLUSH, PTL, UNMAP, "mm/mremap.c move_ptes -> force_flush for any present PTE: flush_tlb_range(old range) before both PTLs are dropped (eb66ae030829, 4.19): CPU only")
            .row(Sites.MREMAP_FLUSH, MMAP_LOCK, UNMAP, "mm/mremap.c move_page_tables: no final flush (each table was flushed under its PTLs)")
            .row(Sites.UPROBE_START, MMAP_LOCK, CLEAR, "kernel/events/uprobes.c __replace_page -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.RETRACT_START, I_MMAP, CLEAR, "mm/khugepaged.c collapse_and_free_pmd -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start (the fix for kernel-reference §7 #9)", INVALIDATE_RANGE_START)
            .row(Sites.RETRACT_PMD_CLEAR, PTL, CLEAR, "mm/khugepaged.c collapse_and_free_pmd -> pmdp_collapse_flush: CPU flush only")
            .row(Sites.RETRACT_END, I_MMAP, CLEAR, "mm/khugepaged.c collapse_and_free_pmd -> mmu_notifier_invalidate_range_end (invalidate_range first), then pte_free", INVALIDATE_RANGE_END)
                        .hugetlbPmdShareWidening(true)
            .hugetlbUnshareFlush(true)
            .hugetlbDontneed(true)
            .row(Sites.HUGETLB_UNMAP_START, MMAP_LOCK, UNMAP, "mm/hugetlb.c __unmap_hugepage_range_final: \"notification performed in caller\" (unmap_vmas, zap_page_range_single, unmap_hugepage_range)")
            .row(Sites.HUGETLB_UNMAP_END, MMAP_LOCK, UNMAP, "mm/hugetlb.c __unmap_hugepage_range: tlb_end_vma; the caller's invalidate_range_end")
            .row(Sites.HUGETLB_UNSHARE_FLUSH, I_MMAP, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> huge_pmd_unshare, tlb_flush_pmd_range(PUD span), force_flush; __unmap_hugepage_range_final -> tlb_flush_mmu_tlbonly: CPU flush, then invalidate_range, before i_mmap_rwsem is dropped", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_COW_START, MMAP_LOCK, CLEAR, "mm/hugetlb.c hugetlb_wp -> copy_user_large_folio, mmu_notifier_range_init(MMU_NOTIFY_CLEAR, haddr, haddr + huge page size) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_COW_CLEAR, PTL, CLEAR, "mm/hugetlb.c hugetlb_wp -> huge_ptep_clear_flush, then mmu_notifier_invalidate_range under the PTL, then set_huge_pte_at(new folio)", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_COW_END, MMAP_LOCK, CLEAR, "mm/hugetlb.c hugetlb_wp -> spin_unlock(ptl), mmu_notifier_invalidate_range_end (a plain end: invalidate_range again)", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_PROT_START, MMAP_LOCK, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> mmu_notifier_range_init(MMU_NOTIFY_PROTECTION_VMA), adjust_range_if_pmd_sharing_possible, invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_PROT_FLUSH, I_MMAP, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> flush_hugetlb_tlb_range (the widened range if a PMD was unshared) before i_mmap_rwsem is dropped: CPU only")
            .row(Sites.HUGETLB_FORK_START, MMAP_LOCK, PROTECTION_PAGE, "mm/hugetlb.c copy_hugetlb_page_range -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR, src, vm_start, vm_end) + invalidate_range_start when cow", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_SPLIT_UNSHARE_START, I_MMAP, CLEAR, "mm/hugetlb.c hugetlb_vm_op_split -> hugetlb_unshare_pmds(PUD span around the split) -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, I_MMAP, CLEAR, "mm/hugetlb.c hugetlb_unshare_pmds -> huge_pmd_unshare per PUD, flush_hugetlb_tlb_range(start, end) under i_mmap_rwsem: CPU only")
            .row(Sites.HUGETLB_SPLIT_UNSHARE_END, I_MMAP, CLEAR, "mm/hugetlb.c hugetlb_unshare_pmds -> i_mmap_unlock_write, mmu_notifier_invalidate_range_end (invalidate_range first)", INVALIDATE_RANGE_END)
            .build();

    /**
     * v6.8 (6.6+, Popple series): the secondary-TLB hook is renamed
     * arch_invalidate_secondary_tlbs and fired from the architecture's TLB flush (x86
     * flush_tlb_mm_range), permission upgrades included where the arch flushes them;
     * invalidate_range_end no longer fires it; *_clear_flush_notify and only_end are gone.
     */
    public static final Profile LINUX_6_8 = Profile.builder("linux-6.8")
            .from(LINUX_6_5)
            .summary("arch_invalidate_secondary_tlbs fired from the arch CPU TLB flush (x86 flush_tlb_mm_range),"
                    + " permission upgrades included on arm64; invalidate_range_end no longer fires it")
            .rangeHookName("arch_invalidate_secondary_tlbs")
            .endCallsRange(false)
            .row(Sites.ZAP_FORCE_FLUSH, PTL, UNMAP, "include/asm-generic/tlb.h tlb_flush_mmu_tlbonly -> tlb_flush -> arch/x86/mm/tlb.c flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .row(Sites.PGTABLE_FORCE_FLUSH, MMAP_LOCK, UNMAP, "mm/mmu_gather.c tlb_flush_mmu -> tlb_flush -> arch/x86/mm/tlb.c flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .row(Sites.GATHER_FINISH, NONE, UNMAP, "mm/mmu_gather.c tlb_finish_mmu -> tlb_flush_mmu -> arch/x86/mm/tlb.c flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .row(Sites.MPROTECT_FLUSH, MMAP_LOCK, PROTECTION_VMA, "mm/mprotect.c do_mprotect_pkey -> mm/mmu_gather.c tlb_finish_mmu -> tlb_flush_mmu -> tlb_flush_mmu_tlbonly -> arch/x86/include/asm/tlb.h tlb_flush -> arch/x86/mm/tlb.c flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs (the queued PTEs, after end)", INVALIDATE_RANGE)
            .row(Sites.WP_COPY_CLEAR, PTL, CLEAR, "mm/memory.c wp_page_copy -> ptep_clear_flush -> flush_tlb_page -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .row(Sites.WP_COPY_END, MMAP_LOCK, CLEAR, "mm/memory.c wp_page_copy -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .row(Sites.WP_REUSE, PTL, CLEAR, "mm/memory.c wp_page_reuse -> ptep_set_access_flags (x86: no flush on a permission upgrade, so no hook)")
            .row(Sites.FORK_FLUSH, MMAP_LOCK, PROTECTION_PAGE, "kernel/fork.c dup_mmap -> flush_tlb_mm -> arch/x86/mm/tlb.c flush_tlb_mm_range(0, TLB_FLUSH_ALL) -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .archRow(Sites.WP_REUSE, "arm64", PTL, CLEAR, "arch/arm64/mm/fault.c ptep_set_access_flags -> flush_tlb_page -> __flush_tlb_page_nosync -> mmu_notifier_arch_invalidate_secondary_tlbs (the 6.6 fix, 6bbd42e2df8f)", INVALIDATE_RANGE)
            .row(Sites.MIGRATE_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_migrate_one -> ptep_clear_flush -> flush_tlb_page -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(page) under the PTL", INVALIDATE_RANGE)
            .row(Sites.MIGRATE_END, NONE, CLEAR, "mm/rmap.c try_to_migrate_one -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .row(Sites.RECLAIM_CLEAR, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> set_tlb_ubc_flush_pending -> arch/x86/include/asm/tlbflush.h arch_tlbbatch_add_pending -> mmu_notifier_arch_invalidate_secondary_tlbs(0, -1) when the flush is queued", INVALIDATE_RANGE)
            .row(Sites.RECLAIM_SWAP_ENTRY, PTL, CLEAR, "mm/rmap.c try_to_unmap_one -> set_pte_at(swp_entry): no notifier (the secondary flush went out at the clear)")
            .row(Sites.RECLAIM_END, NONE, CLEAR, "mm/rmap.c try_to_unmap_one -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .row(Sites.RECLAIM_FLUSH, NONE, CLEAR, "mm/vmscan.c shrink_folio_list -> try_to_unmap_flush -> arch/x86/mm/tlb.c arch_tlbbatch_flush: CPU only, no secondary-TLB call")
            .row(Sites.KSM_WP_CLEAR, PTL, CLEAR, "mm/ksm.c write_protect_page -> ptep_clear_flush -> flush_tlb_page -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(page)", INVALIDATE_RANGE)
            .row(Sites.KSM_REPLACE_CLEAR, PTL, CLEAR, "mm/ksm.c replace_page -> ptep_clear_flush -> flush_tlb_page -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(page)", INVALIDATE_RANGE)
            .archRow(Sites.AGE_FLUSH_YOUNG, "arm64", PTL, CLEAR, "arch/arm64/include/asm/pgtable.h ptep_clear_flush_young -> flush_tlb_page_nosync when the page was young -> mmu_notifier_arch_invalidate_secondary_tlbs(page)", INVALIDATE_RANGE)
            .row(Sites.MREMAP_PTL_FLUSH, PTL, UNMAP, "mm/mremap.c move_ptes -> flush_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(old range) under both PTLs", INVALIDATE_RANGE)
            .row(Sites.UPROBE_CLEAR, PTL, CLEAR, "kernel/events/uprobes.c __replace_page -> ptep_clear_flush -> flush_tlb_page -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(page)", INVALIDATE_RANGE)
            .row(Sites.COLLAPSE_START, MMAP_LOCK, CLEAR, "mm/khugepaged.c collapse_huge_page -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR, address, address + HPAGE_PMD_SIZE) + invalidate_range_start", INVALIDATE_RANGE_START)
            .row(Sites.COLLAPSE_END, MMAP_LOCK, CLEAR, "mm/khugepaged.c collapse_huge_page -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more); the small pages are freed after it", INVALIDATE_RANGE_END)
            .row(Sites.RETRACT_START, I_MMAP, CLEAR, "mm/khugepaged.c retract_page_tables (and collapse_pte_mapped_thp) -> mmu_notifier_range_init(MMU_NOTIFY_CLEAR) + invalidate_range_start, inline: 6.5's collapse_and_free_pmd is gone", INVALIDATE_RANGE_START)
            .row(Sites.COLLAPSE_PMD_CLEAR, PTL, CLEAR, "mm/khugepaged.c collapse_huge_page -> pmdp_collapse_flush -> flush_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs", INVALIDATE_RANGE)
            .row(Sites.RETRACT_PMD_CLEAR, PTL, CLEAR, "mm/khugepaged.c retract_page_tables -> pmdp_collapse_flush -> flush_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs; pte_free_defer after end", INVALIDATE_RANGE)
            .row(Sites.RETRACT_END, I_MMAP, CLEAR, "mm/khugepaged.c retract_page_tables (and collapse_pte_mapped_thp) -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more), then pte_free_defer (RCU)", INVALIDATE_RANGE_END)
            .row(Sites.SPLIT_INVALIDATE, PTL, CLEAR, "mm/huge_memory.c __split_huge_pmd_locked -> pmdp_invalidate -> flush_pmd_tlb_range -> flush_tlb_range -> mmu_notifier_arch_invalidate_secondary_tlbs under the PMD lock", INVALIDATE_RANGE)
            .row(Sites.SPLIT_END, MMAP_LOCK, CLEAR, "mm/huge_memory.c __split_huge_pmd -> mmu_notifier_invalidate_range_end (only_end is gone)", INVALIDATE_RANGE_END)
                        .row(Sites.HUGETLB_UNSHARE_FLUSH, I_MMAP, UNMAP, "mm/hugetlb.c __unmap_hugepage_range_final -> tlb_flush_mmu_tlbonly -> tlb_flush -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs(PUD span), before i_mmap_rwsem is dropped", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_UNMAP_FORCE_FLUSH, NONE, UNMAP, "mm/hugetlb.c __unmap_hugepage_range -> tlb_remove_page_size: a full batch -> tlb_flush_mmu -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs, then free", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_COW_CLEAR, PTL, CLEAR, "mm/hugetlb.c hugetlb_wp -> huge_ptep_clear_flush -> flush_hugetlb_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs under the PTL", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_COW_END, MMAP_LOCK, CLEAR, "mm/hugetlb.c hugetlb_wp -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_PROT_FLUSH, I_MMAP, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> flush_hugetlb_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs before i_mmap_rwsem is dropped", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_PROT_END, MMAP_LOCK, PROTECTION_VMA, "mm/hugetlb.c hugetlb_change_protection -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .row(Sites.HUGETLB_SPLIT_UNSHARE_FLUSH, I_MMAP, CLEAR, "mm/hugetlb.c hugetlb_unshare_pmds -> flush_hugetlb_tlb_range -> flush_tlb_mm_range -> mmu_notifier_arch_invalidate_secondary_tlbs under i_mmap_rwsem", INVALIDATE_RANGE)
            .row(Sites.HUGETLB_SPLIT_UNSHARE_END, I_MMAP, CLEAR, "mm/hugetlb.c hugetlb_unshare_pmds -> mmu_notifier_invalidate_range_end (no secondary-TLB call any more)", INVALIDATE_RANGE_END)
            .build();

    private static final Map<String, Profile> ALL = new LinkedHashMap<>();

    static {
        for (Profile p : List.of(LINUX_3_16, LINUX_3_19, LINUX_4_15, LINUX_6_5, LINUX_6_8)) ALL.put(p.name(), p);
    }

    /** Profiles the language names but the engine does not have yet (issue: operation catalogue). */
    public static final List<String> PLANNED = List.of();

    public static Profile byName(String name) {
        return ALL.get(name);
    }

    public static List<Profile> all() {
        return List.copyOf(ALL.values());
    }

    public static String names() {
        return String.join(", ", ALL.keySet());
    }

    /** The default profile; linux-6.8 once it exists (semantics.md §2). */
    public static Profile defaultProfile() {
        Profile p = byName("linux-6.8");
        return p != null ? p : LINUX_3_19;
    }
}
