package mmn.engine.device;

import mmn.engine.check.Trace;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Translation;
import mmn.engine.profile.Profile;
import java.util.List;
import java.util.TreeSet;

/**
 * KVM as a secondary MMU: the guest's accesses go through shadow (or TDP) page-table
 * entries, SPTEs, that KVM fills on an EPT/NPT violation. struct kvm carries the
 * notifier state: mmu_notifier_seq and mmu_notifier_count (mmu_invalidate_seq and
 * mmu_invalidate_in_progress since 6.0), changed under mmu_lock by the notifier
 * callbacks ({@code Strategies.Kvm}).
 *
 * The fault path (arch/x86/kvm/mmu/mmu.c, kvm_faultin_pfn .. direct_page_fault), one
 * step each:
 * <ol>
 *   <li>{@code mmu_seq}: sample the sequence (then smp_rmb) before looking the page up.</li>
 *   <li>{@code faultin_pfn}: hva_to_pfn, get_user_pages: fault the page in like a CPU
 *       fault and take a reference on it.</li>
 *   <li>{@code lock}: mmu_lock.</li>
 *   <li>{@code retry}: mmu_invalidate_retry (mmu_notifier_retry before 6.0): give up if an
 *       invalidation is in progress (count &gt; 0) or the sequence moved; the vCPU
 *       re-enters the guest and faults again.</li>
 *   <li>{@code map}: install the SPTE.</li>
 *   <li>{@code unlock}: drop mmu_lock, then kvm_release_pfn_clean drops the reference.</li>
 * </ol>
 * The check follows the profile: up to 4.x it is the whole-VM mmu_notifier_retry
 * (count != 0 or seq moved); 6.x's is_page_fault_stale uses mmu_invalidate_retry_hva,
 * which retries for an in-progress invalidation only when the faulting address lies in
 * the union of the ranges being invalidated.
 */
public final class KvmDevice extends DriverDevice {
    public static final List<String> STEPS = List.of("mmu_seq", "faultin_pfn", "lock", "retry", "map", "unlock");

    /** kvm->mmu_notifier_seq: bumped when an invalidation ends (and by invalidate_page/change_pte before 5.x). */
    long mmuSeq;
    /** kvm->mmu_notifier_count: invalidations between start and end. */
    int count;
    /** kvm->mmu_invalidate_range_start/end: the union of the ranges in progress (while count &gt; 0). */
    long rangeStart;
    long rangeEnd;
    /**
     * SPTEs whose accessed bit is set (by va): the hardware sets it when the guest uses
     * the entry, a new SPTE is made accessed, and kvm_age_rmapp (mmu_spte_age in 4.15)
     * test-and-clears it for ->clear_flush_young.
     */
    final TreeSet<Long> accessed = new TreeSet<>();

    public KvmDevice(String name, int entries) {
        super(name, entries);
    }

    @Override
    public String kind() {
        return "kvm";
    }

    @Override
    public List<String> faultSteps() {
        return STEPS;
    }

    public long mmuSeq() { return mmuSeq; }

    @Override
    long sequence() { return mmuSeq; }

    public int count() { return count; }

    @Override
    String tableName() {
        return "spt";
    }

    /** The guest's access goes through the hardware walk of the SPTEs, no lock. */
    @Override
    boolean lookupTakesLock() {
        return false;
    }

    /** While an invalidation covers the address, nothing but invalidate_range_end can make the check pass. */
    @Override
    boolean retryWouldSpin(DeviceHost w, DriverFault f) {
        return inProgressFor(w, f.va);
    }

    /**
     * The range-based check (mmu_invalidate_retry_hva) is what the 6.x profiles' x86 fault
     * path calls; the profiles with interval notifiers (5.5+) are exactly those.
     */
    static boolean rangeBasedRetry(Profile p) {
        return p.intervalNotifiers();
    }

    /** An invalidation in progress that the fault at va must not race. */
    boolean inProgressFor(DeviceHost w, long va) {
        if (count == 0) return false;
        return !rangeBasedRetry(w.profile()) || (va >= rangeStart && va < rangeEnd);
    }

    @Override
    DriverFault.Step runStep(DeviceHost w, DriverFault f) {
        String step = STEPS.get(f.pc);
        switch (step) {
            case "mmu_seq":
                f.seq = mmuSeq;
                return ran(f, step, "mmu_notifier_seq " + f.seq);
            case "faultin_pfn": {
                DriverFault.Step failed = cpuFault(w, f, step);
                if (failed != null) return failed;
                w.memory().get(f.pfn); // get_user_pages' reference
                f.holdsRef = true;
                return ran(f, step, "pfn " + f.pfn + " gen " + f.gen + (f.writable ? " write" : " read-only") + ", referenced");
            }
            case "lock":
                return lock(f, step, "mmu_lock");
            case "retry": {
                String check = rangeBasedRetry(w.profile()) ? "mmu_invalidate_retry_hva" : "mmu_notifier_retry";
                boolean inProgress = inProgressFor(w, f.va);
                if (inProgress || mmuSeq != f.seq) {
                    return retry(w, f, step, check + ": " + (inProgress ? "an invalidation is in progress (count "
                            + count + ")" : "seq moved from " + f.seq + " to " + mmuSeq) + ": unlock, release the page, fault again");
                }
                return ran(f, step, check + ": count " + count + ", seq " + f.seq + " unchanged");
            }
            case "map":
                install(w, f);
                return ran(f, step, Addr.hex(f.va) + " -> pfn " + f.pfn + (f.writable ? " rw" : " ro"));
            case "unlock":
                lockHolder = 0;
                releaseRef(w, f);
                return ran(f, step, "mmu_lock released, kvm_release_pfn_clean");
            default:
                throw new IllegalStateException(step);
        }
    }

    // ------------------------------------------------------------ what the notifier callbacks do (virt/kvm/kvm_main.c)

    /** kvm_mmu_notifier_invalidate_range_start: count++, zap the SPTEs in range, flush remote TLBs. */
    public void invalidateBegin(DeviceHost w, Range r) {
        waitForLock(w);
        // kvm_mmu_invalidate_begin: the first one sets the range, nested ones widen it
        if (count++ == 0) {
            rangeStart = r.start();
            rangeEnd = r.end();
        } else {
            rangeStart = Math.min(rangeStart, r.start());
            rangeEnd = Math.max(rangeEnd, r.end());
        }
        flush(w, r);
        w.trace().event("device", name + ": mmu_notifier_count " + count + " (kvm_flush_remote_tlbs)", new Trace.Fields().device(name));
    }

    /** kvm_mmu_notifier_invalidate_range_end: seq++ then count-- (smp_wmb between), under mmu_lock. */
    public void invalidateEnd(DeviceHost w) {
        waitForLock(w);
        mmuSeq++;
        if (count > 0) count--;
        w.trace().event("device", name + ": mmu_notifier_seq " + mmuSeq + ", count " + count, new Trace.Fields().device(name));
    }

    /** 3.x kvm_mmu_notifier_invalidate_page: seq++ before unlocking, zap the page, flush. */
    public void invalidatePage(DeviceHost w, long address) {
        waitForLock(w);
        mmuSeq++;
        flush(w, Range.page(address));
    }

    /**
     * kvm_mmu_notifier_change_pte: x86's kvm_set_pte_rmap drops an SPTE of the page and,
     * when the new PTE is read-only, points it at the new frame read-only. Up to 4.x it
     * bumps seq itself; from 5.x it is a no-op outside start/end (count == 0), since
     * start already zapped.
     */
    public void changePte(DeviceHost w, long address, long pte, boolean modern) {
        waitForLock(w);
        if (modern && count == 0) return;
        if (!modern) mmuSeq++;
        boolean had = table.lookup(address) != null;
        flush(w, Range.page(address));
        if (had && Pte.present(pte) && !Pte.writable(pte)) {
            int pfn = Pte.pfn(pte);
            Translation t = table.insert(address, pfn, w.memory().gen(pfn), false);
            w.checks().entryInstalled(this, t);
        }
    }

    /**
     * kvm_mmu_notifier_clear_flush_young -> kvm_age_hva: test and clear the accessed bit
     * of every SPTE in the range (3.16 kvm_age_rmapp, 4.15 mmu_spte_age); young if any
     * was set (the caller then flushes the remote TLBs, which changes nothing modelled).
     */
    public boolean age(Range r) {
        boolean young = false;
        for (Translation t : table.entries()) {
            if (r.contains(t.va) && accessed.remove(t.va)) young = true;
        }
        return young;
    }

    @Override
    void install(DeviceHost w, DriverFault f) {
        super.install(w, f);
        Translation t = table.lookup(f.va);
        if (t != null) accessed.add(t.va);
    }

    @Override
    public AccessResult access(DeviceHost w, long va, boolean write) {
        AccessResult r = super.access(w, va, write);
        Translation t = r.ok() ? table.lookup(va) : null;
        if (t != null) accessed.add(t.va); // the guest's access sets the SPTE's accessed bit
        return r;
    }

    @Override
    public Device copyFor(DeviceHost w, Space s) {
        KvmDevice c = new KvmDevice(name, capacity);
        c.host = w;
        copyDriverState(c, s);
        c.mmuSeq = mmuSeq;
        c.count = count;
        c.rangeStart = rangeStart;
        c.rangeEnd = rangeEnd;
        c.accessed.addAll(accessed);
        return c;
    }

    @Override
    public void hashInto(StateHasher h) {
        super.hashInto(h);
        // canonical: the sequence is only compared with faults' samples, which hash that comparison (DriverFault)
        if (!h.isCanonical()) h.put(mmuSeq);
        h.put(count);
        if (count > 0) h.put(rangeStart).put(rangeEnd); // stale values once count is 0 are not state
        for (Translation t : table.entries()) if (accessed.contains(t.va)) h.put(t.va); // a bit of a zapped SPTE is not state
    }
}
