package mmn.engine.check;

import mmn.engine.device.DeviceChecks;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.WalkCache;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PageTable;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Translation;
import mmn.engine.mem.TranslationCache;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The coherence checker. Safety is checked at every micro-step where it can break (a
 * frame freed, a device using an entry, a PTE repointed); full coherence at statement
 * boundaries. It is incremental: reverse maps from frames and from pages to the cached
 * entries that name them mean a free costs O(entries naming that frame) and a boundary
 * costs O(pages changed + entries made since the last boundary), never O(all entries).
 *
 * A violation is reported once, where it first appears: the same stale entry is not
 * reported again at later steps.
 */
public final class Checker implements PhysMem.Listener, PageTable.Listener, DeviceChecks {
    /** What the checker reads of the kernel: memory, the spaces and devices, where the statement is. */
    public interface Host extends Trace.Position {
        PhysMem memory();

        Trace trace();

        Map<String, Space> spaceMap();

        Map<String, Device> deviceMap();

        /** Frames the running operation has already copied out (a device write into one is lost). */
        Set<Integer> copiedOut();

        String statement();

        List<String> hooksThisStatement();
    }

    private final Host w;
    /** frame -> translations, walk-cache entries and device roots that name it. */
    // the index's buckets are small insertion-ordered lists (a frame or a page has one or two
    // entries naming it; reports iterate in insertion order): a LinkedHashSet per bucket was a
    // quarter of what an explore allocated, since every restore rebuilds the index
    private final Map<Integer, List<Object>> byFrame = new HashMap<>();
    /** (space, page) -> translations of it. */
    private final Map<PageKey, List<Translation>> byPage = new HashMap<>();
    private final Map<Device, RootRef> roots = new LinkedHashMap<>();
    /**
     * Whether byFrame and byPage are out of date: a restore only marks them so, and the
     * first check that reads them rebuilds them from the caches ({@link #ensureIndex}).
     * Most explorer steps (a device access filling an ATC) never read them, and the
     * rebuild on every restore was a sixth of an explore's time. The pending work
     * (dirtyPages, newEntries) and the roots are always kept current.
     */
    private boolean indexStale;
    private Set<PageKey> dirtyPages = new LinkedHashSet<>();
    /** Whether dirtyPages is a mid-statement snapshot's set (restored as it is) or {@link #NO_PAGES}: the first change copies it. */
    private boolean dirtyShared;
    /** An empty dirtyPages never written (shared: the first change copies it), so emptying the set allocates nothing. */
    private static final Set<PageKey> NO_PAGES = java.util.Collections.unmodifiableSet(new LinkedHashSet<>());

    /** dirtyPages, to change. */
    private Set<PageKey> dirty() {
        if (dirtyShared) {
            dirtyPages = new LinkedHashSet<>(dirtyPages);
            dirtyShared = false;
        }
        return dirtyPages;
    }
    private Set<Translation> newEntries = new LinkedHashSet<>();
    private final Set<String> reported = new HashSet<>();
    private final List<Violation> violations = new ArrayList<>();

    /**
     * A page of a space, by the space's name: a restored world's spaces are new objects
     * with the same names, so a mid-statement snapshot carries its pending pages as they
     * are. Hashed by mixing the page number: a page-aligned address's low 12 bits are
     * zero, so consecutive pages shared a few buckets (and HashMap turned them into trees).
     */
    record PageKey(String space, long va) {
        PageKey(Space s, long va) {
            this(s.name, va);
        }

        @Override
        public int hashCode() {
            long h = (va >>> Addr.PAGE_SHIFT) * 0x9E3779B97F4A7C15L ^ space.hashCode();
            return (int) (h ^ (h >>> 32));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PageKey k && k.va == va && k.space.equals(space);
        }
    }

    /** A device root (PASID table entry / GCR3) pointing at a space's PGD frame. */
    record RootRef(Device device, int pfn, int gen) {}

    private final TranslationCache.Index tlbIndex = new TranslationCache.Index() {
        @Override
        public void inserted(Translation t) {
            if (!indexStale) index(t);
            newEntries.add(t);
        }

        @Override
        public void removed(Translation t) {
            newEntries.remove(t);
            if (indexStale) return;
            List<Object> s = byFrame.get(t.pfn);
            if (s != null && s.remove(t) && s.isEmpty()) byFrame.remove(t.pfn);
            PageKey k = new PageKey(t.owner.space, t.va);
            List<Translation> p = byPage.get(k);
            if (p != null && p.remove(t) && p.isEmpty()) byPage.remove(k);
        }
    };

    private void index(Translation t) {
        addOnce(byFrame.computeIfAbsent(t.pfn, k -> new ArrayList<>(2)), t);
        addOnce(byPage.computeIfAbsent(new PageKey(t.owner.space, t.va), k -> new ArrayList<>(2)), t);
    }

    private final WalkCache.Index walkIndex = new WalkCache.Index() {
        @Override
        public void inserted(WalkCache.Entry e) {
            if (indexStale) return;
            addOnce(byFrame.computeIfAbsent(e.pfn(), k -> new ArrayList<>(2)), e);
        }

        @Override
        public void removed(WalkCache.Entry e) {
            if (indexStale) return;
            List<Object> s = byFrame.get(e.pfn());
            if (s != null && s.remove(e) && s.isEmpty()) byFrame.remove(e.pfn());
        }
    };

    /** A set's add on a small list: insertion order kept, no duplicates (by equals, as the sets had it). */
    private static <T> void addOnce(List<T> bucket, T x) {
        if (!bucket.contains(x)) bucket.add(x);
    }

    public Checker(Host w) {
        this.w = w;
    }

    public void attach(TranslationCache c) {
        c.setIndex(tlbIndex);
    }

    public void attach(Device d) {
        for (TranslationCache c : d.caches()) c.setIndex(tlbIndex);
        if (d.walkCache() != null) d.walkCache().setIndex(walkIndex);
    }

    public void rootChanged(Device d, int pfn) {
        RootRef old = roots.remove(d);
        if (old != null && !indexStale) {
            List<Object> s = byFrame.get(old.pfn);
            if (s != null && s.remove(old) && s.isEmpty()) byFrame.remove(old.pfn);
        }
        if (pfn >= 0) {
            RootRef r = new RootRef(d, pfn, w.memory().gen(pfn));
            roots.put(d, r);
            if (!indexStale) addOnce(byFrame.computeIfAbsent(pfn, k -> new ArrayList<>(2)), r);
        }
    }

    public List<Violation> violations() {
        return List.copyOf(violations);
    }

    public int count() {
        return violations.size();
    }

    /** Records a violation unless the same one was reported before. */
    public void report(ViolationKind kind, String device, String entry, int pfn, int gen, String why) {
        // one report per stale thing: the same device entry for the same frame incarnation is
        // not reported again by a later step or by another cache level of the same device
        String key = entry == null ? kind + "|" + device + "|" + w.statementNo() + "|" + why
                : device + "|" + entryKey(entry) + "|" + pfn + "|" + gen;
        if (!reported.add(key)) return;
        Violation v = new Violation(kind, w.statement(), w.operation(), w.phase(), device, entry, pfn, gen, why, w.hooksThisStatement());
        violations.add(v);
        w.trace().event("violation", v.headline() + ": " + why, new Trace.Fields().result(kind.label()).device(device).entry(entry)
                .frame(pfn, gen).why(why));
    }

    /** "gpu.atc[0x400000 -> ..." and "gpu.iotlb[0x400000 -> ..." name the same page of the same device. */
    private static String entryKey(String entry) {
        int b = entry.indexOf('[');
        int arrow = entry.indexOf(" -> ");
        if (b < 0 || arrow < 0) return entry;
        String inside = entry.substring(b + 1, arrow);
        return inside.startsWith("pgd") || inside.startsWith("pud") || inside.startsWith("pmd") ? "walk:" + inside : inside;
    }

    // ---- safety at every micro-step ----

    /** A frame went back to the allocator: nothing may still translate to it. */
    @Override
    public void frameFreed(int pfn, FrameKind was, int gen) {
        ensureIndex();
        List<Object> refs = byFrame.get(pfn);
        if (refs == null) return;
        for (Object o : new ArrayList<>(refs)) {
            if (o instanceof Translation t && t.gen == gen) {
                report(ViolationKind.USE_AFTER_FREE, ownerName(t.owner), t.toString(), pfn, gen,
                        "frame " + pfn + " (" + was.label() + ") was freed while " + t.owner.label
                                + " still translates " + Addr.hex(t.va) + " to it" + reasonSuffix(t));
            } else if (o instanceof WalkCache.Entry e && e.gen() == gen) {
                report(ViolationKind.STALE_WALK_CACHE, ownerOf(e), e.toString(), pfn, gen,
                        "page-table page pfn " + pfn + " (" + Addr.levelName(e.level() - 1) + " table for "
                                + e.covers() + ") was freed while " + e.owner().label() + " still points at it");
            } else if (o instanceof RootRef r && r.gen == gen) {
                report(ViolationKind.USE_AFTER_FREE, r.device.name, r.device.name + ".root", pfn, gen,
                        "the page directory pfn " + pfn + " was freed while " + r.device.name
                                + "'s PASID entry still points at it (the device was never detached)");
            }
        }
    }

    private String reasonSuffix(Translation t) {
        Space s = w.spaceMap().get(t.owner.space);
        if (s != null && t.owner == s.cpuTlb.id()) return " (the VMM itself failed to flush the CPU TLB)";
        return "";
    }

    /** A device is using an entry: the frame must still be the one it was made for. */
    public void deviceUsed(Device d, Translation t, long va, boolean write) {
        int pfn = t.pfnFor(va);
        if (!w.memory().alive(pfn, t.gen)) {
            report(ViolationKind.USE_AFTER_FREE, d.name, t.toString(), pfn, t.gen,
                    d.name + " " + (write ? "wrote" : "read") + " " + Addr.hex(va) + " through " + t.owner.label
                            + " into frame " + pfn + " that was freed" + (w.memory().kind(pfn) != FrameKind.FREE
                            ? " and reused (now gen " + w.memory().gen(pfn) + ", " + w.memory().kind(pfn).label() + ")" : ""));
            return;
        }
        if (write) {
            // A write racing an unmap lands in memory the process gave up: the kernel allows
            // it until the flush, the CPU can do the same. It is lost only when the address
            // is now backed by another page (COW, KSM, migration) or its data is being
            // copied out (a migration or swap entry): the process will read the other copy.
            long pte = w.spaceMap().get(t.owner.space).pageTable.get(va);
            int backing = Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0);
            boolean repointed = Pte.mapsPage(pte) && backing != pfn;
            // a write before the copy (migration) or the pageout (reclaim) is carried over; after it, it is lost
            boolean copyingOut = (Pte.isMigration(pte) || Pte.isSwap(pte)) && w.copiedOut().contains(pfn);
            if (repointed || copyingOut) {
                report(ViolationKind.LOST_WRITE, d.name, t.toString(), pfn, t.gen,
                        d.name + " wrote " + Addr.hex(va) + " into frame " + pfn + " which no longer backs the page (the PTE is "
                                + Pte.describe(pte) + "): the write is lost to the process");
            }
        }
    }

    /**
     * A driver (mirror, kvm) installed an entry. If its frame was freed since the fault
     * path read the PTE, the device now maps memory the allocator owns: that is the
     * use-after-free the collision check exists to prevent, caught where it happens.
     */
    public void entryInstalled(Device d, Translation t) {
        if (!w.memory().alive(t.pfn, t.gen)) {
            report(ViolationKind.USE_AFTER_FREE, d.name, t.toString(), t.pfn, t.gen,
                    d.name + " installed " + t.owner.label + " " + Addr.hex(t.va) + " -> pfn " + t.pfn + " gen " + t.gen
                            + " but that frame was freed after the fault path read the PTE" + (w.memory().kind(t.pfn) != FrameKind.FREE
                            ? " and reused (now gen " + w.memory().gen(t.pfn) + ", " + w.memory().kind(t.pfn).label() + ")" : ""));
        }
    }

    public void walkCacheUsed(Device d, WalkCache.Entry e) {
        if (!w.memory().alive(e.pfn(), e.gen()) || w.memory().kind(e.pfn()) != FrameKind.PAGE_TABLE) {
            report(ViolationKind.STALE_WALK_CACHE, d.name, e.toString(), e.pfn(), e.gen(),
                    d.name + " walked through a cached pointer to page-table page pfn " + e.pfn() + " that was freed");
        }
    }

    @Override
    public void leafChanged(PageTable pt, long va, long oldPte, long newPte) {
        if (!Pte.huge(oldPte) && !Pte.huge(newPte)) {
            dirty().add(new PageKey(pt.space(), va));
            return;
        }
        // a 2M leaf: entries are cached per 4 KiB page, so every subpage is checked; a
        // leaf in a PMD page shared by several spaces (hugetlb huge_pmd_share) changed for all
        long base = va & -Addr.PMD_SIZE;
        int pmd = pt.tableAt(base, 2);
        for (Space s : w.spaceMap().values()) {
            if (s.pageTable != pt && (pmd < 0 || s.pageTable == null || s.pageTable.root() < 0 || s.pageTable.tableAt(base, 2) != pmd)) continue;
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) dirty().add(new PageKey(s, base + ((long) k << Addr.PAGE_SHIFT)));
        }
        if (!w.spaceMap().containsValue(pt.space())) {
            for (int k = 0; k < Addr.PTRS_PER_TABLE; k++) dirty().add(new PageKey(pt.space(), base + ((long) k << Addr.PAGE_SHIFT)));
        }
    }

    /**
     * Case B: a PTE is about to be repointed from one page to another (COW, KSM, migrate).
     * Secondary entries for the old page must be gone before the new PTE is visible, or
     * the device sees the old page at one address and new data elsewhere (store order
     * breaks; kernel-reference §7 #4).
     */
    public void beforeRepoint(Space s, long va, int oldPfn, int newPfn) {
        if (oldPfn != newPfn) checkRepoint(s, va, oldPfn, newPfn, false);
    }

    /**
     * KSM's replace_page: the new page is write-protected with identical content, which
     * kernel-reference §5.2 lets the kernel notify at end; a read-only entry for the old
     * page shows the same data, so only a writable one is stale here.
     */
    public void beforeRepointSameContent(Space s, long va, int oldPfn, int newPfn) {
        if (oldPfn != newPfn) checkRepoint(s, va, oldPfn, newPfn, true);
    }

    private void checkRepoint(Space s, long va, int oldPfn, int newPfn, boolean sameContent) {
        ensureIndex();
        List<Translation> ts = byPage.get(new PageKey(s, va));
        if (ts == null) return;
        for (Translation t : List.copyOf(ts)) {
            if (t.owner == s.cpuTlb.id() || t.pfn != oldPfn) continue;
            // kernel-reference §5.2: pointing a PTE at a write-protected page with identical
            // content (KSM) may defer the secondary flush to end; a read-only entry sees the same data
            if (sameContent && !t.writable && w.memory().value(oldPfn) == w.memory().value(newPfn)) continue;
            report(ViolationKind.STALE_TRANSLATION, ownerName(t.owner), t.toString(), t.pfn, t.gen,
                    "the PTE for " + Addr.hex(va) + " was repointed from pfn " + oldPfn + " to pfn " + newPfn
                            + " while " + t.owner.label + " still maps the old page: the device sees the old page"
                            + " here and new data elsewhere");
        }
    }

    // ---- full coherence at statement boundaries ----

    /** Every secondary entry made or touched since the last boundary must agree with the page table. */
    public void statementBoundary() {
        ensureIndex();
        for (PageKey k : dirtyPages) {
            List<Translation> ts = byPage.get(k);
            if (ts != null) for (Translation t : List.copyOf(ts)) checkAgainstPageTable(t);
        }
        for (Translation t : List.copyOf(newEntries)) checkAgainstPageTable(t);
        clearPending();
    }

    /**
     * Empties the pending sets. HashMap.clear costs the table's capacity, which stays at
     * its largest (a million pages touched once): a big set is replaced instead, so a
     * boundary costs what changed since the last one.
     */
    private void clearPending() {
        emptyDirtyPages();
        if (newEntries.size() > 64) newEntries = new LinkedHashSet<>();
        else newEntries.clear();
    }

    private void checkAgainstPageTable(Translation t) {
        Space s = w.spaceMap().get(t.owner.space);
        if (s.pageTable == null || s.pageTable.root() < 0) {
            report(ViolationKind.STALE_TRANSLATION, ownerName(t.owner), t.toString(), t.pfn, t.gen,
                    t.owner.label + " still holds " + Addr.hex(t.va) + " after " + s.name + "'s page table was torn down");
            return;
        }
        long pte = s.pageTable.get(t.va);
        int want = Pte.present(pte) ? Pte.pfn(pte) + (Pte.huge(pte) ? (int) ((t.va & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT) : 0) : -1;
        String problem = null;
        if (want < 0) problem = "the PTE is now " + Pte.describe(pte);
        else if (want != t.pfn) problem = "the PTE now maps pfn " + want;
        else if (t.writable && !Pte.writable(pte)) problem = "the PTE is now read-only";
        if (problem != null) {
            report(ViolationKind.STALE_TRANSLATION, ownerName(t.owner), t.toString(), t.pfn, t.gen,
                    t.owner.label + " maps " + Addr.hex(t.va) + " to pfn " + t.pfn + (t.writable ? " writable" : "")
                            + " but " + problem + "; the statement is over and nothing invalidated the entry");
        }
    }

    String ownerName(TranslationCache.Id c) {
        for (Device d : w.deviceMap().values()) for (TranslationCache x : d.caches()) if (x.id() == c) return d.name;
        return "cpu(" + c.space + ")";
    }

    /** The position of the cache {@code id} names in {@link #allCaches}, or -1. */
    private static int indexOf(List<TranslationCache> caches, TranslationCache.Id id) {
        for (int i = 0; i < caches.size(); i++) if (caches.get(i).id() == id) return i;
        return -1;
    }

    private String ownerOf(WalkCache.Entry e) {
        for (Device d : w.deviceMap().values()) if (d.walkCache() == e.owner()) return d.name;
        return null;
    }

    /**
     * The boundary check's pending work (pages changed and entries made since the last
     * boundary), canonically: two states with equal world hashes may still differ in
     * what endStatement will check, so the explorer's state key includes this.
     */
    public void hashPending(StateHasher h) {
        // numbers, not names: a space by its declaration index, an entry by its cache's
        // position in allCaches() (both fixed for a world). Both are sets, hashed
        // order-independently (StateHasher.SetDigest): no sort. A new
        // entry is still in its cache (a removal drops it from newEntries), the only one of
        // its cache at its address, and the cache's own digest has its frame and rights: so
        // (cache, address) names it.
        StateHasher.SetDigest pages = new StateHasher.SetDigest();
        if (!dirtyPages.isEmpty()) {
            List<Space> spaces = new ArrayList<>(w.spaceMap().values());
            for (PageKey k : dirtyPages) pages.add(k.va() << 8 | spaceIndex(spaces, k.space()) & 0xff); // va < 2^47
        }
        h.putSet(pages);
        StateHasher.SetDigest fresh = new StateHasher.SetDigest();
        if (!newEntries.isEmpty()) {
            List<TranslationCache> caches = allCaches();
            TranslationCache.Id last = null;
            int at = -1;
            for (Translation t : newEntries) {
                if (t.owner != last) at = indexOf(caches, last = t.owner);
                fresh.add(StateHasher.element(StateHasher.element(0, at), t.va));
            }
        }
        h.putSet(fresh);
    }

    /** The boundary check's pending work, by names: a mid-statement snapshot carries it (see World.snapshotMidStatement). */
    public record Pending(Set<PageKey> pages, int[] entryCaches, long[] entryVas) {}

    private static int spaceIndex(List<Space> spaces, String name) {
        for (int i = 0; i < spaces.size(); i++) if (spaces.get(i).name.equals(name)) return i;
        return -1;
    }

    /** dirtyPages emptied: cleared in place if it is this checker's own and small, else the shared empty set. */
    private void emptyDirtyPages() {
        if (dirtyShared || dirtyPages.size() > 64) {
            dirtyPages = NO_PAGES;
            dirtyShared = true;
        } else {
            dirtyPages.clear();
        }
    }

    /** Every translation cache of the world in a fixed order: the CPU TLBs by space, then each device's caches. */
    private List<TranslationCache> allCaches() {
        List<TranslationCache> l = new ArrayList<>();
        for (Space s : w.spaceMap().values()) l.add(s.cpuTlb);
        for (Device d : w.deviceMap().values()) l.addAll(d.caches());
        return l;
    }

    public Pending pending() {
        List<TranslationCache> caches = allCaches();
        int[] owners = new int[newEntries.size()];
        long[] evas = new long[newEntries.size()];
        int i = 0;
        for (Translation t : newEntries) {
            int c = indexOf(caches, t.owner);
            if (c < 0) throw new IllegalStateException("pending entry " + t + " is in no cache of the world");
            owners[i] = c;
            evas[i++] = t.va;
        }
        dirtyShared = true; // the snapshot takes the set as it is; whoever changes it next copies it
        return new Pending(dirtyPages, owners, evas);
    }

    /** After {@link #rebuild}: the pending work of a mid-statement snapshot, relinked to this world's objects, in order. */
    public void restorePending(Pending p) {
        newEntries.clear();
        dirtyPages = p.pages();
        dirtyShared = true;
        if (p.entryVas().length == 0) return;
        List<TranslationCache> caches = allCaches();
        for (int i = 0; i < p.entryVas().length; i++) {
            Translation t = caches.get(p.entryCaches()[i]).lookup(p.entryVas()[i]);
            if (t == null || t.va != p.entryVas()[i]) throw new IllegalStateException("pending entry at " + Addr.hex(p.entryVas()[i]) + " not found after restore");
            newEntries.add(t);
        }
    }

    /**
     * After a restore: the violations and reported set of the snapshot, the caches
     * attached, the roots current; the frame and page index is rebuilt when first read.
     */
    public void rebuild(List<Violation> vs, Set<String> rep) {
        byFrame.clear();
        byPage.clear();
        emptyDirtyPages();
        newEntries.clear();
        violations.clear();
        violations.addAll(vs);
        reported.clear();
        reported.addAll(rep);
        indexStale = true;
        for (Space s : w.spaceMap().values()) s.cpuTlb.setIndex(tlbIndex);
        for (Device d : w.deviceMap().values()) attach(d);
        if (!rootsCurrent()) {
            roots.clear();
            for (Device d : w.deviceMap().values()) {
                if (d instanceof AtsDevice a && a.root == AtsDevice.RootKind.SPACE && a.space.pageTable.root() >= 0) {
                    rootChanged(d, a.space.pageTable.root());
                }
            }
        }
    }

    /** Whether roots already holds, for the world's devices, the roots a rebuild would make (a restore in place seldom changes them). */
    private boolean rootsCurrent() {
        int n = 0;
        for (Device d : w.deviceMap().values()) {
            if (d instanceof AtsDevice a && a.root == AtsDevice.RootKind.SPACE && a.space.pageTable.root() >= 0) {
                int pfn = a.space.pageTable.root();
                RootRef r = roots.get(d);
                if (r == null || r.pfn() != pfn || r.gen() != w.memory().gen(pfn)) return false;
                n++;
            }
        }
        return n == roots.size();
    }

    /** The frame and page index from the caches, in the order a full rebuild makes it (CPU TLBs by space, then each device's caches, walk cache, root). */
    private void ensureIndex() {
        if (!indexStale) return;
        indexStale = false;
        for (Space s : w.spaceMap().values()) s.cpuTlb.forEach(this::index);
        for (Device d : w.deviceMap().values()) {
            for (TranslationCache c : d.caches()) c.forEach(this::index);
            if (d.walkCache() != null) d.walkCache().reindex();
            RootRef r = roots.get(d);
            if (r != null) addOnce(byFrame.computeIfAbsent(r.pfn, k -> new ArrayList<>(2)), r);
        }
    }

    public Set<String> reportedKeys() {
        return Set.copyOf(reported);
    }

    /** A violation found by a front end (an expectation about protocol, say). */
    public void reportProtocol(String device, String why) {
        report(ViolationKind.PROTOCOL, device, null, -1, 0, why);
    }

    @Override
    public int hashCode() {
        return Objects.hash(violations.size());
    }
}
