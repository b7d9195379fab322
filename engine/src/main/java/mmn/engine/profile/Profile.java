package mmn.engine.profile;

import mmn.engine.mem.Pte;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel version's notifier semantics, as data: which hooks each call site fires and
 * a handful of core behaviours. Operations ask the profile at each site; adding a
 * kernel version means adding a table in {@link Profiles}, never editing operations.
 */
public final class Profile {
    public final String name;
    final String summary;
    /** What the kernel calls the secondary-TLB hook: invalidate_range or arch_invalidate_secondary_tlbs. */
    public final String rangeHookName;
    /** 3.19-6.5: __mmu_notifier_invalidate_range_end calls ->invalidate_range first. */
    public final boolean endCallsRange;
    /** Up to 4.12 the ops table has invalidate_page. */
    final boolean hasInvalidatePage;
    /** 4.19+: a non-blockable start may fail with -EAGAIN. */
    public final boolean startMayFail;
    /** 5.5+: mmu_interval_notifier exists (mmu_interval_notifier_insert, read_begin/read_retry). */
    public final boolean intervalNotifiers;
    /** 4.3+: reclaim unmaps with TTU_BATCH_FLUSH; the CPU flush is deferred to try_to_unmap_flush. */
    public final boolean batchedUnmapFlush;
    /**
     * The OOM reaper skips any mm with subscribers (4d4bbd8526a8): first in 4.14, read in
     * 4.15.0's __oom_reap_task_mm. 4.6-4.13 reaped with no start/end at all; 4.16-4.18
     * skip only mms with blockable notifiers; 4.19+ use the non-blocking start.
     */
    public final boolean oomReaperSkipsSubscribed;
    /** When move_ptes flushes the old range under its PTL (mm/mremap.c); see {@link MremapFlush}. */
    final MremapFlush mremapFlush;
    /**
     * 4.19 (017b1660df89, dff11abe280b): adjust_range_if_pmd_sharing_possible widens a
     * hugetlb notifier range to the PUD-aligned span a huge_pmd_unshare may drop.
     */
    public final boolean hugetlbPmdShareWidening;
    /**
     * 5.x: after huge_pmd_unshare, __unmap_hugepage_range flushes the whole PUD span
     * (tlb_flush_pmd_range + tlb_flush_mmu_tlbonly) before i_mmap_rwsem is dropped;
     * 3.16-4.15 leave it to the caller's final flush.
     */
    final boolean hugetlbUnshareFlush;
    /** 5.18 (90e7e7f5ef3f): MADV_DONTNEED on hugetlb VMAs; before, can_madv_dontneed_vma refused them (-EINVAL). */
    final boolean hugetlbDontneed;
    /**
     * 6.0+: do_mprotect_pkey wraps the change in tlb_gather_mmu .. tlb_finish_mmu;
     * change_pte_range queues each PTE that needs a flush (tlb_flush_pte_range) and the
     * flush covers those only, after invalidate_range_end. Before, change_protection_range
     * flushed the whole range with flush_tlb_range.
     */
    final boolean mprotectGathers;
    /** 4.0+: remap_file_pages is an mmap(MAP_FIXED|MAP_POPULATE) emulation (mm/mmap.c), not mm/fremap.c. */
    final boolean remapEmulated;
    public final Map<String, SiteRow> rows;

    private Profile(Builder b) {
        name = b.name;
        summary = b.summary;
        rangeHookName = b.rangeHookName;
        endCallsRange = b.endCallsRange;
        hasInvalidatePage = b.hasInvalidatePage;
        startMayFail = b.startMayFail;
        intervalNotifiers = b.intervalNotifiers;
        batchedUnmapFlush = b.batchedUnmapFlush;
        oomReaperSkipsSubscribed = b.oomReaperSkipsSubscribed;
        mremapFlush = b.mremapFlush;
        hugetlbPmdShareWidening = b.hugetlbPmdShareWidening;
        hugetlbUnshareFlush = b.hugetlbUnshareFlush;
        hugetlbDontneed = b.hugetlbDontneed;
        mprotectGathers = b.mprotectGathers;
        remapEmulated = b.remapEmulated;
        rows = Collections.unmodifiableMap(new LinkedHashMap<>(b.rows));
        for (Arch a : Arch.values()) {
            Map<String, SiteRow> m = new HashMap<>(rows);
            String suffix = "@" + a.name().toLowerCase();
            for (Map.Entry<String, SiteRow> e : rows.entrySet()) {
                String key = e.getKey();
                if (key.endsWith(suffix)) m.put(key.substring(0, key.length() - suffix.length()), e.getValue());
            }
            byArch.put(a, m);
        }
    }

    public String name() { return name; }
    public String summary() { return summary; }
    public String rangeHookName() { return rangeHookName; }
    public boolean endCallsRange() { return endCallsRange; }
    public boolean hasInvalidatePage() { return hasInvalidatePage; }
    public boolean startMayFail() { return startMayFail; }
    public boolean intervalNotifiers() { return intervalNotifiers; }
    public boolean batchedUnmapFlush() { return batchedUnmapFlush; }
    public boolean oomReaperSkipsSubscribed() { return oomReaperSkipsSubscribed; }
    public MremapFlush mremapFlush() { return mremapFlush; }
    public boolean hugetlbPmdShareWidening() { return hugetlbPmdShareWidening; }
    public boolean hugetlbUnshareFlush() { return hugetlbUnshareFlush; }
    public boolean hugetlbDontneed() { return hugetlbDontneed; }
    public boolean mprotectGathers() { return mprotectGathers; }
    public boolean remapEmulated() { return remapEmulated; }

    /** The row for a call site; a site with no row fires nothing. */
    public SiteRow row(String site) {
        SiteRow r = rows.get(site);
        if (r == null) throw new IllegalStateException("profile " + name + " has no row for site " + site);
        return r;
    }

    public boolean hasSite(String site) {
        return rows.containsKey(site);
    }

    /** The row for a site on an architecture: an arch-specific row ("site@arm64") wins. */
    public SiteRow row(String site, Arch arch) {
        SiteRow r = byArch.get(arch).get(site); // every fire asks: no "site@arch" string built each time
        return r != null ? r : row(site);
    }

    /** Per architecture: each site's row, its arch-specific one where there is one. */
    private final Map<Arch, Map<String, SiteRow>> byArch = new EnumMap<>(Arch.class);

    public Map<String, SiteRow> rows() {
        return rows;
    }

    /** Whether any site of this profile fires the hook (for "handler never fires" warnings). */
    public boolean fires(Hook h) {
        if (h == Hook.INVALIDATE_RANGE && endCallsRange) return true;
        for (SiteRow r : rows.values()) {
            if (r.hooks().contains(h)) return true;
            if (h == Hook.INVALIDATE_RANGE_END && r.hooks().contains(Hook.INVALIDATE_RANGE_ONLY_END)) return true;
        }
        return false;
    }

    /**
     * Where mm/mremap.c move_ptes flushes the CPU TLB for the PTEs it moved. Read in the
     * trees: 3.16/3.19 only in move_page_tables after every PTL is dropped (need_flush);
     * 4.15 under the old PTL when a moved PTE was present and dirty (force_flush, "mremap:
     * fix race between mremap() and page cleanning"), else after the loop; 4.19.1 and 6.5
     * for every present PTE before either PTL is dropped (eb66ae030829, "mremap: properly
     * flush TLB before releasing the page", merged for 4.19).
     */
    public enum MremapFlush {
        AFTER_UNLOCK, DIRTY_UNDER_PTL, PRESENT_UNDER_PTL;

        /** Whether moving this PTE makes move_ptes flush before it drops the PTL (force_flush). */
        public boolean forces(long pte) {
            return switch (this) {
                case AFTER_UNLOCK -> false;
                case DIRTY_UNDER_PTL -> Pte.present(pte) && Pte.dirty(pte);
                case PRESENT_UNDER_PTL -> Pte.present(pte);
            };
        }
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public static final class Builder {
        private final String name;
        private String summary = "";
        private String rangeHookName = "invalidate_range";
        private boolean endCallsRange;
        private boolean hasInvalidatePage;
        private boolean startMayFail;
        private boolean intervalNotifiers;
        private boolean batchedUnmapFlush;
        private boolean oomReaperSkipsSubscribed;
        private MremapFlush mremapFlush = MremapFlush.AFTER_UNLOCK;
        private boolean hugetlbPmdShareWidening;
        private boolean hugetlbUnshareFlush;
        private boolean hugetlbDontneed;
        private boolean mprotectGathers;
        private boolean remapEmulated;
        private final Map<String, SiteRow> rows = new LinkedHashMap<>();

        Builder(String name) {
            this.name = name;
        }

        Builder summary(String s) { summary = s; return this; }
        public Builder rangeHookName(String s) { rangeHookName = s; return this; }
        public Builder endCallsRange(boolean b) { endCallsRange = b; return this; }
        Builder hasInvalidatePage(boolean b) { hasInvalidatePage = b; return this; }
        public Builder startMayFail(boolean b) { startMayFail = b; return this; }
        public Builder intervalNotifiers(boolean b) { intervalNotifiers = b; return this; }
        public Builder batchedUnmapFlush(boolean b) { batchedUnmapFlush = b; return this; }
        public Builder oomReaperSkipsSubscribed(boolean b) { oomReaperSkipsSubscribed = b; return this; }
        Builder mremapFlush(MremapFlush f) { mremapFlush = f; return this; }
        public Builder hugetlbPmdShareWidening(boolean b) { hugetlbPmdShareWidening = b; return this; }
        Builder hugetlbUnshareFlush(boolean b) { hugetlbUnshareFlush = b; return this; }
        Builder hugetlbDontneed(boolean b) { hugetlbDontneed = b; return this; }
        Builder mprotectGathers(boolean b) { mprotectGathers = b; return this; }
        Builder remapEmulated(boolean b) { remapEmulated = b; return this; }

        Builder row(String site, SiteRow.Lock lock, NotifierEvent ev, String cite, Hook... hooks) {
            rows.put(site, new SiteRow(site, List.of(hooks), lock, ev, cite));
            return this;
        }

        /** A row that applies on one architecture only (e.g. arm64 flushes on permission upgrades). */
        Builder archRow(String site, String arch, SiteRow.Lock lock, NotifierEvent ev, String cite, Hook... hooks) {
            rows.put(site + "@" + arch, new SiteRow(site + "@" + arch, List.of(hooks), lock, ev, cite));
            return this;
        }

        /** Drops inherited rows: the kernel no longer has these call sites (the operation is gone). */
        Builder without(String... sites) {
            for (String site : sites) rows.remove(site);
            return this;
        }

        /** Copies another profile's rows, to be overridden row by row. */
        public Builder from(Profile p) {
            rows.putAll(p.rows);
            endCallsRange = p.endCallsRange;
            hasInvalidatePage = p.hasInvalidatePage;
            startMayFail = p.startMayFail;
            intervalNotifiers = p.intervalNotifiers;
            batchedUnmapFlush = p.batchedUnmapFlush;
            oomReaperSkipsSubscribed = p.oomReaperSkipsSubscribed;
            mremapFlush = p.mremapFlush;
            hugetlbPmdShareWidening = p.hugetlbPmdShareWidening;
            hugetlbUnshareFlush = p.hugetlbUnshareFlush;
            hugetlbDontneed = p.hugetlbDontneed;
            mprotectGathers = p.mprotectGathers;
            remapEmulated = p.remapEmulated;
            rangeHookName = p.rangeHookName;
            return this;
        }

        public Profile build() {
            return new Profile(this);
        }
    }
}
