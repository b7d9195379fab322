package mmn.engine;

import java.util.ArrayList;
import java.util.List;

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
    enum RootKind { DETACHED, SPACE, EMPTY }

    private final int atcCapacity;
    private final int iotlbCapacity;
    private final boolean walkCacheOn;
    private final Integer priRetries;
    TranslationCache atc;
    TranslationCache iotlb;
    WalkCache walkCache;
    RootKind root = RootKind.DETACHED;

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
        List<TranslationCache> l = new ArrayList<>();
        if (atc != null) l.add(atc);
        if (iotlb != null) l.add(iotlb);
        return l;
    }

    @Override
    void bind(World w, Space s) {
        space = s;
        atc = new TranslationCache(name + ".atc", s, atcCapacity);
        iotlb = new TranslationCache(name + ".iotlb", s, iotlbCapacity);
        walkCache = new WalkCache(name + ".walk-cache");
        w.checker.attach(this);
        setRoot(w, s);
    }

    @Override
    void setRoot(World w, Space s) {
        root = RootKind.SPACE;
        w.checker.rootChanged(this, s.pageTable.root());
        w.trace.event("device", name + ": root := " + s.name + "'s page table");
    }

    @Override
    void setRootEmpty(World w) {
        root = RootKind.EMPTY;
        w.checker.rootChanged(this, -1);
        w.trace.event("device", name + ": root := empty page table");
    }

    @Override
    void detach(World w) {
        root = RootKind.DETACHED;
        w.checker.rootChanged(this, -1);
        flushAll(w);
        w.trace.event("device", name + ": detached (PASID entry cleared)");
    }

    /** The IOMMU's flush: IOTLB first, then the device ATC, so the ATC cannot refill from a stale IOTLB. */
    @Override
    void flush(World w, Range r) {
        if (atc == null) return;
        int a = iotlb.flush(r);
        int b = atc.flush(r);
        int c = walkCache.flush(r);
        if (w.trace.keeping()) w.trace.event("flush", name + " " + r + ": iotlb " + a + ", atc " + b + ", walk-cache " + c + " entries");
    }

    @Override
    void flushAll(World w) {
        if (atc == null) return;
        int a = iotlb.flushAll();
        int b = atc.flushAll();
        int c = walkCache.flushAll();
        if (w.trace.keeping()) w.trace.event("flush", name + " all: iotlb " + a + ", atc " + b + ", walk-cache " + c + " entries");
    }

    @Override
    AccessResult access(World w, long va, boolean write) {
        if (failed) return new AccessResult(AccessResult.Status.FAILED, -1, 0, name + " is in its failure state");
        int tries = 0;
        while (true) {
            Translation t = atc.lookup(va);
            if (t != null && (!write || t.writable)) return w.deviceUse(this, t, va, write, "atc hit");
            if (blocked) return new AccessResult(AccessResult.Status.STALLED, -1, tries, "translation stalled: " + name + " is blocked");
            Translation io = iotlb.lookup(va);
            if (io != null && write && !io.writable && w.arch() == World.Arch.X86) {
                // x86 IOMMUs treat a permission miss in the IOTLB as a miss and re-walk
                iotlb.remove(Addr.pageDown(va));
                io = null;
            }
            String faultWhy;
            if (io != null) {
                if (!write || io.writable) {
                    Translation filled = atc.insert(va, io.pfn, io.gen, io.writable);
                    return w.deviceUse(this, filled, va, write, "iotlb hit");
                }
                faultWhy = "iotlb holds " + Addr.hex(Addr.pageDown(va)) + " read-only";
            } else {
                long pte = walk(w, va);
                if (Pte.present(pte) && (!write || Pte.writable(pte))) {
                    int pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
                    int gen = w.mem.gen(pfn);
                    Translation filled = atc.insert(va, pfn, gen, Pte.writable(pte));
                    iotlb.insert(va, pfn, gen, Pte.writable(pte));
                    w.vmm.markAccessed(space, va, write);
                    return w.deviceUse(this, filled, va, write, "walk");
                }
                if (Pte.present(pte)) {
                    // the translation completion grants read only: ATC and IOTLB keep it, the
                    // device then asks for write access with a page request
                    int pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
                    atc.insert(va, pfn, w.mem.gen(pfn), false);
                    iotlb.insert(va, pfn, w.mem.gen(pfn), false);
                }
                faultWhy = root == RootKind.EMPTY ? "walk from the empty page table" : "walk found " + Pte.describe(pte);
            }
            // page request: one IO page fault, one interrupt
            tries++;
            faults++;
            opFaults++;
            if (w.trace.keeping()) w.trace.event("fault", name + " page request " + Addr.hex(Addr.pageDown(va)) + (write ? " write" : " read")
                    + " (" + faultWhy + "), fault " + opFaults + " of this operation");
            if (priRetries == null && opFaults > w.stormThreshold()) {
                if (!stormReported) {
                    stormReported = true;
                    w.checker.report(ViolationKind.FAULT_STORM, name, null, -1, 0,
                            name + " took " + opFaults + " IO page faults in one operation (threshold "
                                    + w.stormThreshold() + "); the access is abandoned");
                }
                return new AccessResult(AccessResult.Status.ABANDONED, -1, tries, "fault storm");
            }
            World.PageRequestResult res = root == RootKind.DETACHED ? World.PageRequestResult.INVALID
                    : w.vmm.handlePageRequest(space, va, write);
            if (w.trace.keeping()) w.trace.event("fault", name + " page request answered " + res);
            if (res == World.PageRequestResult.WAIT) {
                // the fault handler waits for the running operation (its PTL, or the migration
                // entry): the request is answered only after it, so the access stays pending
                return new AccessResult(AccessResult.Status.STALLED, -1, tries, "page request waits for the running operation");
            }
            if (res == World.PageRequestResult.INVALID) {
                return new AccessResult(AccessResult.Status.INVALID, -1, tries, "page request answered INVALID");
            }
            if (priRetries != null && tries > priRetries) {
                failed = true;
                w.checker.report(ViolationKind.DEVICE_FAILED, name, null, -1, 0,
                        name + " faulted " + tries + " times on one access (" + faultWhy + ") although every page request"
                                + " was answered SUCCESS; past its " + priRetries + " retries it entered its failure state");
                return new AccessResult(AccessResult.Status.FAILED, -1, tries, "retries exhausted");
            }
        }
    }

    /** The IOMMU's table walk from the current root; caches upper-level entries when walk-cache is on. */
    private long walk(World w, long va) {
        if (root != RootKind.SPACE) return Pte.NONE;
        int t = space.pageTable.root();
        if (t < 0) return Pte.NONE;
        int level = 4;
        if (walkCacheOn) {
            for (int l = 2; l <= 4; l++) {
                WalkCache.Entry e = walkCache.lookup(va, l);
                if (e != null) {
                    w.checker.walkCacheUsed(this, e);
                    t = e.pfn();
                    level = l - 1;
                    break;
                }
            }
        }
        for (; level >= 1; level--) {
            long[] tab = w.mem.table(t);
            if (tab == null) return Pte.NONE;
            long e = tab[Addr.index(va, level)];
            if (level == 1 || (level == 2 && Pte.huge(e))) return e;
            if (!Pte.present(e)) return Pte.NONE;
            if (walkCacheOn) walkCache.insert(level, va, Pte.pfn(e), w.mem.gen(Pte.pfn(e)));
            t = Pte.pfn(e);
        }
        return Pte.NONE;
    }

    @Override
    Device copyFor(World w, Space s) {
        AtsDevice c = new AtsDevice(name, atcCapacity, iotlbCapacity, walkCacheOn, priRetries);
        copyCommon(c);
        c.space = s;
        c.root = root;
        if (atc != null) {
            c.atc = atc.copyFor(s);
            c.iotlb = iotlb.copyFor(s);
            c.walkCache = walkCache.copy();
        }
        return c;
    }

    @Override
    void hashInto(StateHasher h) {
        super.hashInto(h);
        h.put(root.ordinal());
    }
}
