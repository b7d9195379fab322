package mmn.engine.device;

import mmn.engine.EngineException;
import mmn.engine.check.Trace;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Translation;
import mmn.engine.mem.TranslationCache;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A secondary MMU whose table is filled by driver code rather than by a hardware walker:
 * {@link MirrorDevice} (HMM, lib/test_hmm.c) and {@link KvmDevice} (KVM's shadow/TDP
 * tables). A miss runs the driver's fault path, which samples a notifier sequence,
 * faults the page in through the CPU page table, takes the driver lock, checks for a
 * collision with an invalidation and installs the entry. The path is a list of named
 * steps ({@link #faultSteps()}) so that it can be run one step at a time between the
 * phases of an operation ({@code World.startFault}, {@code World.stepFault}), or whole
 * for a plain {@code dma}.
 *
 * The engine is single-threaded, so "the callback waits for the driver lock" is
 * modelled by letting the fault that holds the lock finish its critical section first
 * ({@link #waitForLock}): the steps between lock and unlock never sleep or wait for
 * anything else, so this is exactly the order a real mutex would impose.
 */
public abstract class DriverDevice extends Device {
    /** Retries of one whole fault before it is given up (a livelock guard, not a kernel limit). */
    static final int MAX_RETRIES = 16;

    final int capacity;
    TranslationCache table;
    boolean detached;
    /** The in-flight fault holding the driver lock, 0 when it is free. */
    public int lockHolder;
    final TreeMap<Integer, DriverFault> inFlight = new TreeMap<>();

    DriverDevice(String name, int capacity) {
        super(name);
        this.capacity = capacity;
    }

    /** The device's own table: the mirror's page table or KVM's SPTEs. */
    public TranslationCache table() { return table; }

    /** The step names of the fault path, in order. */
    @Override
    public abstract List<String> faultSteps();

    /** What the kernel calls the table, for labels ("pt", "spt"). */
    abstract String tableName();

    /** Whether a device access looks its table up under the driver lock (dmirror_do_read does). */
    abstract boolean lookupTakesLock();

    /** Runs the fault's next step; never called for a fault that is over. */
    abstract DriverFault.Step runStep(DeviceHost w, DriverFault f);

    /** The notifier sequence a fault's sampled one is compared with (kvm's mmu_invalidate_seq, the interval's seq). */
    abstract long sequence();

    /** After a failed collision check: would a retry just spin until some other thread runs (KVM during an invalidation)? */
    boolean retryWouldSpin(DeviceHost w, DriverFault f) {
        return false;
    }

    @Override
    public List<DriverFault> faultsInFlight() {
        List<DriverFault> l = new ArrayList<>();
        for (DriverFault f : inFlight.values()) l.add(f.copy());
        return l;
    }

    /**
     * Why the fault's next step cannot run now, or null if it can: lets an explorer
     * list the enabled steps without running (and tracing) a blocked one.
     */
    public String whyBlocked(int fault) {
        DriverFault f = inFlight.get(fault);
        if (f == null) return "no fault #" + fault + " in flight";
        return whyBlocked(f);
    }

    /** The lock step waits for another holder or a handler's block; subclasses add their own waits. */
    String whyBlocked(DriverFault f) {
        if (!faultSteps().get(f.pc).equals("lock")) return null;
        if (lockHolder != 0 && lockHolder != f.id) return "the driver lock is held by fault#" + lockHolder;
        if (blocked) return name + " is blocked by its notifier";
        return null;
    }

    /** The id of the in-flight fault {@code owner} started, or 0 if it has none (never started, or over). */
    public int faultOwnedBy(int owner) {
        for (DriverFault f : inFlight.values()) if (f.owner == owner) return f.id;
        return 0;
    }

    /** The in-flight fault holding the driver lock, or 0. */
    public int lockHolder() { return lockHolder; }

    public boolean detached() { return detached; }

    @Override
    public List<TranslationCache> caches() {
        return table == null ? List.of() : List.of(table);
    }

    @Override
    public void bind(DeviceHost w, Space s) {
        space = s;
        host = w;
        table = new TranslationCache(name + "." + tableName(), s, capacity);
        w.checks().attach(this);
    }

    @Override
    public void flush(DeviceHost w, Range r) {
        if (table == null) return;
        int n = table.flush(r);
        if (w.trace().keeping()) w.trace().event("flush", name + " " + r + ": " + tableName() + " " + n + " entries",
                new Trace.Fields().device(name).range(r).level(tableName()).count(n));
    }

    @Override
    public void flushAll(DeviceHost w) {
        if (table == null) return;
        int n = table.flushAll();
        if (w.trace().keeping()) w.trace().event("flush", name + " all: " + tableName() + " " + n + " entries",
                new Trace.Fields().device(name).range(Range.ALL).level(tableName()).count(n));
    }

    @Override
    public void detach(DeviceHost w) {
        flushAll(w);
        detached = true;
        w.trace().event("device", name + ": detached (no longer mirrors " + (space == null ? "any space" : space.name) + ")", new Trace.Fields().device(name));
    }

    @Override
    public void setRootEmpty(DeviceHost w) {
        throw noRoot();
    }

    @Override
    public void setRoot(DeviceHost w, Space s) {
        throw noRoot();
    }

    private EngineException noRoot() {
        return new EngineException(name + " is a " + kind() + " device: its table is filled by its driver, there is no"
                + " page-table root to switch", "set-root applies to ats devices (an IOMMU walking the CPU page table)");
    }

    // ------------------------------------------------------------ the fault path

    public DriverFault begin(DeviceHost w, long va, boolean write, int owner) {
        int id = 1;
        while (inFlight.containsKey(id)) id++; // smallest free id: the same faults in flight get the same ids
        DriverFault f = new DriverFault(id, va, write, owner);
        inFlight.put(id, f);
        faults++;
        countOpFault(w);
        w.trace().event("fault", name + " " + f + ": driver fault path begins", new Trace.Fields().device(name));
        return f;
    }

    public DriverFault.Step step(DeviceHost w, int id) {
        DriverFault f = inFlight.get(id);
        if (f == null) {
            throw new EngineException("no fault #" + id + " in flight on " + name,
                    inFlight.isEmpty() ? "none is in flight" : "in flight: " + inFlight.keySet());
        }
        DriverFault.Step st = runStep(w, f);
        if (w.trace().keeping()) w.trace().event("fault", name + " " + f + " " + st.step() + ": " + st.outcome().name().toLowerCase()
                + (st.detail() == null ? "" : " (" + st.detail() + ")"), new Trace.Fields().device(name));
        if (st.finished()) {
            inFlight.remove(id);
            // a fault that ends is an access that ends, whoever ran its last step (a callback waiting for the lock included)
            last = new AccessResult(st.outcome() == DriverFault.Outcome.DONE ? AccessResult.Status.OK : AccessResult.Status.INVALID,
                    st.outcome() == DriverFault.Outcome.DONE ? f.pfn : -1, 1, st.detail());
        }
        return st;
    }

    /** Gives a fault up without installing anything: drop what it holds. */
    void abandon(DeviceHost w, DriverFault f) {
        if (lockHolder == f.id) lockHolder = 0;
        releaseRef(w, f);
        inFlight.remove(f.id);
        w.trace().event("fault", name + " " + f + ": abandoned", new Trace.Fields().device(name));
    }

    void releaseRef(DeviceHost w, DriverFault f) {
        if (f.holdsRef) {
            f.holdsRef = false;
            w.memory().put(f.pfn);
        }
    }

    /** The driver lock is taken from outside the fault path (a callback, an access): the holder finishes first. */
    public void waitForLock(DeviceHost w) {
        int guard = 0;
        while (lockHolder != 0) {
            int holder = lockHolder;
            w.trace().event("device", name + ": waits for the driver lock held by fault#" + holder, new Trace.Fields().device(name));
            while (lockHolder == holder && inFlight.containsKey(holder)) {
                step(w, holder);
                if (++guard > 64) throw new IllegalStateException(name + ": fault#" + holder + " does not release its lock");
            }
            if (lockHolder == holder) lockHolder = 0; // the holder is gone
        }
    }

    /** Runs a whole fault: every step, retries included, as one device access would. */
    AccessResult runWhole(DeviceHost w, long va, boolean write) {
        DriverFault f = begin(w, va, write, 0);
        while (true) {
            DriverFault.Step st = step(w, f.id);
            switch (st.outcome()) {
                case DONE:
                    return new AccessResult(AccessResult.Status.OK, f.pfn, 1, "fault path installed the entry");
                case FAILED:
                    return new AccessResult(AccessResult.Status.INVALID, -1, 1, st.detail());
                case BLOCKED:
                    if (lockHolder != 0 && lockHolder != f.id) {
                        waitForLock(w);
                        continue;
                    }
                    abandon(w, f);
                    return new AccessResult(AccessResult.Status.STALLED, -1, 1, st.detail());
                case RETRY:
                    if (retryWouldSpin(w, f)) {
                        abandon(w, f);
                        return new AccessResult(AccessResult.Status.STALLED, -1, 1,
                                "the fault retries until the invalidation in progress ends");
                    }
                    if (f.retries > MAX_RETRIES) {
                        abandon(w, f);
                        return new AccessResult(AccessResult.Status.ABANDONED, -1, 1, "more than " + MAX_RETRIES + " retries");
                    }
                    continue;
                default:
                    continue;
            }
        }
    }

    /**
     * The CPU-side step shared by both kinds (hmm_range_fault with HMM_PFN_REQ_FAULT,
     * KVM's hva_to_pfn): fault the page in like a CPU fault, then read the frame the
     * PTE maps. Returns null on success, else the FAILED step.
     */
    DriverFault.Step cpuFault(DeviceHost w, DriverFault f, String step) {
        if (detached || space.exited || space.released) {
            return new DriverFault.Step(f.id, step, DriverFault.Outcome.FAILED, space.name + " is gone (mmget_not_zero fails)");
        }
        if (w.handlePageRequest(space, f.va, f.write) == PageRequestResult.INVALID) {
            return new DriverFault.Step(f.id, step, DriverFault.Outcome.FAILED,
                    "-EFAULT: no VMA of " + space.name + " allows " + (f.write ? "writing " : "reading ") + Addr.hex(f.va));
        }
        long pte = space.pageTable.get(f.va);
        if (!Pte.present(pte)) {
            return new DriverFault.Step(f.id, step, DriverFault.Outcome.FAILED, "the PTE is " + Pte.describe(pte) + " after the fault");
        }
        f.pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((f.va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
        f.gen = w.memory().gen(f.pfn);
        f.writable = Pte.writable(pte);
        return null;
    }

    /** Installs the collected frame in the table and tells the checker (an entry for a dead frame is caught at once). */
    void install(DeviceHost w, DriverFault f) {
        Translation t = table.insert(f.va, f.pfn, f.gen, f.writable);
        w.checks().entryInstalled(this, t);
    }

    DriverFault.Step ran(DriverFault f, String step, String detail) {
        f.pc++;
        boolean last = f.pc >= faultSteps().size();
        return new DriverFault.Step(f.id, step, last ? DriverFault.Outcome.DONE : DriverFault.Outcome.RAN, detail);
    }

    static DriverFault.Step blocked(DriverFault f, String step, String why) {
        return new DriverFault.Step(f.id, step, DriverFault.Outcome.BLOCKED, why);
    }

    /** The lock step: wait if another fault holds it or a handler blocked the device. */
    DriverFault.Step lock(DriverFault f, String step, String lockName) {
        String why = whyBlocked(f);
        if (why != null) return blocked(f, step, why.replace("the driver lock", lockName));
        lockHolder = f.id;
        return ran(f, step, lockName + " taken");
    }

    /** The collision check failed: drop the lock and what the fault holds, start again. */
    DriverFault.Step retry(DeviceHost w, DriverFault f, String step, String why) {
        lockHolder = 0;
        releaseRef(w, f);
        f.retries++;
        f.pc = 0;
        f.pfn = -1;
        f.gen = 0;
        f.writable = false;
        return new DriverFault.Step(f.id, step, DriverFault.Outcome.RETRY, why);
    }

    // ------------------------------------------------------------ device access

    @Override
    public AccessResult access(DeviceHost w, long va, boolean write) {
        if (space == null || detached) return new AccessResult(AccessResult.Status.INVALID, -1, 0, name + " is detached");
        if (lookupTakesLock()) waitForLock(w);
        int faulted = 0;
        while (true) {
            Translation t = table.lookup(va);
            if (t != null && (!write || t.writable)) {
                AccessResult r = w.deviceUse(this, t, va, write, tableName() + " hit");
                return new AccessResult(r.status(), r.pfn(), faulted, r.detail());
            }
            if (blocked) return new AccessResult(AccessResult.Status.STALLED, -1, faulted, name + " is blocked");
            if (faulted >= 2) {
                return new AccessResult(AccessResult.Status.ABANDONED, -1, faulted, "the entry was gone again right after the fault");
            }
            faulted++;
            AccessResult r = runWhole(w, va, write);
            if (!r.ok()) return new AccessResult(r.status(), r.pfn(), faulted, r.detail());
        }
    }

    // ------------------------------------------------------------ snapshots

    void copyDriverState(DriverDevice c, Space s) {
        copyCommon(c);
        c.space = s;
        c.detached = detached;
        c.lockHolder = lockHolder;
        if (table != null) c.table = table.copyFor(s);
        for (DriverFault f : inFlight.values()) c.inFlight.put(f.id, f.copy());
    }

    @Override
    public void hashInto(StateHasher h) {
        super.hashInto(h);
        java.util.function.IntUnaryOperator rename = h.owners();
        if (rename == null) {
            h.put(detached).put(lockHolder).put(inFlight.size());
            for (DriverFault f : inFlight.values()) f.hashInto(h, sequence(), false);
            return;
        }
        // owners renamed (symmetric threads permuted): faults in renamed-owner order, named by owner
        List<DriverFault> fs = new ArrayList<>(inFlight.values());
        fs.sort(java.util.Comparator.comparingInt((DriverFault f) -> rename.applyAsInt(f.owner)).thenComparingInt(f -> f.id));
        DriverFault holder = inFlight.get(lockHolder);
        h.put(detached).put(lockHolder == 0 ? 0 : holder == null ? -1 : holder.owner == 0 ? holder.id : -2 - rename.applyAsInt(holder.owner));
        h.put(inFlight.size());
        for (DriverFault f : fs) f.hashInto(h, sequence(), true);
    }
}
