package mmn.engine;

import mmn.engine.check.Checker;
import mmn.engine.check.Violation;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.KvmDevice;
import mmn.engine.device.MirrorDevice;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.Strategies;
import mmn.engine.notifier.Subscriber;
import mmn.engine.ops.Kernel;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.util.List;
import java.util.Map;

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
    private final DeviceOps deviceOps = new DeviceOps(this);

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
        return vmm.mmAllocNamed(name);
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
        shapeChanged();
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
        shapeChanged();
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
        shapeChanged();
        trace.event("decl", "bind " + d.name + " " + s.name);
    }

    /** mmu_notifier_register with a built-in strategy. */
    public Subscriber register(String name, Space s, Device d, String strategy) {
        return register(name, s, d, strategy, Strategies.createFor(strategy, profile, d));
    }

    /** mmu_notifier_register with custom ops (language handlers, JavaScript, Python); an unbound device is bound to s. */
    public Subscriber register(String name, Space s, Device d, String label, MmuNotifierOps ops) {
        notifier.checkRegister(name, s, d);
        if (d != null && d.space == null) bind(d, s);
        return notifier.register(name, s, d, label, ops);
    }

    public Subscriber subscriber(String name) { return notifier.subscriber(name); }

    /** mmu_notifier_unregister: ->release runs (the core calls it), then the subscriber leaves. */
    public void unregister(String name) { notifier.unregister(name); }

    // ---------------------------------------------------------------- actions and operations

    /** A CPU access; faults the page in as the kernel would. */
    public void touch(Space s, long va, boolean write) {
        vmm.cpuAccess(s, va, write);
    }

    /** A device access through its translation path. */
    public Device.AccessResult dma(Device d, Space s, long va, boolean write) {
        DeviceOps.requireBound(d, s);
        Device.AccessResult r = d.access(this, va, write);
        accessEnded(d, va, write, r);
        return r;
    }

    public void munmap(Space s, Range r, PhaseListener l) { vmm.munmap(s, r, l); }

    /** munmap as a frame for the explorer to step, or null when it cannot be stepped here. */
    public mmn.engine.ops.OpFrame munmapFrame(Space s, Range r) { return vmm.munmapFrame(s, r); }

    public void dontneed(Space s, Range r, PhaseListener l) { vmm.dontneed(s, r, l); }

    /** dontneed as a frame for the explorer to step, or null when it cannot be stepped here. */
    public mmn.engine.ops.OpFrame dontneedFrame(Space s, Range r) { return vmm.dontneedFrame(s, r); }

    public void mprotect(Space s, Range r, int prot, PhaseListener l) { vmm.mprotect(s, r, prot, l); }

    /** mprotect as a frame for the explorer to step, or null when it cannot be stepped here. */
    public mmn.engine.ops.OpFrame mprotectFrame(Space s, Range r, int prot) { return vmm.mprotectFrame(s, r, prot); }

    public void exit(Space s, PhaseListener l) { vmm.exitMmap(s, l); }

    /** exit as a frame for the explorer to step, or null when it cannot be stepped here. */
    public mmn.engine.ops.OpFrame exitFrame(Space s) { return vmm.exitFrame(s); }

    public void cow(Space s, long va, PhaseListener l) { vmm.cow(s, va, l); }

    /** cow as a frame for the explorer to step, or null when it cannot be stepped here. */
    public mmn.engine.ops.OpFrame cowFrame(Space s, long va) { return vmm.cowFrame(s, va); }

    /** Migrate the pages mapped in r to new frames (migrate_pages, synchronous). */
    public void migrate(Space s, Range r, PhaseListener l) { vmm.rmap.migrate(s, r, l); }

    /** migrate as a frame for the explorer to step. */
    public mmn.engine.ops.OpFrame migrateFrame(Space s, Range r) { return vmm.rmap.migrateFrame(s, r); }

    /** Swap out the pages mapped in r through rmap (shrink_page_list). */
    public void reclaim(Space s, Range r, PhaseListener l) { vmm.rmap.reclaim(s, r, l); }

    /** reclaim as a frame for the explorer to step. */
    public mmn.engine.ops.OpFrame reclaimFrame(Space s, Range r) { return vmm.rmap.reclaimFrame(s, r); }

    /** KSM merges b's page at vb into a's page at va (one write-protected frame). */
    public void ksm(Space a, long va, Space b, long vb, PhaseListener l) { vmm.ksm(a, va, b, vb, l); }

    public mmn.engine.ops.OpFrame ksmFrame(Space a, long va, Space b, long vb) { return vmm.ksmFrame(a, va, b, vb); }

    /** Page aging of the pages mapped in r (page_referenced: clear_flush_young). */
    public void age(Space s, Range r, PhaseListener l) { vmm.rmap.age(s, r, l); }

    /** age as a frame for the explorer to step. */
    public mmn.engine.ops.OpFrame ageFrame(Space s, Range r) { return vmm.rmap.ageFrame(s, r); }

    /** The OOM reaper on s (__oom_reap_task_mm). */
    public void oomReap(Space s, PhaseListener l) { vmm.oomReaper.oomReap(s, l); }

    /** oom-reap as a frame for the explorer to step. */
    public mmn.engine.ops.OpFrame oomReapFrame(Space s) { return vmm.oomReaper.oomReapFrame(s); }

    /** mremap(MREMAP_FIXED) of r to newStart (move_page_tables). */
    public void mremap(Space s, Range r, long newStart, PhaseListener l) { vmm.mremap(s, r, newStart, l); }

    public mmn.engine.ops.OpFrame mremapFrame(Space s, Range r, long newStart) { return vmm.mremapFrame(s, r, newStart); }

    /** uprobes installing a breakpoint in the text page at va (__replace_page). */
    public void uprobe(Space s, long va, PhaseListener l) { vmm.uprobe(s, va, l); }

    public mmn.engine.ops.OpFrame uprobeFrame(Space s, long va) { return vmm.uprobeFrame(s, va); }

    /** Split the transparent huge page mapped at va (__split_huge_pmd). */
    public void split(Space s, long va, PhaseListener l) { vmm.split(s, va, l); }

    public mmn.engine.ops.OpFrame splitFrame(Space s, long va) { return vmm.splitFrame(s, va); }

    /** khugepaged on the 2M range at va: collapse anon PTEs into a huge page, or retract a file range's page table. */
    public void collapse(Space s, long va, PhaseListener l) { vmm.collapse(s, va, l); }

    public mmn.engine.ops.OpFrame collapseFrame(Space s, long va) { return vmm.collapseFrame(s, va); }

    /** remap_file_pages over r (3.16/3.19 nonlinear; 4.0+ an mmap emulation). */
    public void remap(Space s, Range r, PhaseListener l) { vmm.remap(s, r, l); }

    public mmn.engine.ops.OpFrame remapFrame(Space s, Range r) { return vmm.remapFrame(s, r); }

    /** fork: the child space is created if it was not declared. */
    public void fork(Space parent, String child, PhaseListener l) {
        vmm.fork(parent, child, l);
    }

    /** fork not yet begun, as a frame to step (the child made at its first step); null if it cannot run step by step here. */
    public mmn.engine.ops.OpFrame forkFrame(Space parent, String child) { return vmm.forkFrame(parent, child); }

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
        PhysMem before = mem;
        mem = src.mem.copyInto(mem);
        if (mem != before || !assignStateFrom(src)) { // page tables name their memory object: a new one needs new tables
            clearState();
            copyStateFrom(src);
        }
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
    public DeviceOps deviceOps() { return deviceOps; }
}
