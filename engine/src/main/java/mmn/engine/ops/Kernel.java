package mmn.engine.ops;

import mmn.engine.PhaseListener;
import mmn.engine.StepMeter;
import mmn.engine.check.Checker;
import mmn.engine.check.Trace;
import mmn.engine.device.Device;
import mmn.engine.device.DeviceChecks;
import mmn.engine.device.DeviceHost;
import mmn.engine.device.IntervalSeq;
import mmn.engine.device.PageRequestResult;
import mmn.engine.mem.Addr;
import mmn.engine.mem.PageCache;
import mmn.engine.mem.PageTable;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.SwapSpace;
import mmn.engine.mem.Translation;
import mmn.engine.notifier.NotifierCore;
import mmn.engine.notifier.Subscriber;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Profile;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The state the kernel's code acts on: physical memory, the mms (spaces), the page cache
 * and swap, the devices, the notifier core with its subscriptions, the active profile,
 * the checker and the trace, and where the current statement is. The operations
 * ({@link Vmm} and its area classes) read and change it; devices see it through
 * {@link DeviceHost}, the checker through {@link Checker.Host}, the notifier core through
 * {@link NotifierCore.Host}, so none of them depends on this class. The front ends'
 * facade, {@code mmn.engine.World}, is this state plus declarations, statements and
 * snapshots.
 */
public class Kernel implements DeviceHost, Checker.Host, NotifierCore.Host {
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
    protected long memoryBytes = 256L << 20;
    protected boolean memoryUsed;
    public final Map<String, Space> spaces = new LinkedHashMap<>();
    public final Map<String, Device> devices = new LinkedHashMap<>();
    public final PageCache pageCache = new PageCache();
    public final SwapSpace swap = new SwapSpace();
    /**
     * Frames whose contents were already copied out by the running operation (migration's
     * copy, reclaim's pageout): a device write into one now is lost. Empty between statements.
     */
    public final Set<Integer> copiedOut = new TreeSet<>();
    public int gatherBatch = DEFAULT_GATHER_BATCH;
    protected int stormThreshold = DEFAULT_STORM_THRESHOLD;
    public long writeSeq;
    protected Arch arch = Arch.X86;
    protected long seed;
    /**
     * Whether operations run interleaved with other actors (an explore's worlds): then an
     * operation that finds its work already done by a device (COW broken by a device
     * write) does what the kernel does in that case instead of refusing, as it does for a
     * script that asks for it in a state where it makes no sense. Not part of the state.
     */
    public boolean interleaved;

    public final Checker checker;
    public final Trace trace;
    public final NotifierCore notifier;
    public final Vmm vmm;
    /** frame -> the PTEs mapping it (anon_vma / i_mmap): rmap walks cost one page's mappings. */
    public final ReverseMap reverseMap = new ReverseMap(this);
    /** Every leaf change goes to the checker (boundary checks), then to the reverse map. */
    protected final PageTable.Listener leafListener = new PageTable.Listener() {
        // a class, not a lambda: every snapshot makes a Kernel, and until the JIT has
        // compiled it a capturing lambda is made through method handles, slowly
        @Override
        public void leafChanged(PageTable pt, long va, long oldPte, long newPte) {
            checker().leafChanged(pt, va, oldPte, newPte);
            reverseMap.leafChanged(pt, va, oldPte, newPte);
        }
    };

    /**
     * The operation running as a step program, or null: part of the state (copied with a
     * snapshot, hashed into the key when set), so the explorer can step it from a copy.
     */
    private OpFrame frame;
    /**
     * Whether {@link #frame} is a snapshot's, shared by a restore in place: device steps
     * only read (hash) it, and the operation's next step copies it first ({@link #stepOp}).
     * Most successors of an explore state are device steps: they never copy the frame.
     */
    private boolean frameShared;

    // where we are, for reports and the trace
    public int statementNo;
    public String statement;
    /** The statement's place in its script (the trace's file:line:col); null when it has none. */
    public Trace.Where statementAt;
    public String operation;
    public String phase;
    /** Devices whose per-operation fault count is not zero (Device.countOpFault): reset at the next statement. */
    public final List<Device> opFaulted = new ArrayList<>();

    private StepMeter meter = StepMeter.NONE;
    private Consumer<String> printer;
    /** Keys of the kernel's pr_warn_once messages already printed in this world. */
    private final Set<String> warnedOnce = new HashSet<>();
    /** Kernel log lines not yet shown to the user (pr_warn_once and the like). */
    private final List<String> kernelLog = new ArrayList<>();

    /** With {@code mem} given (a copy), no default-sized memory is allocated only to be dropped (restore is hot in explore). */
    protected Kernel(Profile p, PhysMem mem) {
        this.profile = p;
        this.trace = new Trace(this);
        this.checker = new Checker(this);
        this.notifier = new NotifierCore(this, new Runnable() { // a class, not this::shapeChanged: see leafListener
            @Override
            public void run() {
                shapeChanged();
            }
        });
        this.mem = mem != null ? mem : new PhysMem(memoryBytes);
        this.mem.setListener(checker);
        this.vmm = new Vmm(this);
    }

    private Checker checker() { return checker; }

    // ---------------------------------------------------------------- what devices, checker and notifier core see

    @Override public PhysMem memory() { return mem; }
    @Override public Trace trace() { return trace; }
    @Override public Profile profile() { return profile; }
    @Override public Arch arch() { return arch; }
    @Override public int stormThreshold() { return stormThreshold; }
    @Override public DeviceChecks checks() { return checker; }
    @Override public Map<String, Space> spaceMap() { return spaces; }
    @Override public Map<String, Device> deviceMap() { return devices; }
    @Override public Set<Integer> copiedOut() { return copiedOut; }
    @Override public int statementNo() { return statementNo; }
    @Override public String statement() { return statement; }
    @Override public Trace.Where statementAt() { return statementAt; }
    @Override public String operation() { return operation; }
    @Override public String phase() { return phase; }
    @Override public StepMeter meter() { return meter; }
    @Override public List<String> hooksThisStatement() { return trace.hooksThisStatement(); }
    @Override public void opFaulted(Device d) { opFaulted.add(d); }

    @Override
    public PageRequestResult handlePageRequest(Space s, long va, boolean write) {
        return vmm.handlePageRequest(s, va, write);
    }

    @Override
    public boolean pageRequestWaits(Space s, long va, boolean write) {
        return vmm.pageRequestWaits(s, va, write);
    }

    @Override
    public boolean pageRequestRefused(Space s, long va, boolean write) {
        return vmm.pageRequestRefused(s, va, write);
    }

    @Override
    public void markAccessed(Space s, long va, boolean write) {
        vmm.markAccessed(s, va, write);
    }

    @Override
    public IntervalSeq intervalOf(Device d) {
        if (d.space == null) return null;
        for (Subscriber sub : notifier.subs(d.space)) {
            if (sub.device == d && !sub.released && sub.ops instanceof IntervalSeq i) return i;
        }
        return null;
    }

    @Override
    public Device.AccessResult deviceUse(Device d, Translation t, long va, boolean write, String how) {
        checker.deviceUsed(d, t, va, write);
        int pfn = t.pfnFor(va);
        if (write) mem.setValue(pfn, ++writeSeq);
        return new Device.AccessResult(Device.AccessResult.Status.OK, pfn, 0, how);
    }

    @Override
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

    @Override
    public Device device(String name) {
        Device d = devices.get(name);
        if (d == null) throw new mmn.engine.EngineException("unknown device '" + name + "'", mmn.engine.EngineException.declared("devices", devices.keySet()));
        return d;
    }

    @Override
    public Space space(String name) {
        Space s = spaces.get(name);
        if (s == null) throw new mmn.engine.EngineException("unknown space '" + name + "'", mmn.engine.EngineException.declared("spaces", spaces.keySet()));
        return s;
    }

    @Override
    public void print(String text) {
        trace.event("print", text);
        if (printer != null) printer.accept(text);
    }

    // ---------------------------------------------------------------- what the operations call

    /** Fires what the profile lists at a call site. */
    public void fire(Space s, String site, Range r, long address, long pte) {
        notifier.fire(s, site, r, address, pte);
    }

    public void fire(Space s, String site, Range r) {
        fire(s, site, r, r.start(), Pte.NONE);
    }

    /** Fires a site's aging hooks: whether any subscriber saw the page young. */
    public boolean fireYoung(Space s, String site, Range r) {
        return notifier.fireYoung(s, site, r);
    }

    /** mmu_notifier_invalidate_range_start_nonblock: whether the start succeeded. */
    public boolean fireStartNonblock(Space s, String site, Range r) {
        return notifier.fireStartNonblock(s, site, r);
    }

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

    /** Counts this world's micro-steps against a budget (`mmn run --max-steps`, `--timeout`); not copied. */
    public void setStepMeter(StepMeter m) {
        this.meter = m == null ? StepMeter.NONE : m;
    }

    /** Where {@code print} in handlers goes (the interpreter's output). */
    public void setPrinter(Consumer<String> p) {
        this.printer = p;
    }

    // ---------------------------------------------------------------- statements

    private int violationsAtStart;

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
    public List<mmn.engine.check.Violation> endStatement() {
        int before = Math.min(violationsAtStart, checker.count());
        operation = null;
        phase = null;
        for (Space s : spaces.values()) {
            if (s.activeInvalidations != 0) {
                checker.report(mmn.engine.check.ViolationKind.PROTOCOL, null, null, -1, 0, s.name + " ended the statement with "
                        + s.activeInvalidations + " invalidate_range_start without its end");
                s.activeInvalidations = 0;
            }
            if (s.ptlDepth != 0) throw new IllegalStateException("PTL still held at statement end");
        }
        checker.statementBoundary();
        List<mmn.engine.check.Violation> all = checker.violations();
        return List.copyOf(all.subList(before, all.size()));
    }

    public List<mmn.engine.check.Violation> violations() {
        return checker.violations();
    }

    // ---------------------------------------------------------------- copy and hash

    /** Empties every map and list of the state (a restore refills them from a snapshot). */
    protected void clearState() {
        spaces.clear();
        devices.clear();
        opFaulted.clear();
        pageCache.clear();
        swap.clear();
        copiedOut.clear();
        frame = null;
        frameShared = false;
        shapeChanged();
    }

    /** Makes this (a fresh kernel over a copy of o's memory) a deep copy of o's state. */
    protected void copyStateFrom(Kernel o) {
        reverseMap.invalidate();
        memoryBytes = o.memoryBytes;
        memoryUsed = o.memoryUsed;
        Map<Space, Space> sm = new LinkedHashMap<>();
        for (Space s : o.spaces.values()) {
            Space n = s.copyFor(mem);
            n.pageTable.setListener(leafListener);
            sm.put(s, n);
            spaces.put(n.name, n);
        }
        Map<Device, Device> dm = new LinkedHashMap<>();
        for (Device d : o.devices.values()) {
            Device n = d.copyFor(this, d.space == null ? null : sm.get(d.space));
            dm.put(d, n);
            devices.put(n.name, n);
            if (n.opFaults != 0 || n.stormReported) opFaulted.add(n);
        }
        Map<Subscriber, Subscriber> subs = new LinkedHashMap<>();
        java.util.function.Function<Subscriber, Subscriber> copy = sub -> subs.computeIfAbsent(sub,
                k -> k.copyFor(sm.get(k.space), k.device == null ? null : dm.get(k.device)));
        notifier.copyFrom(o.notifier, sm, copy);
        pageCache.copyFrom(o.pageCache);
        swap.copyFrom(o.swap);
        copiedOut.addAll(o.copiedOut);
        copyScalarsFrom(o);
        frame = o.frame == null ? null : o.frame.copyFor(this);
        shape = o.shape; // the same spaces, devices and subscriptions, by name and in order
    }

    /**
     * Makes this a copy of o's state in place, when this already has o's shape: the same
     * spaces, devices and subscriptions, by name and in order, over the memory object o's
     * memory was just copied into. An explorer's worker restores snapshots of one explore
     * hundreds of thousands of times, and a step seldom changes the shape: its objects are
     * kept and refilled, and what the step left alone (VMAs, caches shared copy-on-write)
     * costs a comparison, not a copy. Returns false, having changed nothing, when the
     * shapes differ; the caller then copies ({@link #copyStateFrom}).
     */
    protected boolean assignStateFrom(Kernel o) {
        if (!sameShape(o)) return false;
        reverseMap.invalidate();
        memoryBytes = o.memoryBytes;
        memoryUsed = o.memoryUsed;
        var mine = spaces.values().iterator();
        for (Space s : o.spaces.values()) mine.next().assignFrom(s);
        opFaulted.clear();
        var devs = devices.values().iterator();
        for (Device d : o.devices.values()) {
            Device n = devs.next();
            n.assignFrom(d);
            if (n.opFaults != 0 || n.stormReported) opFaulted.add(n);
        }
        notifier.assignFrom(o.notifier);
        pageCache.copyFrom(o.pageCache);
        swap.copyFrom(o.swap);
        if (!copiedOut.equals(o.copiedOut)) {
            copiedOut.clear();
            copiedOut.addAll(o.copiedOut);
        }
        copyScalarsFrom(o);
        frame = o.frame;
        frameShared = frame != null;
        return true;
    }

    /**
     * This world's shape (its spaces, devices and subscriptions: what {@link #sameShape}
     * compares), as an identity: a copy takes its source's, and every change of shape makes
     * a new one ({@link #shapeChanged}). Worlds with the same Shape have the same shape, so
     * a restore between them skips the structural comparison, which was a twentieth of an
     * explore's time. {@code assignable} caches the comparison's answer for that shape
     * (false when a device or subscriber is copied, not assigned: mirror and kvm devices).
     */
    static final class Shape {
        volatile Boolean assignable;
    }

    private Shape shape = new Shape();

    /** The spaces, devices or subscriptions changed: this world has a new shape. */
    public final void shapeChanged() {
        shape = new Shape();
    }

    private boolean sameShape(Kernel o) {
        if (shape == o.shape) {
            Boolean known = shape.assignable;
            if (known != null) return known;
            boolean same = sameShapeCompared(o);
            shape.assignable = same;
            return same;
        }
        if (!sameShapeCompared(o)) return false;
        shape = o.shape; // compared equal: from now on, until either changes, the same shape
        return true;
    }

    private boolean sameShapeCompared(Kernel o) {
        if (spaces.size() != o.spaces.size() || devices.size() != o.devices.size()) return false;
        var mine = spaces.values().iterator();
        for (Space s : o.spaces.values()) {
            Space m = mine.next();
            // the same space, not one of the same name made in each world (fork's child, in each worker): its TLB is the same cache
            if (!m.name.equals(s.name) || m.pageTable == null || s.pageTable == null || m.cpuTlb.id() != s.cpuTlb.id()) return false;
        }
        var devs = devices.values().iterator();
        for (Device d : o.devices.values()) if (!devs.next().sameShape(d)) return false;
        return notifier.sameShape(o.notifier);
    }

    private void copyScalarsFrom(Kernel o) {
        gatherBatch = o.gatherBatch;
        stormThreshold = o.stormThreshold;
        writeSeq = o.writeSeq;
        seed = o.seed;
        statementNo = o.statementNo;
        arch = o.arch;
    }

    /** Feeds the canonical state into h (equal states, equal hashes, whatever the history). */
    public void stateHashInto(StateHasher h) {
        h.stormThreshold(stormThreshold);
        h.put(profile.name).put(gatherBatch).put(stormThreshold).put(writeSeq).put(arch.ordinal());
        mem.hashInto(h);
        for (Space s : spaces.values()) {
            s.hashInto(h);
            notifier.hashInto(s, h);
        }
        for (Device d : devices.values()) d.hashInto(h);
        pageCache.hashInto(h);
        swap.hashInto(h);
        h.put(copiedOut.size());
        for (int pfn : copiedOut) h.put(pfn);
        if (frame != null) frame.hashInto(h.put(0x0f4a3e)); // nothing when no step program runs: run-mode hashes as before
    }

    /**
     * A step program run whole, as a script statement runs it: each phase point reached
     * is told to {@code l} (which may run injected actions, even another operation: its
     * frame stacks on this one's). If {@code l} throws an Error (the explorer's replay
     * pausing at a phase), the frame stays the running one, as the state it paused in.
     */
    public void runOp(OpFrame f, PhaseListener l) {
        ownFrame();
        OpFrame outer = frame;
        frame = f;
        f.listener = l;
        try {
            for (String p = f.step(this); p != null; p = f.step(this)) l.after(p);
        } catch (RuntimeException e) {
            frame = outer;
            throw e;
        }
        frame = outer;
    }

    /** Before the frame changes: a snapshot's frame, shared by a restore, is copied into this world first. */
    private void ownFrame() {
        if (!frameShared) return;
        frame = frame.copyFor(this);
        frameShared = false;
    }

    /** The operation running step by step, or null. */
    public OpFrame frame() {
        return frame;
    }

    /** Starts {@code f} as the operation the explorer steps ({@link #stepOp}). */
    public void startOp(OpFrame f) {
        frame = f;
        frameShared = false;
    }

    /**
     * The explorer's OP choice: runs the operation in {@link #frame} to its next phase
     * point and returns that phase, or returns null (and clears the frame) when it returned.
     */
    public String stepOp() {
        ownFrame();
        String p = frame.step(this);
        if (p == null) frame = null;
        return p;
    }
}
