package mmn.engine;

import mmn.engine.check.Checker;
import mmn.engine.check.Trace;
import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.device.DriverFault;
import mmn.engine.device.KvmDevice;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PageTable;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.TranslationCache;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.Strategies;
import mmn.engine.notifier.Subscriber;
import mmn.engine.ops.Kernel;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The engine's facade: the kernel's state ({@link Kernel}) plus what front ends (the
 * interpreter, the REPL, polyglot embeddings) drive it with: declarations, statements,
 * operations, device steps for an explorer, and snapshots. Statement by statement:
 *
 * <pre>
 *   world.beginStatement("munmap A 0x400000 +4K");
 *   world.munmap(a, range, phase -> ...inject device actions...);
 *   List&lt;Violation&gt; found = world.endStatement();   // full coherence check
 * </pre>
 *
 * The engine is single-threaded and deterministic; {@link #snapshot()} and
 * {@link #restore(Snapshot)} capture and bring back the whole state exactly.
 */
public final class World extends Kernel {
    private int violationsAtStart;
    private final DeviceSteps steps = new DeviceSteps(this);

    public static final List<String> KNOBS = List.of("gather-batch", "storm-threshold", "arch");

    public World() {
        this(Profiles.defaultProfile());
    }

    public World(Profile p) {
        super(p, null);
    }

    private World(Profile p, PhysMem mem) {
        super(p, mem);
    }

    // ---------------------------------------------------------------- configuration

    /** See {@link Kernel#interleaved}: set on the worlds an explorer replays schedules on. */
    public void setInterleaved(boolean on) { interleaved = on; }

    public void setProfile(Profile p) {
        if (!spaces.isEmpty() || !devices.isEmpty())
            throw new EngineException("the profile must be chosen before any space or device is declared");
        this.profile = p;
    }

    public void setMemory(long bytes) {
        if (memoryUsed) throw new EngineException("`memory` must come before any space is declared");
        PhysMem.checkSize(bytes);
        memoryBytes = bytes;
        mem = new PhysMem(bytes);
        mem.setListener(checker);
    }

    public long memoryBytes() { return memoryBytes; }

    public int gatherBatch() { return gatherBatch; }

    public void setSeed(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    public void setArch(String name) {
        arch = Arch.parse(name);
    }

    public void setKnob(String name, long value) {
        switch (name) {
            case "gather-batch":
                if (value < 1) throw new EngineException("gather-batch must be at least 1");
                gatherBatch = (int) value;
                break;
            case "storm-threshold":
                if (value < 1) throw new EngineException("storm-threshold must be at least 1");
                stormThreshold = (int) value;
                break;
            default:
                throw new EngineException("unknown setting '" + name + "'", "settings are " + String.join(", ", KNOBS));
        }
    }

    // ---------------------------------------------------------------- declarations

    public Space createSpace(String name) {
        if (spaces.containsKey(name) || devices.containsKey(name)) throw new EngineException("'" + name + "' is already declared");
        memoryUsed = true;
        Space s = new Space(name);
        s.pageTable = new PageTable(mem, s);
        s.pageTable.setListener(leafListener);
        s.cpuTlb = new TranslationCache("cpu(" + name + ").tlb", s, 0);
        checker.attach(s.cpuTlb);
        spaces.put(name, s);
        trace.event("decl", "space " + name + " (pgd pfn " + s.pageTable.root() + ")");
        return s;
    }

    public Map<String, Space> spaces() { return Map.copyOf(spaces); }

    /** s's notifiers, in registration order (the order the core calls them). */
    public List<Subscriber> subscribers(Space s) { return List.copyOf(notifier.subs(s)); }

    public List<String> spaceNames() { return List.copyOf(spaces.keySet()); }

    /** mmap: a new VMA; it may not overlap an existing one. */
    public Vma map(Space s, Range r, int prot, String file, boolean shared, boolean huge, boolean hugetlb) {
        return vmm.mmap(s, r, prot, file, shared, huge, hugetlb);
    }

    public Device createAtsDevice(String name, int atc, boolean walkCache, Integer priRetries) {
        if (spaces.containsKey(name) || devices.containsKey(name)) throw new EngineException("'" + name + "' is already declared");
        AtsDevice d = new AtsDevice(name, atc, 0, walkCache, priRetries);
        devices.put(name, d);
        trace.event("decl", "device " + name + " ats");
        return d;
    }

    /** An HMM mirror (lib/test_hmm.c's dmirror): a device page table of {@code entries} entries (0: unbounded). */
    public Device createMirrorDevice(String name, int entries) {
        return declareDevice(new MirrorDevice(name, checkEntries(name, entries)));
    }

    /** KVM's shadow page table for a guest backed by a space: {@code entries} SPTEs (0: unbounded). */
    public Device createKvmDevice(String name, int entries) {
        return declareDevice(new KvmDevice(name, checkEntries(name, entries)));
    }

    private static int checkEntries(String name, int entries) {
        if (entries < 0) throw new EngineException(name + ": a table cannot have " + entries + " entries", "0 means unbounded");
        return entries;
    }

    private Device declareDevice(Device d) {
        if (spaces.containsKey(d.name) || devices.containsKey(d.name)) throw new EngineException("'" + d.name + "' is already declared");
        devices.put(d.name, d);
        trace.event("decl", "device " + d.name + " " + d.kind());
        return d;
    }

    public Map<String, Device> devices() { return Map.copyOf(devices); }

    public List<String> deviceNames() { return List.copyOf(devices.keySet()); }

    /** The device translates s's addresses from now on (PASID bind). */
    public void bind(Device d, Space s) {
        if (d.space != null) throw new EngineException(d.name + " is already bound to " + d.space.name);
        if (s.exited) throw new EngineException(s.name + " has exited");
        d.bind(this, s);
        trace.event("decl", "bind " + d.name + " " + s.name);
    }

    /** mmu_notifier_register with a built-in strategy. */
    public Subscriber register(String name, Space s, Device d, String strategy) {
        return register(name, s, d, strategy, Strategies.createFor(strategy, profile, d));
    }

    /** mmu_notifier_register with custom ops (language handlers, JavaScript, Python). */
    public Subscriber register(String name, Space s, Device d, String label, MmuNotifierOps ops) {
        if (subscribers.containsKey(name)) throw new EngineException("notifier '" + name + "' is already registered");
        if (s.released) throw new EngineException(s.name + " has exited: mmu_notifier_register fails on a dead mm");
        if (d != null && d.space != null && d.space != s)
            throw new EngineException(d.name + " is bound to " + d.space.name + ", not " + s.name);
        if (d != null && d.space == null) bind(d, s);
        Subscriber sub = new Subscriber(name, s, d, label, ops);
        notifier.subscribe(sub);
        subscribers.put(name, sub);
        trace.event("decl", "notifier " + name + " on " + s.name + (d != null ? " for " + d.name : "") + " uses " + label);
        return sub;
    }

    public Subscriber subscriber(String name) {
        Subscriber s = subscribers.get(name);
        if (s == null) throw new EngineException("unknown notifier '" + name + "'", hintNames("notifiers", subscribers.keySet()));
        return s;
    }

    /** mmu_notifier_unregister: ->release runs (the core calls it), then the subscriber leaves. */
    public void unregister(String name) {
        Subscriber sub = subscriber(name);
        notifier.unregister(sub);
        subscribers.remove(name);
        trace.event("decl", "unregister " + name);
    }

    // ---------------------------------------------------------------- statements

    /** A statement starts: per-operation counters reset. */
    public void beginStatement(String label) {
        beginStatement(label, null);
    }

    /** A statement at a place in a script starts: its events carry {@code at}. */
    public void beginStatement(String label, Trace.Where at) {
        statementNo++;
        statementAt = at;
        violationsAtStart = checker.count();
        statement = label;
        operation = null;
        phase = null;
        // only the devices that faulted: a statement costs the same with 10 or 100,000 devices declared
        for (Device d : opFaulted) {
            d.opFaults = 0;
            d.stormReported = false;
        }
        opFaulted.clear();
        trace.statementStarted();
    }

    /** A statement ends: full coherence check; returns the violations it raised. */
    public List<Violation> endStatement() {
        int before = Math.min(violationsAtStart, checker.count());
        operation = null;
        phase = null;
        for (Space s : spaces.values()) {
            if (s.activeInvalidations != 0) {
                checker.report(ViolationKind.PROTOCOL, null, null, -1, 0, s.name + " ended the statement with "
                        + s.activeInvalidations + " invalidate_range_start without its end");
                s.activeInvalidations = 0;
            }
            if (s.ptlDepth != 0) throw new IllegalStateException("PTL still held at statement end");
        }
        checker.statementBoundary();
        List<Violation> all = checker.violations();
        return List.copyOf(all.subList(before, all.size()));
    }

    public List<Violation> violations() {
        return checker.violations();
    }

    // ---------------------------------------------------------------- actions and operations

    /** A CPU access; faults the page in as the kernel would. */
    public void touch(Space s, long va, boolean write) {
        vmm.cpuAccess(s, va, write);
    }

    /** A device access through its translation path. */
    public Device.AccessResult dma(Device d, Space s, long va, boolean write) {
        DeviceSteps.requireBound(d, s);
        Device.AccessResult r = d.access(this, va, write);
        accessEnded(d, va, write, r);
        return r;
    }

    public void munmap(Space s, Range r, PhaseListener l) { vmm.munmap(s, r, l); }

    public void dontneed(Space s, Range r, PhaseListener l) { vmm.dontneed(s, r, l); }

    public void mprotect(Space s, Range r, int prot, PhaseListener l) { vmm.mprotect(s, r, prot, l); }

    public void exit(Space s, PhaseListener l) { vmm.exitMmap(s, l); }

    public void cow(Space s, long va, PhaseListener l) { vmm.cow(s, va, l); }

    /** Migrate the pages mapped in r to new frames (migrate_pages, synchronous). */
    public void migrate(Space s, Range r, PhaseListener l) { vmm.rmap.migrate(s, r, l); }

    /** Swap out the pages mapped in r through rmap (shrink_page_list). */
    public void reclaim(Space s, Range r, PhaseListener l) { vmm.rmap.reclaim(s, r, l); }

    /** KSM merges b's page at vb into a's page at va (one write-protected frame). */
    public void ksm(Space a, long va, Space b, long vb, PhaseListener l) { vmm.ksm.ksm(a, va, b, vb, l); }

    /** Page aging of the pages mapped in r (page_referenced: clear_flush_young). */
    public void age(Space s, Range r, PhaseListener l) { vmm.rmap.age(s, r, l); }

    /** The OOM reaper on s (__oom_reap_task_mm). */
    public void oomReap(Space s, PhaseListener l) { vmm.oomReaper.oomReap(s, l); }

    /** mremap(MREMAP_FIXED) of r to newStart (move_page_tables). */
    public void mremap(Space s, Range r, long newStart, PhaseListener l) { vmm.mremap.mremap(s, r, newStart, l); }

    /** uprobes installing a breakpoint in the text page at va (__replace_page). */
    public void uprobe(Space s, long va, PhaseListener l) { vmm.uprobes.uprobe(s, va, l); }

    /** Split the transparent huge page mapped at va (__split_huge_pmd). */
    public void split(Space s, long va, PhaseListener l) { vmm.thp.split(s, va, l); }

    /** khugepaged on the 2M range at va: collapse anon PTEs into a huge page, or retract a file range's page table. */
    public void collapse(Space s, long va, PhaseListener l) { vmm.thp.collapse(s, va, l); }

    /** remap_file_pages over r (3.16/3.19 nonlinear; 4.0+ an mmap emulation). */
    public void remap(Space s, Range r, PhaseListener l) { vmm.fremap.remap(s, r, l); }

    /** fork: the child space is created if it was not declared. */
    public void fork(Space parent, String child, PhaseListener l) {
        Space c = spaces.containsKey(child) ? spaces.get(child) : createSpace(child);
        vmm.fork(parent, c, l);
    }

    /** A driver-initiated flush of a device's TLBs (outside any callback). */
    public void flushDevice(Device d, Range r) {
        if (r == null) d.flushAll(this);
        else d.flush(this, r);
    }

    public void detachDevice(Device d) {
        d.detach(this);
    }

    public void setDeviceRoot(Device d, Space s) {
        if (s == null) d.setRootEmpty(this);
        else d.setRoot(this, s);
    }

    public void blockDevice(Device d, boolean blocked) {
        d.blocked = blocked;
        trace.event("device", d.name + (blocked ? " blocked" : " unblocked"), new Trace.Fields().device(d.name));
    }

    /** The phases an operation passes, in order (for hints and docs). */
    public static List<String> phasesOf(String op) {
        return Operations.phases(op);
    }

    // ---------------------------------------------------------------- snapshots

    /** The whole engine state, deep-copied. */
    public Snapshot snapshot() {
        return new Snapshot(copyState(this), checker.violations(), checker.reportedKeys(), trace.size(), null);
    }

    /**
     * A snapshot taken inside a statement (the explorer, between two micro-steps): it also
     * carries the checker's pending statement-end work, which {@link #restore} brings back,
     * so that the statement can go on from it. Labels (statement, operation, phase) and
     * the trace are not part of it.
     */
    public Snapshot snapshotMidStatement() {
        return new Snapshot(copyState(this), checker.violations(), checker.reportedKeys(), trace.size(), checker.pending());
    }

    /** Brings back a snapshot exactly (the snapshot stays reusable). */
    public void restore(Snapshot snap) {
        World src = snap.state;
        profile = src.profile;
        mem = src.mem.copy();
        clearState();
        copyStateFrom(src);
        mem.setListener(checker);
        checker.rebuild(snap.violations, snap.reported);
        if (snap.pending != null) checker.restorePending(snap.pending);
        trace.truncate(snap.traceSize);
    }

    /** A canonical hash of the state (equal states, equal hashes, whatever the history). */
    public String stateHash() {
        StateHasher h = new StateHasher();
        stateHashInto(h);
        return h.hex();
    }

    /** Feeds the checker's pending statement-end work into h (the explorer's state key). */
    public void hashPendingChecks(StateHasher h) {
        checker.hashPending(h);
    }

    private static World copyState(World o) {
        World c = new World(o.profile, o.mem.copy());
        c.copyStateFrom(o);
        return c;
    }

    // ---------------------------------------------------------------- inspection

    public Checker checker() { return checker; }

    /** A device's access or driver fault one step at a time (an explorer's actions). */
    public DeviceSteps steps() { return steps; }
}
