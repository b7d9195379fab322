package mmn.engine.device;

import mmn.engine.check.Trace;
import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Translation;
import mmn.engine.mem.TranslationCache;
import mmn.engine.profile.Arch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A PCIe device with ATS and PRI behind an IOMMU that walks the space's own page table
 * (AMD IOMMUv2, Intel SVM, Arm SMMUv3 SVA).
 *
 * An access first tries the device's ATC. A miss (or a write through a read-only
 * entry) becomes an ATS translation request to the IOMMU, which answers from its IOTLB
 * or walks the table from the device's current root, through its walk cache when that
 * is on. A walk that ends at a non-present or read-only PTE makes the device send a
 * page request (one IO page fault, one interrupt); the kernel resolves it like a CPU
 * fault and answers SUCCESS (the device retries) or INVALID (the access fails with an
 * error and the device stays healthy). On arm64 (SMMU without BTM) an IOTLB entry with
 * too few rights is a translation fault too: the SMMU does not re-walk on a permission
 * miss, which is why permission upgrades need a secondary invalidation (the 6.6 fix,
 * kernel-reference §4.6); an x86 IOMMU drops the entry and re-walks.
 *
 * {@code pri retries N}: after an access's first fault the device retries at most N
 * times; if every retry faults again although the kernel answered SUCCESS, it enters
 * its failure state for good. With no limit the device keeps retrying until the
 * operation's faults pass the storm threshold; then fault-storm is reported and the
 * access abandoned.
 */
public final class AtsDevice extends Device {
    /** What the IOMMU walks for this device's PASID. */
    public enum RootKind { DETACHED, SPACE, EMPTY }

    private final int atcCapacity;
    private final int iotlbCapacity;
    private final boolean walkCacheOn;
    private final Integer priRetries;
    TranslationCache atc;
    TranslationCache iotlb;
    WalkCache walkCache;
    public RootKind root = RootKind.DETACHED;

    public AtsDevice(String name, int atcCapacity, int iotlbCapacity, boolean walkCacheOn, Integer priRetries) {
        super(name);
        this.atcCapacity = atcCapacity;
        this.iotlbCapacity = iotlbCapacity;
        this.walkCacheOn = walkCacheOn;
        this.priRetries = priRetries;
    }

    @Override
    public String kind() {
        return "ats";
    }

    public Integer priRetries() {
        return priRetries;
    }

    public boolean walkCacheOn() {
        return walkCacheOn;
    }

    public String rootDescription() {
        switch (root) {
            case SPACE: return space.name + "'s page table (pgd pfn " + space.pageTable.root() + ")";
            case EMPTY: return "the empty page table";
            default: return "none (detached)";
        }
    }

    public TranslationCache atc() { return atc; }

    public TranslationCache iotlb() { return iotlb; }

    @Override
    public WalkCache walkCache() { return walkCache; }

    @Override
    public List<TranslationCache> caches() {
        if (atc == null) return List.of();
        if (cacheList == null || cacheList.get(0) != atc || cacheList.get(1) != iotlb) cacheList = List.of(atc, iotlb);
        return cacheList;
    }

    /** caches(), kept: the checker and the state key ask for it at every restore and key. */
    private List<TranslationCache> cacheList;

    @Override
    public void bind(DeviceHost w, Space s) {
        space = s;
        host = w;
        atc = new TranslationCache(name + ".atc", s, atcCapacity);
        iotlb = new TranslationCache(name + ".iotlb", s, iotlbCapacity);
        walkCache = new WalkCache(name + ".walk-cache");
        w.checks().attach(this);
        setRoot(w, s);
    }

    @Override
    public void setRoot(DeviceHost w, Space s) {
        root = RootKind.SPACE;
        w.checks().rootChanged(this, s.pageTable.root());
        w.trace().event("device", name + ": root := " + s.name + "'s page table", new Trace.Fields().device(name));
    }

    @Override
    public void setRootEmpty(DeviceHost w) {
        root = RootKind.EMPTY;
        w.checks().rootChanged(this, -1);
        w.trace().event("device", name + ": root := empty page table", new Trace.Fields().device(name));
    }

    @Override
    public void detach(DeviceHost w) {
        root = RootKind.DETACHED;
        w.checks().rootChanged(this, -1);
        flushAll(w);
        w.trace().event("device", name + ": detached (PASID entry cleared)", new Trace.Fields().device(name));
    }

    /** The IOMMU's flush: IOTLB first, then the device ATC, so the ATC cannot refill from a stale IOTLB. */
    @Override
    public void flush(DeviceHost w, Range r) {
        if (atc == null) return;
        int a = iotlb.flush(r);
        int b = atc.flush(r);
        int c = walkCache.flush(r);
        if (w.trace().keeping()) w.trace().event("flush", name + " " + r + ": iotlb " + a + ", atc " + b + ", walk-cache " + c + " entries",
                new Trace.Fields().device(name).range(r).count(a + b + c));
    }

    @Override
    public void flushAll(DeviceHost w) {
        if (atc == null) return;
        int a = iotlb.flushAll();
        int b = atc.flushAll();
        int c = walkCache.flushAll();
        if (w.trace().keeping()) w.trace().event("flush", name + " all: iotlb " + a + ", atc " + b + ", walk-cache " + c + " entries",
                new Trace.Fields().device(name).range(Range.ALL).count(a + b + c));
    }

    @Override
    public AccessResult access(DeviceHost w, long va, boolean write) {
        if (failed) return new AccessResult(AccessResult.Status.FAILED, -1, 0, name + " is in its failure state");
        int tries = 0;
        String[] why = new String[1];
        while (true) {
            AccessResult done = translate(w, va, write, tries, why);
            if (done != null) return done;
            tries++;
            AccessResult abandoned = pageRequest(w, va, write, tries, why[0]);
            if (abandoned != null) return abandoned;
            PageRequestResult res = resolve(w, va, write);
            if (res == PageRequestResult.WAIT) {
                // the fault handler waits for the running operation (its PTL, or the migration
                // entry): the request is answered only after it, so the access stays pending
                return new AccessResult(AccessResult.Status.STALLED, -1, tries, "page request waits for the running operation");
            }
            AccessResult after = response(w, res, tries, why[0]);
            if (after != null) return after;
        }
    }

    /**
     * (1) The device's side up to the page request: ATC, IOTLB, walk. Returns the result
     * when the access ends here (a hit, a blocked device), or null when the walk faulted
     * ({@code why[0]} says why).
     */
    private AccessResult translate(DeviceHost w, long va, boolean write, int tries, String[] why) {
        Translation t = atc.lookup(va);
        if (t != null && (!write || t.writable)) return w.deviceUse(this, t, va, write, "atc hit");
        if (blocked) return new AccessResult(AccessResult.Status.STALLED, -1, tries, "translation stalled: " + name + " is blocked");
        Translation io = iotlb.lookup(va);
        if (io != null && write && !io.writable && w.arch() == Arch.X86) {
            // x86 IOMMUs treat a permission miss in the IOTLB as a miss and re-walk
            iotlb.remove(Addr.pageDown(va));
            io = null;
        }
        if (io != null) {
            if (!write || io.writable) {
                Translation filled = atc.insert(va, io.pfn, io.gen, io.writable);
                return w.deviceUse(this, filled, va, write, "iotlb hit");
            }
            why[0] = "iotlb holds " + Addr.hex(Addr.pageDown(va)) + " read-only";
            return null;
        }
        long pte = walk(w, va);
        if (Pte.present(pte) && (!write || Pte.writable(pte))) {
            int pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
            int gen = w.memory().gen(pfn);
            Translation filled = atc.insert(va, pfn, gen, Pte.writable(pte));
            iotlb.insert(va, pfn, gen, Pte.writable(pte));
            w.markAccessed(space, va, write);
            return w.deviceUse(this, filled, va, write, "walk");
        }
        if (Pte.present(pte)) {
            // the translation completion grants read only: ATC and IOTLB keep it, the
            // device then asks for write access with a page request
            int pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
            atc.insert(va, pfn, w.memory().gen(pfn), false);
            iotlb.insert(va, pfn, w.memory().gen(pfn), false);
        }
        why[0] = root == RootKind.EMPTY ? "walk from the empty page table" : pte == Pte.NONE ? WALK_FOUND_NONE : "walk found " + Pte.describe(pte);
        return null;
    }

    /** The commonest reason, built once: an explorer's accesses after a zap find no PTE every time (and the key hashes it). */
    private static final String WALK_FOUND_NONE = "walk found " + Pte.describe(Pte.NONE);

    /** A fault storm is detected only without `pri retries` (pageRequest): with it, the per-operation count is never compared. */
    @Override
    protected boolean stormCounted() {
        return priRetries == null;
    }

    /** The page request itself: one IO page fault, one interrupt; past the storm threshold the access is abandoned. */
    private AccessResult pageRequest(DeviceHost w, long va, boolean write, int tries, String faultWhy) {
        faults++;
        countOpFault(w);
        if (w.trace().keeping()) w.trace().event("fault", name + " page request " + Addr.hex(Addr.pageDown(va)) + (write ? " write" : " read")
                + " (" + faultWhy + "), fault " + opFaults + " of this operation", new Trace.Fields().device(name));
        if (priRetries == null && opFaults > w.stormThreshold()) {
            if (!stormReported) {
                stormReported = true;
                w.checks().report(ViolationKind.FAULT_STORM, name, null, -1, 0,
                        name + " took " + opFaults + " IO page faults in one operation (threshold "
                                + w.stormThreshold() + "); the access is abandoned");
            }
            return new AccessResult(AccessResult.Status.ABANDONED, -1, tries, "fault storm");
        }
        return null;
    }

    /** (2) The kernel's side: handle_mm_fault for the request (INVALID when the PASID is detached). */
    private PageRequestResult resolve(DeviceHost w, long va, boolean write) {
        PageRequestResult res = root == RootKind.DETACHED ? PageRequestResult.INVALID
                : w.handlePageRequest(space, va, write);
        if (w.trace().keeping()) w.trace().event("fault", name + " page request answered " + res, new Trace.Fields().device(name));
        return res;
    }

    /** (3) The device receives the response: INVALID ends the access, SUCCESS retries unless the retries are used up (null). */
    private AccessResult response(DeviceHost w, PageRequestResult res, int tries, String faultWhy) {
        if (res == PageRequestResult.INVALID) {
            return new AccessResult(AccessResult.Status.INVALID, -1, tries, "page request answered INVALID");
        }
        if (priRetries != null && tries > priRetries) {
            failed = true;
            w.checks().report(ViolationKind.DEVICE_FAILED, name, null, -1, 0,
                    name + " faulted " + tries + " times on one access (" + faultWhy + ") although every page request"
                            + " was answered SUCCESS; past its " + priRetries + " retries it entered its failure state");
            return new AccessResult(AccessResult.Status.FAILED, -1, tries, "retries exhausted");
        }
        return null;
    }

    // ---------------------------------------------------------------- the PRI round trip, one actor at a time

    /** Where a stepped access stands after a step. */
    public enum AccessStage {
        /** The access ended ({@link #lastAccess()} says how). */
        DONE,
        /** The device sent a page request; the kernel has not handled it yet. */
        REQUESTED,
        /** The kernel answered; the device has not received the response yet. */
        ANSWERED
    }

    /** An access's page request in flight, tagged with the explorer action that owns it. */
    /** Immutable: copies of the device (a snapshot, a restored world) share them, and the map too until either writes. */
    record PendingRequest(long va, boolean write, int tries, String why, PageRequestResult answer /* null until the kernel handled it */) {
        PendingRequest answered(PageRequestResult res) {
            return new PendingRequest(va, write, tries, why, res);
        }
    }

    /** In-flight page requests by owner (sorted, so equal sets hash equally). */
    private java.util.TreeMap<Integer, PendingRequest> pending = new java.util.TreeMap<>();
    /** Whether {@link #pending} is shared with a copy of this device: the first write clones it. */
    private boolean pendingShared;

    /** {@link #pending}, to change. */
    private java.util.TreeMap<Integer, PendingRequest> pendingForWrite() {
        if (pendingShared) {
            pending = new java.util.TreeMap<>(pending);
            pendingShared = false;
        }
        return pending;
    }

    /** Owners of the page requests in flight, and where each stands (for tests and {@code show}). */
    public java.util.Map<Integer, AccessStage> pendingRequests() {
        java.util.Map<Integer, AccessStage> m = new java.util.TreeMap<>();
        pending.forEach((o, r) -> m.put(o, r.answer == null ? AccessStage.REQUESTED : AccessStage.ANSWERED));
        return m;
    }

    /** (1) An access's first walk; a miss leaves a page request owned by {@code owner} in flight. */
    public AccessStage beginAccess(DeviceHost w, long va, boolean write, int owner) {
        if (owner == 0) throw new IllegalArgumentException("owner 0 means no owner");
        if (pending.containsKey(owner)) throw new IllegalStateException(name + ": owner " + owner + " already has a page request in flight");
        if (failed) return end(w, va, write, new AccessResult(AccessResult.Status.FAILED, -1, 0, name + " is in its failure state"));
        return walkAndRequest(w, va, write, 0, owner);
    }

    private AccessStage walkAndRequest(DeviceHost w, long va, boolean write, int tries, int owner) {
        String[] why = new String[1];
        AccessResult done = translate(w, va, write, tries, why);
        if (done != null) return end(w, va, write, done);
        tries++;
        AccessResult abandoned = pageRequest(w, va, write, tries, why[0]);
        if (abandoned != null) return end(w, va, write, abandoned);
        pendingForWrite().put(owner, new PendingRequest(va, write, tries, why[0], null));
        return AccessStage.REQUESTED;
    }

    /**
     * Whether the next step of owner's access ({@code stage} 0 the walk, 1 the kernel's
     * handling, 2 the receipt of the answer) would write nothing but owner's own page
     * request and the fault counters, and raise nothing: a walk that misses in the ATC and
     * the IOTLB and finds no present PTE (nothing is cached; no walk cache to fill); a
     * handling answered INVALID without faulting anything in (no VMA allows the access,
     * the mm is gone, the PASID is detached); the receipt of an INVALID answer, which ends
     * the access. Only on a device that cannot storm: the counters then only add up, and no
     * step compares them. Such a step and another owner's such step, or a read that hits
     * in a TLB, commute: the explorer's sleep sets use it (docs/explore.md, "Sleep sets").
     */
    public boolean quietStep(DeviceHost w, int stage, long va, boolean write, int owner) {
        if (stormCounted() || failed || atc == null) return false;
        PendingRequest r = pending.get(owner);
        switch (stage) {
            case 0: // beginAccess -> walkAndRequest: translate (no insert), pageRequest (counters), the request put
                if (r != null || blocked || walkCacheOn || atc.lookup(va) != null || iotlb.lookup(va) != null) return false;
                return !Pte.present(walk(w, va)); // no walk cache: the walk only reads
            case 1: // handleRequest: resolve answers INVALID, the answer put
                if (r == null || r.answer != null) return false;
                return root == RootKind.DETACHED || w.pageRequestRefused(space, r.va, r.write);
            default: // retryAccess: the request removed, response(INVALID) ends the access
                return r != null && r.answer == PageRequestResult.INVALID;
        }
    }

    /** Whether handle_mm_fault for owner's request would sleep now (the running operation's PTL, a migration entry). */
    public boolean requestWaits(DeviceHost w, int owner) {
        PendingRequest r = pending.get(owner);
        if (r == null || r.answer != null || root == RootKind.DETACHED) return false;
        return w.pageRequestWaits(space, r.va, r.write);
    }

    /** (2) The kernel handles owner's page request: SUCCESS or INVALID, held until the device receives it. */
    public AccessStage handleRequest(DeviceHost w, int owner) {
        PendingRequest r = request(owner);
        if (r.answer != null) throw new IllegalStateException(name + ": owner " + owner + "'s page request is already answered");
        PageRequestResult res = resolve(w, r.va, r.write);
        if (res == PageRequestResult.WAIT)
            throw new IllegalStateException(name + ": owner " + owner + "'s page request was handled while it waits");
        pendingForWrite().put(owner, r.answered(res));
        return AccessStage.ANSWERED;
    }

    /** (3) The device receives owner's response: INVALID or retries exhausted end the access; SUCCESS walks again. */
    public AccessStage retryAccess(DeviceHost w, int owner) {
        PendingRequest r = request(owner);
        if (r.answer == null) throw new IllegalStateException(name + ": owner " + owner + "'s page request is not answered yet");
        pendingForWrite().remove(owner);
        AccessResult after = response(w, r.answer, r.tries, r.why);
        if (after != null) return end(w, r.va, r.write, after);
        return walkAndRequest(w, r.va, r.write, r.tries, owner);
    }

    private PendingRequest request(int owner) {
        PendingRequest r = pending.get(owner);
        if (r == null) throw new IllegalStateException(name + ": owner " + owner + " has no page request in flight");
        return r;
    }

    private AccessStage end(DeviceHost w, long va, boolean write, AccessResult r) {
        w.accessEnded(this, va, write, r);
        return AccessStage.DONE;
    }

    /** The IOMMU's table walk from the current root; caches upper-level entries when walk-cache is on. */
    private long walk(DeviceHost w, long va) {
        if (root != RootKind.SPACE) return Pte.NONE;
        int t = space.pageTable.root();
        if (t < 0) return Pte.NONE;
        int level = 4;
        if (walkCacheOn) {
            for (int l = 2; l <= 4; l++) {
                WalkCache.Entry e = walkCache.lookup(va, l);
                if (e != null) {
                    w.checks().walkCacheUsed(this, e);
                    t = e.pfn();
                    level = l - 1;
                    break;
                }
            }
        }
        for (; level >= 1; level--) {
            long[] tab = w.memory().table(t);
            if (tab == null) return Pte.NONE;
            long e = tab[Addr.index(va, level)];
            if (level == 1 || (level == 2 && Pte.huge(e))) return e;
            if (!Pte.present(e)) return Pte.NONE;
            if (walkCacheOn) walkCache.insert(level, va, Pte.pfn(e), w.memory().gen(Pte.pfn(e)));
            t = Pte.pfn(e);
        }
        return Pte.NONE;
    }

    @Override
    public Device copyFor(DeviceHost w, Space s) {
        AtsDevice c = new AtsDevice(name, atcCapacity, iotlbCapacity, walkCacheOn, priRetries);
        c.host = w;
        copyCommon(c);
        c.space = s;
        c.root = root;
        if (atc != null) {
            c.atc = atc.copyFor(s);
            c.iotlb = iotlb.copyFor(s);
            c.walkCache = walkCache.copy();
        }
        c.pending = pending;
        c.pendingShared = pendingShared = true;
        return c;
    }

    @Override
    public boolean sameShape(Device src) {
        if (!(src instanceof AtsDevice o) || !name.equals(o.name) || !sameSpaceName(o) || host == null) return false;
        if (atcCapacity != o.atcCapacity || iotlbCapacity != o.iotlbCapacity || walkCacheOn != o.walkCacheOn
                || !java.util.Objects.equals(priRetries, o.priRetries)) return false;
        if (atc == null || o.atc == null) return atc == o.atc;
        return atc.id() == o.atc.id() && iotlb.id() == o.iotlb.id();
    }

    @Override
    public void assignFrom(Device src) {
        AtsDevice o = (AtsDevice) src;
        o.copyCommon(this);
        root = o.root;
        if (atc != null) {
            atc.assignFrom(o.atc);
            iotlb.assignFrom(o.iotlb);
            walkCache.assignFrom(o.walkCache);
        }
        if (pending != o.pending) {
            pending = o.pending;
            pendingShared = o.pendingShared = true;
        }
    }

    @Override
    public void hashInto(StateHasher h) {
        super.hashInto(h);
        h.put(root.ordinal());
        if (pending.isEmpty()) {
            h.put(0);
            return;
        }
        // a set by (renamed) owner, hashed order-independently: no sort, nothing allocated but the digest
        java.util.function.IntUnaryOperator rename = h.owners();
        StateHasher.SetDigest set = new StateHasher.SetDigest();
        for (var e : pending.entrySet()) {
            PendingRequest r = e.getValue();
            int o = rename == null ? e.getKey() : rename.applyAsInt(e.getKey());
            // canonical: tries is compared only against pri retries N (response), never without it
            long tries = !h.isCanonical() ? r.tries : priRetries == null ? 0 : Math.min(r.tries, priRetries + 1L);
            long x = StateHasher.element(0, o);
            x = StateHasher.element(x, r.va);
            x = StateHasher.element(x, r.write ? 1 : 0);
            x = StateHasher.element(x, tries);
            x = StateHasher.element(x, r.why == null ? -1 : (long) r.why.length() << 32 ^ r.why.hashCode());
            set.add(StateHasher.element(x, r.answer == null ? -1 : r.answer.ordinal()));
        }
        h.putSet(set);
    }
}
