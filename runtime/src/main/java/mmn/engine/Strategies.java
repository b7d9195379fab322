package mmn.engine;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The built-in subscriber strategies ({@code notifier n on A for gpu uses NAME}), each a
 * real driver design or a deliberately naive one the checker must catch.
 */
public final class Strategies {
    private Strategies() {}

    public static final List<String> NAMES = List.of("empty-pt", "range", "arch-tlbs", "start-only", "end-only");

    /** Strategies for device kinds or profiles not built yet. */
    public static final List<String> PLANNED = List.of("kvm", "interval", "interval-no-retry");

    public static MmuNotifierOps create(String name, Profile p) {
        Supplier<MmuNotifierOps> s;
        switch (name) {
            case "empty-pt": s = EmptyPageTable::new; break;
            case "range":
            case "arch-tlbs": s = RangeFlush::new; break;
            case "start-only": s = StartOnly::new; break;
            case "end-only": s = EndOnly::new; break;
            default: return null;
        }
        return s.get();
    }

    /**
     * AMD IOMMUv2 up to 3.18 (drivers/iommu/amd_iommu_v2.c, v3.16): between start and
     * end the PASID's GCR3 points at an all-zero page table, so every device access in
     * the window faults. Nested windows are counted (mmu_notifier_count).
     * amd_iommu_domain_set_gcr3 flushes the PASID's TLB each time it switches.
     */
    static final class EmptyPageTable implements MmuNotifierOps {
        int nesting;

        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE_START, Hook.INVALIDATE_RANGE_END,
                    Hook.INVALIDATE_PAGE, Hook.CHANGE_PTE, Hook.CLEAR_FLUSH_YOUNG);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            if (nesting++ == 0) {
                c.setRootEmpty(c.device());
                c.flushAll(c.device());
            }
            return true;
        }

        @Override
        public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            if (nesting > 0 && --nesting == 0) {
                c.setRoot(c.device(), c.subscriber().space());
                c.flushAll(c.device());
            }
        }

        @Override
        public void invalidatePage(NotifierContext c, long address) {
            c.flush(c.device(), Range.page(address));
        }

        @Override
        public void changePte(NotifierContext c, long address, long pte) {
            c.flush(c.device(), Range.page(address));
        }

        @Override
        public boolean clearFlushYoung(NotifierContext c, Range r) {
            c.flush(c.device(), r);
            return false;
        }

        @Override
        public void release(NotifierContext c) {
            c.detach(c.device());
        }

        @Override
        public MmuNotifierOps copy() {
            EmptyPageTable e = new EmptyPageTable();
            e.nesting = nesting;
            return e;
        }

        @Override
        public void hashInto(StateHasher h) {
            h.put(nesting);
        }
    }

    /**
     * AMD IOMMUv2 from 3.19 and Intel SVM (arch_invalidate_secondary_tlbs from 6.6): flush
     * the secondary TLB wherever the CPU's is flushed. AMD's mn_invalidate_range flushes
     * one page when the range lies within a page, else the whole PASID.
     */
    static final class RangeFlush implements MmuNotifierOps {
        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE, Hook.INVALIDATE_PAGE, Hook.CLEAR_FLUSH_YOUNG);
        }

        @Override
        public void invalidateRange(NotifierContext c, Range r) {
            if (r.withinOnePage()) c.flush(c.device(), Range.page(r.start()));
            else c.flushAll(c.device());
        }

        @Override
        public void invalidatePage(NotifierContext c, long address) {
            c.flush(c.device(), Range.page(address));
        }

        @Override
        public boolean clearFlushYoung(NotifierContext c, Range r) {
            c.flush(c.device(), r);
            return false;
        }

        @Override
        public void release(NotifierContext c) {
            c.detach(c.device());
        }
    }

    /** Naive: flush at start. The device can refill between start and the PTE clear. */
    static final class StartOnly implements MmuNotifierOps {
        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE_START);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
            return true;
        }

        @Override
        public void release(NotifierContext c) {
            c.detach(c.device());
        }
    }

    /** Naive: flush at end. Pages the gather frees before end are still cached then. */
    static final class EndOnly implements MmuNotifierOps {
        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE_END);
        }

        @Override
        public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
        }

        @Override
        public void release(NotifierContext c) {
            c.detach(c.device());
        }
    }
}
