package mmn.engine.explore;

import mmn.engine.Snapshot;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.check.Violation;
import mmn.engine.mem.StateHasher;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's world and the replay of a schedule on it (stateless search). The
 * operation is a synchronous Java call whose locals (the mmu_gather, the VMA list)
 * live on the stack, so it cannot be resumed from a snapshot: every state is reached
 * by restoring the initial snapshot and replaying its schedule from the start, with a
 * phase listener that runs the scheduled device steps at each phase point and stops
 * the operation where the schedule ends.
 *
 * <p>A schedule is a byte per step: {@link #OP} lets the operation run to its next
 * phase point (or return), {@code t + 1} runs the next step of device thread t.
 */
final class Replayer {
    static final byte OP = 0;

    /** Thrown out of the operation where the schedule ends; an Error so no catch(Exception) in front-end code eats it. */
    private static final class Pause extends Error {
        Pause() {
            super("schedule ends here", null, false, false);
        }
    }

    private static final Pause PAUSE = new Pause();

    /** Told after each scheduled step (only when a counterexample is written out). */
    interface Observer {
        void stepped(int thread, String label);
    }

    /** The state a schedule reaches. {@code enabled[c]}: whether choice c can run next. */
    /** A state's 128-bit key (see {@link #key()}). */
    record Key(long high, long low) {
        // written out: a record's own equals and hashCode go through method handles, slow
        // until the JIT has compiled them, and a short explore hashes keys from its start
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.high == high && k.low == low;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(high * 31 + low);
        }
    }

    /**
     * {@code end}: for a terminal state, the key of its world and pending checks alone (the
     * oracle compares end states), else null. With sleep sets on: {@code quiet[c]},
     * whether choice c is enabled and its step is quiet here ({@link Action#quiet}),
     * and, with symmetry on too, {@code role[t]}: the place thread t takes in the key's
     * canonical order (else null).
     */
    record Outcome(byte[] schedule, Key key, boolean[] enabled, boolean terminal, int violations, Key end, boolean[] quiet, int[] role,
            Parent from) {
        boolean hasViolation() {
            return violations > 0;
        }
    }

    private final World w;
    private final Snapshot initial;
    private final OpProgram op;
    private final List<List<Action>> threads;
    private final String label;

    // the replay in progress
    private byte[] sched;
    private int pos;
    private int opPoints;
    private boolean opDone;
    private final int[] act;
    private final int[] stp;
    /** For each thread, the first thread identical to it (itself if none): see {@link #symmetryClasses}. */
    private final int[] symmetryClass;
    private final boolean symmetry;
    /** ownerAt[t][i]: the owner tag of thread t's action i (0: none); ownerThread/ownerAction: the reverse (-1: no such owner). */
    private final int[][] ownerAt;
    private final int[] ownerThread;
    private final int[] ownerAction;
    /** Whether the key hashes counters in canonical form ({@link StateHasher#canonical()}). */
    private final boolean canonical;
    /** Whether outcomes say which choices are read-only (the sleep-set reduction needs it). */
    private final boolean sleepSets;
    /** The canonical order the last key was hashed in (null without symmetry). */
    private int[] lastRole;
    private Observer obs;
    private String lastPhase;
    private int traceMark;
    private int violationMark;

    private final PhaseListener atPhase = this::phaseReached;

    /**
     * A state's world and the replay's own counters, snapshotted mid-statement (the
     * operation paused at a phase point, not started, or returned): a device step from
     * it needs no replay of the schedule (see {@link #step}).
     */
    record Parent(Snapshot snap, int[] act, int[] stp, int opPoints, boolean opDone, String lastPhase) {}

    /** The parent state the outcome being finished was stepped from (stepped mode), else null. */
    private Parent from;

    /** While replaying with {@link #replayCapturing}: the position at which to snapshot, else -1. */
    private int captureAt = -1;
    private Parent captured;

    Replayer(Snapshot initial, OpProgram op, List<List<Action>> threads, String label, Reductions reductions) {
        this.w = new World();
        w.setInterleaved(true); // another actor may have done part of an operation's work: it backs off as the kernel does
        this.initial = initial;
        this.op = op;
        this.threads = threads;
        this.label = label;
        this.act = new int[threads.size()];
        this.stp = new int[threads.size()];
        this.who = new int[threads.size()];
        this.members = new int[threads.size()];
        this.sorted = new int[threads.size()];
        this.canonical = reductions.canonical();
        this.symmetry = reductions.symmetry();
        this.sleepSets = reductions.sleepSets();
        this.symmetryClass = symmetry ? symmetryClasses(threads) : identity(threads.size());
        this.ownerAt = new int[threads.size()][];
        int maxOwner = 0;
        for (int t = 0; t < threads.size(); t++) {
            ownerAt[t] = new int[threads.get(t).size()];
            for (int i = 0; i < ownerAt[t].length; i++) {
                if (threads.get(t).get(i) instanceof DeviceAccess d) ownerAt[t][i] = d.owner;
                maxOwner = Math.max(maxOwner, ownerAt[t][i]);
            }
        }
        this.ownerThread = new int[maxOwner + 1];
        this.ownerAction = new int[maxOwner + 1];
        java.util.Arrays.fill(ownerThread, -1);
        for (int t = 0; t < ownerAt.length; t++) {
            for (int i = 0; i < ownerAt[t].length; i++) {
                if (ownerAt[t][i] != 0) {
                    ownerThread[ownerAt[t][i]] = t;
                    ownerAction[ownerAt[t][i]] = i;
                }
            }
        }
    }

    /**
     * Threads with the same actions, each with a symmetry key, form a class: states
     * that differ only by a permutation of their program counters are symmetric (any
     * continuation of one, with those threads renamed, is a continuation of the other
     * with the same violations), so the key sorts the counters within a class. Class i
     * is the smallest index of a thread identical to thread i.
     */
    private static int[] symmetryClasses(List<List<Action>> threads) {
        int[] cls = new int[threads.size()];
        for (int t = 0; t < threads.size(); t++) {
            cls[t] = t;
            List<String> keys = symmetryKeys(threads.get(t));
            if (keys == null) continue;
            for (int u = 0; u < t; u++) {
                if (keys.equals(symmetryKeys(threads.get(u)))) {
                    cls[t] = u;
                    break;
                }
            }
        }
        return cls;
    }

    private static int[] identity(int n) {
        int[] cls = new int[n];
        for (int t = 0; t < n; t++) cls[t] = t;
        return cls;
    }

    private static List<String> symmetryKeys(List<Action> thread) {
        List<String> keys = new ArrayList<>();
        for (Action a : thread) {
            if (a.symmetryKey() == null) return null;
            keys.add(a.symmetryKey());
        }
        return keys;
    }

    World world() {
        return w;
    }

    /** Replays a schedule from the initial state and describes the state it reaches. */
    Outcome replay(byte[] schedule, Observer observer) {
        start(schedule, observer);
        int before = w.checker().count();
        runDevices();
        if (pos == captureAt) capture();
        if (pos < sched.length) {
            pos++; // the first OP choice starts the operation
            try {
                op.run(w, atPhase);
                opDone = true;
                lastPhase = "returned";
                if (obs != null) obs.stepped(-1, "the operation returns");
                runDevices();
            } catch (Pause p) {
                // the operation stays at its phase point; the world is the state we want
            }
        }
        return finish(before);
    }

    /** The state the replay stopped in: key, enabled choices, and the statement-end check if nothing can run. */
    private Outcome finish(int before) {
        if (pos != sched.length) throw new IllegalStateException("schedule has a step for a finished operation");
        Key key = key();
        boolean[] enabled = enabled();
        boolean terminal = true;
        for (boolean e : enabled) terminal &= !e;
        boolean[] quiet = sleepSets && !terminal && quietAtFinish ? quietNow(enabled) : null;
        Key end = null;
        if (terminal) {
            end = endKey(w, canonical);
            List<Violation> atEnd = w.endStatement();
            if (obs != null && !atEnd.isEmpty()) obs.stepped(-2, "statement ends: full coherence check");
        }
        return new Outcome(sched, key, enabled, terminal, w.checker().count() - before, end, quiet, sleepSets ? lastRole : null, from);
    }

    /**
     * Whether {@link #finish} works out which choices are quiet. A search that steps
     * states from snapshots asks {@link #quietNow} when it expands a state instead: most
     * outcomes are states already visited, never expanded.
     */
    private boolean quietAtFinish = true;

    void quietWhenExpanded() {
        quietAtFinish = false;
    }

    /** Which choices are enabled and quiet ({@link Action#quiet}) in the world as it is now, the state being expanded. */
    boolean[] quietNow(boolean[] enabled) {
        boolean[] quiet = new boolean[enabled.length];
        for (int t = 0; t < threads.size(); t++) quiet[t + 1] = enabled[t + 1] && threads.get(t).get(act[t]).quiet(w, stp[t]);
        return quiet;
    }

    /**
     * Replays {@code schedule}, whose last choice is the operation's next step, and
     * snapshots the state before that step on the way (the parent state: the world and
     * counters exactly as a replay of the schedule without its last choice leaves them,
     * since nothing runs between that point and the pause). {@link #captured()} has it.
     */
    Outcome replayCapturing(byte[] schedule) {
        if (schedule.length == 0 || schedule[schedule.length - 1] != OP) throw new IllegalArgumentException("the last choice must be the operation's");
        captured = null;
        captureAt = schedule.length - 1;
        try {
            return replay(schedule, null);
        } finally {
            captureAt = -1;
        }
    }

    /** The parent state captured by the last {@link #replayCapturing}, or null. */
    Parent captured() {
        return captured;
    }

    /** Replays {@code schedule} (a state where the operation cannot run: not paused inside it) and snapshots the state. */
    Parent snapshotAfter(byte[] schedule) {
        replay(schedule, null);
        return new Parent(w.snapshotMidStatement(), act.clone(), stp.clone(), opPoints, opDone, lastPhase);
    }

    private void capture() {
        captured = new Parent(w.snapshotMidStatement(), act.clone(), stp.clone(), opPoints, opDone, lastPhase);
    }

    /**
     * The child of {@code parent} by the schedule's last choice, from the parent's
     * snapshot instead of a replay of the whole schedule. Same outcome as {@code
     * replay(schedule, null)}: the world is restored exactly (frames, spaces, devices with
     * in-flight faults, the checker's reported set and pending statement-end work) and the
     * step touches nothing else. The choice is a device step, or, when the operation is a
     * step program ({@link OpProgram#frame}), also the operation's next step; then
     * {@code keepParent} makes the outcome remember {@code parent}, so the child can be
     * brought back ({@link #materialize}) to step its own successors.
     */
    Outcome step(Parent parent, byte[] schedule, boolean keepParent) {
        int before = stepFrom(parent, schedule);
        from = keepParent ? parent : null;
        Outcome o = finish(before);
        from = null;
        return o;
    }

    /**
     * A state of the search as a snapshot to step its successors from: the root by its
     * (empty) replay, any other state by restoring the parent it was stepped from and
     * running its last choice again.
     */
    Parent materialize(Outcome o) {
        if (o.from() == null) {
            live = snapshotAfter(o.schedule());
        } else {
            stepFrom(o.from(), o.schedule());
            live = new Parent(w.snapshotMidStatement(), act.clone(), stp.clone(), opPoints, opDone, lastPhase);
        }
        return live;
    }

    /** The parent state the world is in right now, untouched since its snapshot (the first successor needs no restore), or null. */
    private Parent live;

    /** Restores {@code parent} and runs the schedule's last choice; returns the checker's count before it. */
    private int stepFrom(Parent parent, byte[] schedule) {
        sched = schedule;
        pos = schedule.length - 1;
        opPoints = parent.opPoints();
        opDone = parent.opDone();
        lastPhase = parent.lastPhase();
        obs = null;
        System.arraycopy(parent.act(), 0, act, 0, act.length);
        System.arraycopy(parent.stp(), 0, stp, 0, stp.length);
        if (parent != live) w.restore(parent.snap());
        live = null;
        w.trace().setKeep(false);
        traceMark = w.trace().size();
        violationMark = w.checker().count();
        int before = w.checker().count();
        if (schedule[pos] == OP) stepOp();
        else runDevices();
        return before;
    }

    /** The operation's next step in stepped mode: it begins at the first OP choice, then runs to its next phase point or returns. */
    private void stepOp() {
        pos++;
        if (w.frame() == null) w.startOp(op.frame(w));
        if (w.frame() == null) throw new IllegalArgumentException("the operation is not a step program: its steps are replayed, not stepped");
        String phase = w.stepOp();
        if (phase == null) {
            opDone = true;
            lastPhase = "returned";
        } else {
            opPoints++;
            lastPhase = phase;
        }
    }

    private void start(byte[] schedule, Observer observer) {
        from = null;
        live = null;
        sched = schedule;
        pos = 0;
        opPoints = 0;
        opDone = false;
        lastPhase = null;
        obs = observer;
        java.util.Arrays.fill(act, 0);
        java.util.Arrays.fill(stp, 0);
        w.restore(initial);
        w.trace().setKeep(observer != null);
        w.beginStatement(label);
        traceMark = w.trace().size();
        violationMark = w.checker().count();
    }

    /** The operation reached a phase point: run the device steps scheduled here, then go on or stop. */
    private void phaseReached(String phase) {
        opPoints++;
        lastPhase = phase;
        if (obs != null) obs.stepped(-1, phase);
        runDevices();
        if (pos == captureAt) capture();
        if (pos == sched.length) throw PAUSE;
        pos++; // the next OP choice: the operation runs on to its next phase point
    }

    private void runDevices() {
        while (pos < sched.length && sched[pos] != OP) {
            int t = sched[pos++] - 1;
            Action a = threads.get(t).get(act[t]);
            String stepLabel = obs != null ? a.stepLabel(stp[t]) : null;
            int next = a.step(w, stp[t]);
            if (next >= a.steps()) {
                act[t]++;
                stp[t] = 0;
            } else {
                stp[t] = next;
            }
            if (obs != null) obs.stepped(t, stepLabel);
        }
    }

    private boolean[] enabled() {
        boolean[] e = new boolean[threads.size() + 1];
        e[OP] = !opDone;
        for (int t = 0; t < threads.size(); t++) {
            List<Action> th = threads.get(t);
            e[t + 1] = act[t] < th.size() && th.get(act[t]).enabled(w, stp[t]);
        }
        return e;
    }

    /**
     * The visited-set key: the world's canonical hash, the checker's pending
     * statement-end work, the operation's progress (phase points passed, returned or
     * not) and every thread's program counter. With the symmetry reduction, identical
     * threads are put in a canonical order (by program counter, ties by index) and the
     * world is hashed as if they had run in that order: their accesses' owner tags (the
     * in-flight driver faults and page requests) renamed with them (docs/explore.md).
     */
    private Key key() {
        StateHasher h = canonical ? StateHasher.canonical() : new StateHasher();
        int[] role = symmetry ? roles() : null; // role[t]: the thread whose place t takes in the canonical order
        lastRole = role;
        if (role != null) h.renameOwners(renameOwner);
        w.stateHashInto(h);
        w.hashPendingChecks(h);
        h.put(opPoints).put(opDone);
        if (role == null) {
            for (int t = 0; t < act.length; t++) h.put(act[t]).put(stp[t]);
        } else {
            for (int t = 0; t < act.length; t++) who[role[t]] = t; // who[u]: the thread in place u
            for (int u = 0; u < act.length; u++) h.put(act[who[u]]).put(stp[who[u]]);
        }
        return new Key(h.high(), h.low());
    }

    /** An owner tag renamed through {@link #lastRole} (the key's canonical order of identical threads). */
    private final java.util.function.IntUnaryOperator renameOwner = this::renamedOwner;

    private int renamedOwner(int o) {
        return o <= 0 || o >= ownerThread.length || ownerThread[o] < 0 ? o : ownerAt[lastRole[ownerThread[o]]][ownerAction[o]];
    }
    /** Scratch for {@link #key} and {@link #roles}: a key is computed per transition. */
    private final int[] who, members, sorted;

    /**
     * The canonical order of identical threads: within each class, the members sorted by
     * program counter (ties by index) take the class's places in index order. Any order
     * that is a function of the state would be sound (equal keys then mean states equal up
     * to a permutation of identical threads); sorting makes most permuted states meet.
     */
    private int[] roles() {
        int n = act.length;
        int[] role = identity(n);
        for (int t = 0; t < n; t++) {
            if (symmetryClass[t] != t) continue;
            int m = 0;
            for (int u = t; u < n; u++) if (symmetryClass[u] == t) members[m++] = u;
            if (m < 2) continue;
            for (int k = 0; k < m; k++) { // insertion sort by (action, step, index): a class has a few threads
                int u = members[k], j = k;
                for (; j > 0 && before(u, sorted[j - 1]); j--) sorted[j] = sorted[j - 1];
                sorted[j] = u;
            }
            for (int k = 0; k < m; k++) role[sorted[k]] = members[k];
        }
        return role;
    }

    /** Whether thread a comes before thread b in a class's canonical order: by program counter, ties by index. */
    private boolean before(int a, int b) {
        if (act[a] != act[b]) return act[a] < act[b];
        if (stp[a] != stp[b]) return stp[a] < stp[b];
        return a < b;
    }

    /**
     * The key of a world as an end state: its canonical state and pending statement-end
     * checks, no program counters, no owner of what is still in flight (so states equal up
     * to a permutation of identical threads are one end state, with symmetry on or off).
     */
    static Key endKey(World w, boolean canonical) {
        StateHasher h = canonical ? StateHasher.canonical() : new StateHasher();
        h.renameOwners(o -> o == 0 ? 0 : 1); // which thread's access is still in flight at the end is not told apart
        w.stateHashInto(h);
        w.hashPendingChecks(h);
        return new Key(h.high(), h.low());
    }

    /** Replays a schedule recording every step for people: hooks fired, violations raised. */
    Counterexample explain(byte[] schedule) {
        Counterexample cx = record(schedule, null);
        if (cx.violation() == null) throw new IllegalStateException("counterexample replay found no violation");
        return cx;
    }

    /** Why the search stopped at {@code schedule} (a state of its last level): the parts that kept changing on the way, and the steps. */
    BoundReport boundReport(byte[] schedule) {
        List<java.util.Map<String, Long>> probes = new ArrayList<>();
        Counterexample steps = record(schedule, probes);
        return new BoundReport(BoundReport.changing(probes), steps);
    }

    /** The state's named parts for a bound report: the world's, then the operation's and threads' progress. */
    private java.util.Map<String, Long> probe() {
        java.util.Map<String, Long> m = BoundReport.probe(w);
        m.put("operation: phase points passed", (long) opPoints);
        for (int t = 0; t < act.length; t++) {
            m.put("T" + (t + 1) + ": action", (long) act[t]);
            m.put("T" + (t + 1) + ": step", (long) stp[t]);
        }
        return m;
    }

    /** Replays a schedule recording every step (and, if probes is not null, the state's named parts after each). */
    private Counterexample record(byte[] schedule, List<java.util.Map<String, Long>> probes) {
        List<Counterexample.Step> steps = new ArrayList<>();
        Observer rec = (thread, what) -> {
            List<Trace.Event> events = w.trace().since(traceMark);
            List<String> hooks = new ArrayList<>();
            String opStep = what;
            for (Trace.Event e : events) {
                if (e.type().equals("hook")) hooks.add(e.text());
                if (e.type().equals("step")) opStep = e.text();
            }
            List<Violation> all = w.violations();
            List<Violation> raised = List.copyOf(all.subList(violationMark, all.size()));
            String who = thread == -1 ? "op" : thread == -2 ? "end" : "T" + (thread + 1);
            steps.add(new Counterexample.Step(steps.size() + 1, who, lastPhase, thread == -1 ? opStep : what, hooks, raised, events));
            traceMark = w.trace().size();
            violationMark = all.size();
            if (probes != null) probes.add(probe());
        };
        Outcome o = replay(schedule, rec);
        List<Violation> all = w.violations();
        return new Counterexample(List.copyOf(steps), o.violations() == 0 ? null : all.get(all.size() - o.violations()));
    }
}
