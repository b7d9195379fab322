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
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.Translation;
import mmn.engine.mem.TranslationCache;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.notifier.Strategies;
import mmn.engine.notifier.Subscriber;
import mmn.engine.ops.ReverseMap;
import mmn.engine.ops.Vmm;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import mmn.engine.profile.SiteRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The engine's facade and state: physical memory, spaces, devices, subscribers, the
 * active profile, the checker and the trace. Front ends (the interpreter, the REPL,
 * polyglot embeddings) drive it statement by statement:
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
public final class World {
    /** Default IO page faults per operation before fault-storm (semantics.md §4). */
    public static final int DEFAULT_STORM_THRESHOLD = 64;
    /**
     * Pages an mmu_gather holds before a forced flush: the on-stack bundle of 8 plus
     * MAX_GATHER_BATCH_COUNT (10000 / MAX_GATHER_BATCH) batches of MAX_GATHER_BATCH
     * ((PAGE_SIZE - 16) / 8 = 510) pointers, include/asm-generic/tlb.h (v3.16-v4.x).
     */
    public static final int DEFAULT_GATHER_BATCH = 8 + (10000 / 510) * 510;

    public Profile profile;
    public PhysMem mem;
    long memoryBytes = 256L << 20;
    public final Map<String, Space> spaces = new LinkedHashMap<>();
    public final Map<String, Device> devices = new LinkedHashMap<>();
    final Map<String, Subscriber> subscribers = new LinkedHashMap<>();
    /** The page cache: file name -> page index -> frame (the cache holds a reference). */
    public final Map<String, TreeMap<Long, Integer>> pageCache = new TreeMap<>();
    /** Swap slots: slot -> saved value. */
    public final TreeMap<Integer, Long> swap = new TreeMap<>();
    /** The swap cache: slot -> frame still in memory (add_to_swap until __remove_mapping). */
    public final TreeMap<Integer, Integer> swapCache = new TreeMap<>();
    /**
     * Frames whose contents were already copied out by the running operation (migration's
     * copy, reclaim's pageout): a device write into one now is lost. Empty between statements.
     */
    public final Set<Integer> copiedOut = new java.util.TreeSet<>();
    public int nextSwapSlot = 1;
    public int gatherBatch = DEFAULT_GATHER_BATCH;
    int stormThreshold = DEFAULT_STORM_THRESHOLD;
    public long writeSeq;
    /**
     * Whether operations run interleaved with other actors (an explore's worlds): then an
     * operation that finds its work already done by a device (COW broken by a device
     * write) does what the kernel does in that case instead of refusing, as it does for a
     * script that asks for it in a state where it makes no sense. Not part of the state.
     */
    public boolean interleaved;
    long seed;

    public Checker checker;
    public Trace trace;
    public final Vmm vmm;
    /** frame -> the PTEs mapping it (anon_vma / i_mmap): rmap walks cost one page's mappings. */
    public final ReverseMap reverseMap = new ReverseMap(this);
    /** Every leaf change goes to the checker (boundary checks), then to the reverse map. */
    private final PageTable.Listener leafListener = (pt, va, oldPte, newPte) -> {
        checker.leafChanged(pt, va, oldPte, newPte);
        reverseMap.leafChanged(pt, va, oldPte, newPte);
    };

    // where we are, for reports and the trace
    public int statementNo;
    public String statement;
    /** The statement's place in its script (the trace's file:line:col); null when it has none. */
    public Trace.Where statementAt;
    public String operation;
    public String phase;
    private boolean memoryUsed;
    private int violationsAtStart;

    public World() {
        this(Profiles.defaultProfile());
    }

    public World(Profile p) {
        this(p, null);
    }

    /** With {@code mem} given (a copy), no default-sized memory is allocated only to be dropped (restore is hot in explore). */
    private World(Profile p, PhysMem mem) {
        this.profile = p;
        this.trace = new Trace(this);
        this.checker = new Checker(this);
        this.mem = mem != null ? mem : new PhysMem(memoryBytes);
        this.mem.setListener(checker);
        this.vmm = new Vmm(this);
    }

    // ---------------------------------------------------------------- configuration

    public Profile profile() { return profile; }

    /** See {@link #interleaved}: set on the worlds an explorer replays schedules on. */
    public void setInterleaved(boolean on) { interleaved = on; }

    public void setProfile(Profile p) {
        if (!spaces.isEmpty() || !devices.isEmpty())
            throw new EngineException("the profile must be chosen before any space or device is declared");
        this.profile = p;
    }

    public void setMemory(long bytes) {
        if (memoryUsed) throw new EngineException("`memory` must come before any space is declared");
        if (bytes < 16 * Addr.PAGE_SIZE) throw new EngineException("memory " + bytes + " is too small", "use at least 64K");
        long most = PhysMem.maxFrames() << Addr.PAGE_SHIFT;
        if (bytes > most) // checked before anything is allocated: the frame arrays grow up to this size
            throw new EngineException("memory " + PhysMem.size(bytes) + " is more than this JVM can simulate",
                    "at most about " + PhysMem.size(most >= 1L << 30 ? most & -(1L << 30) : most & -(1L << 20)) + " here (each 4K frame costs about " + PhysMem.BYTES_PER_FRAME
                            + " bytes of Java heap, and the heap is " + PhysMem.size(Runtime.getRuntime().maxMemory())
                            + "); declare less, or give Java more heap (java -Xmx...)");
        memoryBytes = bytes;
        mem = new PhysMem(bytes);
        mem.setListener(checker);
    }

    public long memoryBytes() { return memoryBytes; }

    public int gatherBatch() { return gatherBatch; }

    public int stormThreshold() { return stormThreshold; }

    public void setSeed(long seed) { this.seed = seed; }

    public long seed() { return seed; }

    public static final List<String> KNOBS = List.of("gather-batch", "storm-threshold", "arch");

    private Arch arch = Arch.X86;

    public Arch arch() { return arch; }

    public void setArch(String name) {
        switch (name) {
            case "x86": case "x86_64": arch = Arch.X86; break;
            case "arm64": case "aarch64": arch = Arch.ARM64; break;
            default: throw new EngineException("unknown arch '" + name + "'", "arch is x86 or arm64");
        }
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

    public Space space(String name) {
        Space s = spaces.get(name);
        if (s == null) throw new EngineException("unknown space '" + name + "'", hintNames("spaces", spaces.keySet()));
        return s;
    }

    public Map<String, Space> spaces() { return Map.copyOf(spaces); }

    public List<String> spaceNames() { return List.copyOf(spaces.keySet()); }

    /** mmap: a new VMA; it may not overlap an existing one. */
    public Vma map(Space s, Range r, int prot, String file, boolean shared, boolean huge, boolean hugetlb) {
        if (r.size() == 0) throw new EngineException("empty mapping");
        if (r.end() > Addr.TASK_SIZE) throw new EngineException("mapping ends past the user address space (" + Addr.hex(Addr.TASK_SIZE) + ")");
        for (Vma v : s.vmas.values()) {
            if (r.overlaps(v.start, v.end))
                throw new EngineException("mapping " + r + " overlaps " + v.range() + " in " + s.name, "munmap it first or choose another address");
        }
        if (hugetlb && ((r.start() | r.end()) & (Addr.PMD_SIZE - 1)) != 0)
            throw new EngineException("a hugetlb mapping must be 2M aligned", "round to " + Addr.hex(r.start() & -Addr.PMD_SIZE));
        Vma v = new Vma(r.start(), r.end(), prot, file == null, file, shared, huge, hugetlb, 0);
        s.vmas.put(v.start, v);
        trace.event("decl", "map " + s.name + " " + v);
        return v;
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

    /**
     * Starts a driver fault (mirror, kvm) for one page without running any step: an
     * explorer then runs it step by step with {@link #stepFault}. Returns the fault's id.
     */
    public int startFault(Device d, Space s, long va, boolean write) {
        return startFault(d, s, va, write, 0);
    }

    /** The same, tagged with who started it ({@link DriverDevice#faultOwnedBy}): an explorer thread's access. */
    public int startFault(Device d, Space s, long va, boolean write, int owner) {
        DriverDevice dd = driverDevice(d);
        if (d.space != s) throw new EngineException(d.name + " is " + (d.space == null ? "not bound to any space" : "bound to " + d.space.name)
                + ", not " + s.name, "bind " + d.name + " " + s.name);
        return dd.begin(this, va, write, owner).id;
    }

    /** Runs the next step of an in-flight driver fault (see {@link Device#faultSteps()}). */
    public DriverFault.Step stepFault(Device d, int fault) {
        return driverDevice(d).step(this, fault);
    }

    private static DriverDevice driverDevice(Device d) {
        if (d instanceof DriverDevice dd) return dd;
        throw new EngineException(d.name + " is an " + d.kind() + " device: its faults are page requests the IOMMU resolves at once,"
                + " there is no driver fault path to step", "fault steps exist for mirror and kvm devices");
    }

    public Device device(String name) {
        Device d = devices.get(name);
        if (d == null) throw new EngineException("unknown device '" + name + "'", hintNames("devices", devices.keySet()));
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
        MmuNotifierOps ops = Strategies.create(strategy, profile);
        if (ops == null) {
            if (Strategies.PLANNED.contains(strategy))
                throw new EngineException("not supported yet: strategy '" + strategy + "'", "available: " + String.join(", ", Strategies.NAMES));
            throw new EngineException("unknown strategy '" + strategy + "'", "strategies are " + String.join(", ", Strategies.NAMES));
        }
        Strategies.validate(strategy, profile, d);
        return register(name, s, d, strategy, ops);
    }

    /** mmu_notifier_register with custom ops (language handlers, JavaScript, Python). */
    public Subscriber register(String name, Space s, Device d, String label, MmuNotifierOps ops) {
        if (subscribers.containsKey(name)) throw new EngineException("notifier '" + name + "' is already registered");
        if (s.released) throw new EngineException(s.name + " has exited: mmu_notifier_register fails on a dead mm");
        if (d != null && d.space != null && d.space != s)
            throw new EngineException(d.name + " is bound to " + d.space.name + ", not " + s.name);
        if (d != null && d.space == null) bind(d, s);
        Subscriber sub = new Subscriber(name, s, d, label, ops);
        s.subscribers.add(sub);
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
        if (!sub.released && sub.has(Hook.RELEASE)) {
            hook(sub.space, "release", "mmu_notifier_unregister", null, NO_ADDRESS, "release (mmu_notifier_unregister) -> " + sub.name);
            sub.ops.release(ctx(sub, true));
        }
        sub.space.subscribers.remove(sub);
        subscribers.remove(name);
        sub.released = true;
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

    public Trace trace() { return trace; }

    public int statementNo() { return statementNo; }

    public List<String> hooksThisStatement() {
        return trace.hooksThisStatement();
    }

    // ---------------------------------------------------------------- actions and operations

    /** A CPU access; faults the page in as the kernel would. */
    public void touch(Space s, long va, boolean write) {
        vmm.cpuAccess(s, va, write);
    }

    /** A device access through its translation path. */
    public Device.AccessResult dma(Device d, Space s, long va, boolean write) {
        if (d.space != s) {
            throw new EngineException(d.name + " is " + (d.space == null ? "not bound to any space" : "bound to " + d.space.name)
                    + ", not " + s.name, "bind " + d.name + " " + s.name);
        }
        Device.AccessResult r = d.access(this, va, write);
        accessEnded(d, va, write, r);
        return r;
    }

    public void accessEnded(Device d, long va, boolean write, Device.AccessResult r) {
        d.last = r;
        if (trace.keeping()) trace.event("access", d.name + " " + (write ? "write " : "read ") + Addr.hex(va) + ": " + r.status()
                + (r.pfn() >= 0 ? " pfn " + r.pfn() : "") + (r.detail() != null ? " (" + r.detail() + ")" : ""),
                new Trace.Fields().device(d.name).space(d.space == null ? null : d.space.name).address(va).write(write)
                        .result(r.status().name().toLowerCase()).frame(r.pfn(), r.pfn() >= 0 ? mem.gen(r.pfn()) : 0)
                        .level(r.ok() ? hitLevel(r.detail()) : null).why(r.ok() ? null : r.detail()));
    }

    /** Where a successful access found its translation: "atc hit" -> atc, "walk", a driver's fault path -> fault-path. */
    private static String hitLevel(String detail) {
        if (detail == null) return null;
        if (detail.endsWith(" hit")) return detail.substring(0, detail.length() - 4);
        return detail.startsWith("fault path") ? "fault-path" : detail;
    }

    /**
     * An ats access one actor at a time, for an explorer: (1) the device's lookup and walk;
     * a miss sends a page request that stays in flight in the device, tagged with
     * {@code owner} (an explorer action, not 0). Returns {@link AtsDevice.AccessStage#DONE}
     * when the access ended here (a hit; {@link Device#lastAccess()} says how), else
     * {@code REQUESTED}: {@link #handlePageRequest} runs next.
     */
    public AtsDevice.AccessStage startAccess(Device d, Space s, long va, boolean write, int owner) {
        AtsDevice a = atsDevice(d);
        if (d.space != s) throw new EngineException(d.name + " is " + (d.space == null ? "not bound to any space" : "bound to " + d.space.name)
                + ", not " + s.name, "bind " + d.name + " " + s.name);
        return a.beginAccess(this, va, write, owner);
    }

    /** Whether the kernel's handling of owner's page request would sleep now (the operation holds the PTL, a migration entry). */
    public boolean pageRequestWaits(Device d, int owner) {
        return atsDevice(d).requestWaits(this, owner);
    }

    /** (2) The kernel handles owner's page request (handle_mm_fault): SUCCESS or INVALID, kept until the device receives it. Returns {@code ANSWERED}. */
    public AtsDevice.AccessStage handlePageRequest(Device d, int owner) {
        return atsDevice(d).handleRequest(this, owner);
    }

    /** (3) The device receives owner's response and retries its walk: {@code DONE} or, on another fault, {@code REQUESTED}. */
    public AtsDevice.AccessStage retryAccess(Device d, int owner) {
        return atsDevice(d).retryAccess(this, owner);
    }

    private static AtsDevice atsDevice(Device d) {
        if (d instanceof AtsDevice a) return a;
        throw new EngineException(d.name + " is a " + d.kind() + " device: it has no page requests to step",
                "page-request steps exist for ats devices; mirror and kvm use startFault/stepFault");
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

    /** Keys of the kernel's pr_warn_once messages already printed in this world. */
    private final java.util.Set<String> warnedOnce = new java.util.HashSet<>();
    /** Kernel log lines not yet shown to the user (pr_warn_once and the like). */
    private final List<String> kernelLog = new ArrayList<>();

    /** The kernel's pr_warn_once: the message once per world, also in the trace. */
    public void warnOnce(String key, String message) {
        if (!warnedOnce.add(key)) return;
        kernelLog.add(message);
        trace.event("kernel", message);
    }

    /** The kernel log lines since the last call (the interpreter prints them as warnings). */
    public List<String> takeKernelLog() {
        List<String> out = List.copyOf(kernelLog);
        kernelLog.clear();
        return out;
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

    // ---------------------------------------------------------------- device use (checker entry)

    public Device.AccessResult deviceUse(Device d, Translation t, long va, boolean write, String how) {
        checker.deviceUsed(d, t, va, write);
        int pfn = t.pfnFor(va);
        if (write) mem.setValue(pfn, ++writeSeq);
        return new Device.AccessResult(Device.AccessResult.Status.OK, pfn, 0, how);
    }

    // ---------------------------------------------------------------- notifier dispatch

    /** SUCCESS: retry the walk; INVALID: no VMA allows it; WAIT: the handler sleeps (migration_entry_wait). */
    public enum PageRequestResult { SUCCESS, INVALID, WAIT }

    /** Told of every call site an operation reaches, whether the profile fires hooks there or not. */
    interface SiteObserver {
        void reached(String site);
    }

    /** Null except in tests that tie each operation's code to its outline (OutlineTest). */
    SiteObserver siteObserver;

    /** A hook fired from a kernel call site, over a range or at an address. */
    private void hook(Space s, String name, String site, Range r, long address, String label) {
        String text = r != null && r.wholeMm() ? label + ", the whole mm" : label;
        if (!trace.keeping()) { // an explorer's inner run: the hook list for reports only, no typed details
            trace.event("hook", text);
            return;
        }
        boolean cited = profile.hasSite(site) || profile.hasSite(site + "@" + arch.name().toLowerCase()); // engine tests fire made-up sites
        Trace.Fields f = new Trace.Fields().hook(name).site(site).cite(cited ? profile.row(site, arch).cite() : null).space(s.name).range(r);
        if (r == null && address != NO_ADDRESS) f.address(address);
        trace.event("hook", text, f);
    }

    private static final long NO_ADDRESS = Long.MIN_VALUE;

    /** Fires what the profile lists at a call site. */
    public void fire(Space s, String site, Range r, long address, long pte) {
        if (siteObserver != null) siteObserver.reached(site);
        SiteRow row = profile.row(site, arch);
        for (Hook h : row.hooks()) {
            switch (h) {
                case RELEASE: release(s, site); break;
                case INVALIDATE_RANGE_START: invalidateRangeStart(s, new NotifierRange(r, row.event(), true), site); break;
                case INVALIDATE_RANGE_END: invalidateRangeEnd(s, new NotifierRange(r, row.event(), true), site, false); break;
                case INVALIDATE_RANGE_ONLY_END: invalidateRangeEnd(s, new NotifierRange(r, row.event(), true), site, true); break;
                case INVALIDATE_RANGE: invalidateRange(s, r, site); break;
                case INVALIDATE_PAGE: invalidatePage(s, address, site); break;
                case CHANGE_PTE: changePte(s, address, pte, site); break;
                case CLEAR_FLUSH_YOUNG: clearFlushYoung(s, r, site); break;
                case CLEAR_YOUNG: clearYoung(s, r, site); break;
                case TEST_YOUNG: testYoung(s, address, site); break;
                default: throw new IllegalStateException("site " + site + " lists " + h);
            }
        }
    }

    public void fire(Space s, String site, Range r) {
        fire(s, site, r, r.start(), Pte.NONE);
    }

    private String hookLabel(String name, String site) {
        return name + " (" + site + ")";
    }

    /** __mmu_notifier_release: every ->release, then the list is emptied for good. */
    void release(Space s, String site) {
        hook(s, "release", site, null, NO_ADDRESS, hookLabel("release", site));
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.RELEASE)) sub.ops.release(ctx(sub, true));
        }
        for (Subscriber sub : s.subscribers) sub.released = true;
        s.subscribers.clear();
        s.released = true;
    }

    void invalidateRangeStart(Space s, NotifierRange r, String site) {
        s.activeInvalidations++;
        hook(s, "invalidate_range_start", site, r.range(), NO_ADDRESS, hookLabel("invalidate_range_start " + r.range(), site));
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (!sub.has(Hook.INVALIDATE_RANGE_START)) continue;
            checkAlive(sub, "invalidate_range_start");
            sub.ops.invalidateRangeStart(ctx(sub, r.blockable()), r);
        }
    }

    void invalidateRangeEnd(Space s, NotifierRange r, String site, boolean onlyEnd) {
        hook(s, onlyEnd ? "invalidate_range_only_end" : "invalidate_range_end", site, r.range(), NO_ADDRESS,
                hookLabel((onlyEnd ? "invalidate_range_only_end " : "invalidate_range_end ") + r.range(), site));
        if (s.activeInvalidations == 0) {
            checker.report(ViolationKind.PROTOCOL, null, null, -1, 0, "invalidate_range_end " + r.range() + " without a start");
        } else {
            s.activeInvalidations--;
        }
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            // 3.19-6.5 __mmu_notifier_invalidate_range_end: ->invalidate_range first, then ->invalidate_range_end
            if (profile.endCallsRange && !onlyEnd && sub.has(Hook.INVALIDATE_RANGE)) {
                hook(s, profile.rangeHookName, site, r.range(), NO_ADDRESS, "  " + profile.rangeHookName + " " + r.range() + " -> " + sub.name + " (from invalidate_range_end)");
                sub.ops.invalidateRange(ctx(sub, r.blockable()), r.range());
            }
            if (sub.has(Hook.INVALIDATE_RANGE_END)) {
                checkAlive(sub, "invalidate_range_end");
                sub.ops.invalidateRangeEnd(ctx(sub, r.blockable()), r);
            }
        }
    }

    void invalidateRange(Space s, Range r, String site) {
        hook(s, profile.rangeHookName, site, r, NO_ADDRESS, hookLabel(profile.rangeHookName + " " + r, site));
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.INVALIDATE_RANGE)) sub.ops.invalidateRange(ctx(sub, !s.ptlHeld()), r);
        }
    }

    void invalidatePage(Space s, long address, String site) {
        hook(s, "invalidate_page", site, null, address, hookLabel("invalidate_page " + Addr.hex(address), site));
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.INVALIDATE_PAGE)) sub.ops.invalidatePage(ctx(sub, !s.ptlHeld()), address);
        }
    }

    void changePte(Space s, long address, long pte, String site) {
        hook(s, "change_pte", site, null, address, hookLabel("change_pte " + Addr.hex(address) + " -> " + Pte.describe(pte), site));
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.CHANGE_PTE)) sub.ops.changePte(ctx(sub, false), address, pte);
        }
    }

    boolean clearFlushYoung(Space s, Range r, String site) {
        hook(s, "clear_flush_young", site, r, NO_ADDRESS, hookLabel("clear_flush_young " + r, site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.CLEAR_FLUSH_YOUNG)) young |= sub.ops.clearFlushYoung(ctx(sub, false), r);
        }
        return young;
    }

    /** Fires a site's aging hooks (clear_flush_young, clear_young, test_young): whether any subscriber saw the page young. */
    public boolean fireYoung(Space s, String site, Range r) {
        if (siteObserver != null) siteObserver.reached(site);
        boolean young = false;
        for (Hook h : profile.row(site, arch).hooks()) {
            switch (h) {
                case CLEAR_FLUSH_YOUNG: young |= clearFlushYoung(s, r, site); break;
                case CLEAR_YOUNG: young |= clearYoung(s, r, site); break;
                case TEST_YOUNG: young |= testYoung(s, r.start(), site); break;
                default: throw new IllegalStateException("site " + site + " lists " + h + " among aging hooks");
            }
        }
        return young;
    }

    boolean clearYoung(Space s, Range r, String site) {
        hook(s, "clear_young", site, r, NO_ADDRESS, hookLabel("clear_young " + r, site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.CLEAR_YOUNG)) young |= sub.ops.clearYoung(ctx(sub, false), r);
        }
        return young;
    }

    boolean testYoung(Space s, long address, String site) {
        hook(s, "test_young", site, null, address, hookLabel("test_young " + Addr.hex(address), site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(s.subscribers)) {
            if (sub.has(Hook.TEST_YOUNG)) young |= sub.ops.testYoung(ctx(sub, false), address);
        }
        return young;
    }

    /**
     * mmu_notifier_invalidate_range_start_nonblock (4.19+): the site's start with the
     * blockable flag clear. Where the profile lets a start fail and a subscriber returns
     * -EAGAIN, the core (6.5 __mmu_notifier_invalidate_range_start) still calls every
     * start, then calls end on every subscriber that has one, and returns the error: the
     * caller must not call end itself. Returns whether the start succeeded.
     */
    public boolean fireStartNonblock(Space s, String site, Range r) {
        if (siteObserver != null) siteObserver.reached(site);
        SiteRow row = profile.row(site, arch);
        boolean ok = true;
        for (Hook h : row.hooks()) {
            if (h != Hook.INVALIDATE_RANGE_START) throw new IllegalStateException("site " + site + " lists " + h);
            NotifierRange nr = new NotifierRange(r, row.event(), false);
            s.activeInvalidations++;
            hook(s, "invalidate_range_start", site, r, NO_ADDRESS, hookLabel("invalidate_range_start " + nr, site));
            boolean failed = false;
            for (Subscriber sub : List.copyOf(s.subscribers)) {
                if (!sub.has(Hook.INVALIDATE_RANGE_START)) continue;
                checkAlive(sub, "invalidate_range_start");
                if (!sub.ops.invalidateRangeStart(ctx(sub, false), nr) && profile.startMayFail) {
                    hook(s, "invalidate_range_start", site, r, NO_ADDRESS, "  -EAGAIN from " + sub.name);
                    failed = true;
                }
            }
            if (failed) {
                hook(s, "invalidate_range_end", site, r, NO_ADDRESS, "  start failed: the core calls invalidate_range_end on every subscriber that has it");
                for (Subscriber sub : List.copyOf(s.subscribers)) {
                    if (sub.has(Hook.INVALIDATE_RANGE_END)) sub.ops.invalidateRangeEnd(ctx(sub, false), nr);
                }
                s.activeInvalidations--;
                ok = false;
            }
        }
        return ok;
    }

    private void checkAlive(Subscriber sub, String what) {
        if (sub.released) checker.report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                what + " reached " + sub.name + " after its release");
    }

    NotifierContext ctx(Subscriber sub, boolean blockable) {
        return new Ctx(sub, blockable);
    }

    /** The callback's handle on the world; records sleeping where sleeping is not allowed. */
    private final class Ctx implements NotifierContext {
        private final Subscriber sub;
        private final boolean blockable;

        Ctx(Subscriber sub, boolean blockable) {
            this.sub = sub;
            this.blockable = blockable;
        }

        @Override public World world() { return World.this; }
        @Override public Subscriber subscriber() { return sub; }
        @Override public Device device() { return sub.device; }
        @Override public Device device(String name) { return World.this.device(name); }

        @Override
        public void flush(Device d, Range r) {
            if (d != null) d.flush(World.this, r);
        }

        @Override
        public void flushAll(Device d) {
            if (d != null) d.flushAll(World.this);
        }

        @Override
        public void setRootEmpty(Device d) {
            if (d != null) d.setRootEmpty(World.this);
        }

        @Override
        public void setRoot(Device d, Space s) {
            if (d != null) d.setRoot(World.this, s);
        }

        @Override
        public void detach(Device d) {
            if (d != null) d.detach(World.this);
        }

        @Override
        public void block(Device d) {
            mightSleep("block " + (d == null ? "" : d.name));
            if (d != null) {
                d.blocked = true;
                trace.event("device", d.name + " blocked", new Trace.Fields().device(d.name));
            }
        }

        @Override
        public void unblock(Device d) {
            if (d != null) {
                d.blocked = false;
                trace.event("device", d.name + " unblocked", new Trace.Fields().device(d.name));
            }
        }

        @Override
        public void mightSleep(String what) {
            Space s = sub.space;
            if (s.ptlHeld()) {
                checker.report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                        sub.name + " may sleep (" + what + ") in a callback called under the page-table lock");
            } else if (!blockable) {
                checker.report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                        sub.name + " may sleep (" + what + ") in a non-blockable invalidation");
            }
        }

        @Override
        public void print(String text) {
            trace.event("print", text);
            if (printer != null) printer.accept(text);
        }
    }

    private java.util.function.Consumer<String> printer;
    private StepMeter meter = StepMeter.NONE;
    /** Devices whose per-operation fault count is not zero (Device.countOpFault): reset at the next statement. */
    public final List<Device> opFaulted = new ArrayList<>();

    /** Counts this world's micro-steps against a budget (`mmn run --max-steps`, `--timeout`); not copied. */
    public void setStepMeter(StepMeter m) {
        this.meter = m == null ? StepMeter.NONE : m;
    }

    public StepMeter meter() {
        return meter;
    }

    /** Where {@code print} in handlers goes (the interpreter's output). */
    public void setPrinter(java.util.function.Consumer<String> p) {
        this.printer = p;
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
        World copy = copyState(src);
        profile = copy.profile;
        mem = copy.mem;
        memoryBytes = copy.memoryBytes;
        memoryUsed = copy.memoryUsed;
        spaces.clear();
        spaces.putAll(copy.spaces);
        devices.clear();
        devices.putAll(copy.devices);
        opFaulted.clear();
        opFaulted.addAll(copy.opFaulted);
        subscribers.clear();
        subscribers.putAll(copy.subscribers);
        pageCache.clear();
        pageCache.putAll(copy.pageCache);
        swap.clear();
        swap.putAll(copy.swap);
        swapCache.clear();
        swapCache.putAll(copy.swapCache);
        // mid-operation state too: the explorer snapshots and restores between micro-steps
        copiedOut.clear();
        copiedOut.addAll(copy.copiedOut);
        nextSwapSlot = copy.nextSwapSlot;
        gatherBatch = copy.gatherBatch;
        stormThreshold = copy.stormThreshold;
        writeSeq = copy.writeSeq;
        seed = copy.seed;
        statementNo = copy.statementNo;
        arch = copy.arch;
        mem.setListener(checker);
        for (Space s : spaces.values()) s.pageTable.setListener(leafListener);
        reverseMap.invalidate();
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

    /** Feeds the canonical state into h (what {@link #stateHash} hashes), without making a string. */
    public void stateHashInto(StateHasher h) {
        h.stormThreshold(stormThreshold);
        h.put(profile.name).put(gatherBatch).put(stormThreshold).put(writeSeq).put(arch.ordinal());
        mem.hashInto(h);
        for (Space s : spaces.values()) s.hashInto(h);
        for (Device d : devices.values()) d.hashInto(h);
        for (Map.Entry<String, TreeMap<Long, Integer>> f : pageCache.entrySet()) {
            h.put(f.getKey());
            for (Map.Entry<Long, Integer> e : f.getValue().entrySet()) h.put(e.getKey()).put(e.getValue());
        }
        for (Map.Entry<Integer, Long> e : swap.entrySet()) h.put(e.getKey()).put(e.getValue());
        for (Map.Entry<Integer, Integer> e : swapCache.entrySet()) h.put(e.getKey()).put(e.getValue());
        h.put(copiedOut.size());
        for (int pfn : copiedOut) h.put(pfn);
        h.put(nextSwapSlot);
    }

    /** Feeds the checker's pending statement-end work into h (the explorer's state key). */
    public void hashPendingChecks(StateHasher h) {
        checker.hashPending(h);
    }

    private static World copyState(World o) {
        World c = new World(o.profile, o.mem.copy());
        c.reverseMap.invalidate();
        c.memoryBytes = o.memoryBytes;
        c.memoryUsed = o.memoryUsed;
        Map<Space, Space> sm = new LinkedHashMap<>();
        for (Space s : o.spaces.values()) {
            Space n = new Space(s.name);
            for (Vma v : s.vmas.values()) n.vmas.put(v.start, v.copy());
            n.pageTable = s.pageTable.copyFor(c.mem, n);
            n.cpuTlb = s.cpuTlb.copyFor(n);
            n.activeInvalidations = s.activeInvalidations;
            n.released = s.released;
            n.exited = s.exited;
            n.ptlDepth = s.ptlDepth;
            n.mmapWriteLocked = s.mmapWriteLocked;
            n.deposits.putAll(s.deposits);
            sm.put(s, n);
            c.spaces.put(n.name, n);
        }
        Map<Device, Device> dm = new LinkedHashMap<>();
        for (Device d : o.devices.values()) {
            Device n = d.copyFor(c, d.space == null ? null : sm.get(d.space));
            dm.put(d, n);
            c.devices.put(n.name, n);
            if (n.opFaults != 0 || n.stormReported) c.opFaulted.add(n);
        }
        for (Space s : o.spaces.values()) {
            Space n = sm.get(s);
            for (Subscriber sub : s.subscribers) {
                Subscriber ns = sub.copyFor(n, sub.device == null ? null : dm.get(sub.device));
                n.subscribers.add(ns);
            }
        }
        for (Subscriber sub : o.subscribers.values()) {
            Subscriber found = null;
            Space n = sm.get(sub.space);
            for (Subscriber ns : n.subscribers) if (ns.name.equals(sub.name)) found = ns;
            if (found == null) found = sub.copyFor(n, sub.device == null ? null : dm.get(sub.device));
            c.subscribers.put(sub.name, found);
        }
        for (Map.Entry<String, TreeMap<Long, Integer>> f : o.pageCache.entrySet()) c.pageCache.put(f.getKey(), new TreeMap<>(f.getValue()));
        c.swap.putAll(o.swap);
        c.swapCache.putAll(o.swapCache);
        c.copiedOut.addAll(o.copiedOut);
        c.nextSwapSlot = o.nextSwapSlot;
        c.gatherBatch = o.gatherBatch;
        c.stormThreshold = o.stormThreshold;
        c.writeSeq = o.writeSeq;
        c.seed = o.seed;
        c.statementNo = o.statementNo;
        c.arch = o.arch;
        return c;
    }

    /** An opaque, immutable capture of the engine state. */
    public static final class Snapshot {
        private final World state;
        private final List<Violation> violations;
        private final Set<String> reported;
        private final int traceSize;
        private final Checker.Pending pending;

        private Snapshot(World state, List<Violation> violations, Set<String> reported, int traceSize, Checker.Pending pending) {
            this.state = state;
            this.pending = pending;
            this.violations = List.copyOf(violations);
            this.reported = reported;
            this.traceSize = traceSize;
        }
    }

    // ---------------------------------------------------------------- inspection

    public PhysMem memory() { return mem; }

    public Checker checker() { return checker; }

    static String hintNames(String what, java.util.Collection<String> names) {
        if (names.isEmpty()) return "no " + what + " are declared yet";
        return "declared " + what + ": " + String.join(", ", new ArrayList<>(names));
    }
}
