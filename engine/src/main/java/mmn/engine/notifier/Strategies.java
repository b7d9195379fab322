package mmn.engine.notifier;

import mmn.engine.profile.NotifierEvent;
import mmn.engine.EngineException;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.IntervalSeq;
import mmn.engine.device.KvmDevice;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.Range;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Sites;
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

    public static final List<String> NAMES = List.of("empty-pt", "range", "arch-tlbs", "start-only", "end-only",
            "kvm", "interval", "interval-no-retry");

    /** Strategies for device kinds or profiles not built yet. */
    public static final List<String> PLANNED = List.of();

    /** The strategy's ops for d under p, or a script error naming the strategies there are. */
    public static MmuNotifierOps createFor(String strategy, Profile p, Device d) {
        MmuNotifierOps ops = create(strategy, p);
        if (ops == null) {
            if (PLANNED.contains(strategy))
                throw new EngineException("not supported yet: strategy '" + strategy + "'", "available: " + String.join(", ", NAMES));
            throw new EngineException("unknown strategy '" + strategy + "'", "strategies are " + String.join(", ", NAMES));
        }
        validate(strategy, p, d);
        return ops;
    }

    public static MmuNotifierOps create(String name, Profile p) {
        Supplier<MmuNotifierOps> s;
        switch (name) {
            case "empty-pt": s = EmptyPageTable::new; break;
            case "range":
            case "arch-tlbs": s = RangeFlush::new; break;
            case "start-only": s = () -> new OneHookFlush(Hook.INVALIDATE_RANGE_START); break;
            case "end-only": s = () -> new OneHookFlush(Hook.INVALIDATE_RANGE_END); break;
            case "kvm": s = Kvm::new; break;
            case "interval": s = () -> new Interval(true); break;
            case "interval-no-retry": s = () -> new Interval(false); break;
            default: return null;
        }
        return s.get();
    }

    /**
     * Throws when a built-in strategy cannot drive this device under this profile: the
     * device kind it was written for, and the kernel interfaces it needs.
     */
    public static void validate(String name, Profile p, Device d) {
        switch (name) {
            case "empty-pt":
                needKind(name, d, AtsDevice.class, "ats", "it swaps the IOMMU's page-table root (AMD IOMMUv2)");
                if (!p.rows.containsKey(Sites.UNMAP_START))
                    throw new EngineException("empty-pt needs invalidate_range_start/end, which " + p.name + " does not have");
                break;
            case "arch-tlbs":
                if (!p.rangeHookName.equals("arch_invalidate_secondary_tlbs")) {
                    throw new EngineException("arch-tlbs names arch_invalidate_secondary_tlbs, the 6.6+ name of the hook; "
                            + p.name + " calls it " + p.rangeHookName, "use `range` under " + p.name);
                }
                break;
            case "kvm":
                needKind(name, d, KvmDevice.class, "kvm", "it keeps mmu_notifier_seq/count for a KVM fault path");
                break;
            case "interval":
            case "interval-no-retry":
                needKind(name, d, MirrorDevice.class, "mirror", "it is an mmu_interval_notifier for a mirror's fault path");
                if (!p.intervalNotifiers) {
                    throw new EngineException(name + " needs mmu_interval_notifier, which exists from Linux 5.5; "
                            + p.name + " does not have it", "use profile linux-6.5 or linux-6.8");
                }
                if (((MirrorDevice) d).interval() != null)
                    throw new EngineException(d.name + " already has an interval notifier", "a mirror takes one (dmirror->notifier)");
                break;
            default:
                break;
        }
    }

    private static void needKind(String strategy, Device d, Class<? extends Device> kind, String kindName, String why) {
        if (d == null) throw new EngineException("strategy '" + strategy + "' needs a device (" + why + ")", "notifier N on SPACE for DEVICE uses " + strategy);
        if (!kind.isInstance(d)) {
            throw new EngineException("strategy '" + strategy + "' drives a " + kindName + " device (" + why + "); "
                    + d.name + " is a " + d.kind() + " device", "declare `device " + d.name + " " + kindName + "` or choose another strategy");
        }
    }

    /**
     * mmu_interval_notifier (5.5+, mm/mmu_notifier.c) with lib/test_hmm.c's invalidate
     * callback, for a {@link MirrorDevice}. The interval is the whole address space, as
     * dmirror_fops_open inserts it. The core's per-mm collision-retry state
     * (invalidate_seq, active_invalidate_ranges) is kept here per subscription: with one
     * interval per mm, which is what the model registers, the two are the same thing.
     *
     * start (mn_itree_inv_start_range + mn_itree_invalidate): active++, the mm's seq goes
     * odd, and the callback takes the driver mutex (waiting for a fault that holds it),
     * sets the subscription's seq to the odd value (mmu_interval_set_seq), erases the
     * mirror entries in range and unlocks. end (mn_itree_inv_end): active--, and when the
     * last one ends the seq goes even again, waking read_begin sleepers.
     * {@code interval-no-retry} is the same notifier with a driver whose fault path never
     * calls mmu_interval_read_retry.
     */
    public static final class Interval implements MmuNotifierOps, IntervalSeq {
        public final boolean checksRetry;
        /** subscriptions->invalidate_seq: starts at 2, odd while an invalidation is active. */
        long mmSeq = 2;
        /** interval_sub->invalidate_seq: mmSeq - 1 at insert (odd, never equal to the mm's). */
        public long subSeq = 1;
        /** subscriptions->active_invalidate_ranges. */
        int active;

        Interval(boolean checksRetry) {
            this.checksRetry = checksRetry;
        }

        /** mmu_interval_read_begin would sleep: an invalidation that covers the interval is in progress. */
        @Override
        public boolean invalidating() {
            return subSeq == mmSeq;
        }

        @Override
        public long seq() { return subSeq; }

        @Override
        public boolean checksRetry() { return checksRetry; }

        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE_START, Hook.INVALIDATE_RANGE_END);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            active++;
            mmSeq |= 1;
            // dmirror_interval_invalidate skips only MIGRATE events the device itself owns; the
            // model's migrations are all the CPU's, so every event erases the entries
            MirrorDevice m = (MirrorDevice) c.device();
            if (r.blockable()) {
                c.mightSleep("mutex_lock(&dmirror->mutex)");
            } else if (m.lockHolder != 0) {
                // mutex_trylock failed: the core ends the invalidation and returns -EAGAIN
                invEnd();
                return false;
            }
            m.waitForLock(c.host());
            subSeq = mmSeq; // mmu_interval_set_seq, under the driver lock
            c.flush(m, r.range());
            return true;
        }

        @Override
        public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            invEnd();
        }

        private void invEnd() {
            if (active == 0) return;
            if (--active == 0 && (mmSeq & 1) != 0) mmSeq++;
        }

        /** mn_itree_release: one blockable invalidation of everything (MMU_NOTIFY_RELEASE). */
        @Override
        public void release(NotifierContext c) {
            invalidateRangeStart(c, new NotifierRange(Range.ALL, NotifierEvent.RELEASE, true));
            invEnd();
        }

        @Override
        public MmuNotifierOps copy() {
            Interval i = new Interval(checksRetry);
            i.mmSeq = mmSeq;
            i.subSeq = subSeq;
            i.active = active;
            return i;
        }

        @Override
        public void hashInto(StateHasher h) {
            // canonical: the sequences are compared only with each other (invalidating) and with
            // faults' samples (which hash that comparison); both only grow, so the parity (an
            // invalidation active) and the equality carry everything
            if (h.isCanonical()) h.put(checksRetry).put(mmSeq & 1).put(subSeq == mmSeq).put(active);
            else h.put(checksRetry).put(mmSeq).put(subSeq).put(active);
        }
    }

    /**
     * KVM's mmu_notifier (virt/kvm/kvm_main.c) for a {@link KvmDevice}: start bumps the
     * count and zaps the range, end bumps the sequence and drops the count, 3.x
     * invalidate_page bumps the sequence and zaps the page, change_pte repoints or zaps,
     * clear_flush_young ages, release zaps everything (kvm_arch_flush_shadow_all). The
     * state lives in the device, as it lives in struct kvm.
     */
    static final class Kvm implements MmuNotifierOps {
        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, Hook.INVALIDATE_RANGE_START, Hook.INVALIDATE_RANGE_END, Hook.INVALIDATE_PAGE,
                    Hook.CHANGE_PTE, Hook.CLEAR_FLUSH_YOUNG);
        }

        private static KvmDevice kvm(NotifierContext c) {
            return (KvmDevice) c.device();
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            kvm(c).invalidateBegin(c.host(), r.range());
            return true;
        }

        @Override
        public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            kvm(c).invalidateEnd(c.host());
        }

        @Override
        public void invalidatePage(NotifierContext c, long address) {
            kvm(c).invalidatePage(c.host(), address);
        }

        @Override
        public void changePte(NotifierContext c, long address, long pte) {
            // 5.x kvm_main.c returns early outside start/end; profiles with interval notifiers are 5.5+
            kvm(c).changePte(c.host(), address, pte, c.host().profile().intervalNotifiers());
        }

        @Override
        public boolean clearFlushYoung(NotifierContext c, Range r) {
            return kvm(c).age(r);
        }

        @Override
        public void release(NotifierContext c) {
            c.flushAll(c.device());
        }
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

    /**
     * Naive: flush the device in one hook only. At start, the device can refill between
     * start and the PTE clear; at end, pages the gather frees before end are still cached
     * then.
     */
    static final class OneHookFlush implements MmuNotifierOps {
        private final Hook hook;

        OneHookFlush(Hook hook) {
            this.hook = hook;
        }

        @Override
        public Set<Hook> implemented() {
            return EnumSet.of(Hook.RELEASE, hook);
        }

        @Override
        public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
            return true;
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
