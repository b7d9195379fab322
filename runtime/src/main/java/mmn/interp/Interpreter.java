package mmn.interp;

import mmn.engine.DeviceOps;
import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profiles;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import mmn.ast.Expr;
import mmn.ast.Name;
import mmn.ast.Pos;
import mmn.ast.Stmt;
import mmn.engine.explore.Action;
import mmn.engine.explore.AtsAccessAction;
import mmn.engine.explore.Explorer;
import mmn.engine.explore.FaultPathAction;
import mmn.engine.explore.OpProgram;
import mmn.engine.explore.Result;

/**
 * Runs statements against the engine. Each top-level action is one engine statement
 * (beginStatement .. endStatement, where the full coherence check runs); statements in
 * an operation's phase block run inside that operation, and statements in a handler
 * run inside the callback, acting on the device through the notifier context.
 */
final class Interpreter implements Stmt.Visitor<Void> {
    private final Session session;
    private final World world;
    private Env env;
    private final Evaluator ev;
    private final OpCalls opCalls;

    /** Inside a phase block or a handler, statements are part of the running engine statement. */
    private boolean inStatement;
    /** Set while a handler runs: flush and friends go through the callback's context. */
    private NotifierContext handlerContext;
    /** Open `expect violation` / `expect coherent` blocks, innermost first: they collect violations. */
    private final Deque<List<Violation>> expectFrames = new ArrayDeque<>();

    int statements;
    int expectationsHeld;
    /** While a driver file runs (mmn matrix): the space its notifiers watch. */
    String driverSpace;
    private final RunBudget budget;
    /** Blocks open around the statement running: 0 for a file's top-level statements. */
    private int depth;

    Interpreter(Session session, World world, Env globals, RunBudget budget) {
        this.session = session;
        this.budget = budget;
        this.world = world;
        this.env = globals;
        this.ev = new Evaluator(() -> env);
        this.opCalls = new OpCalls(ev, this::space);
    }

    /** Operations the language can run today (the rest of language.md's catalogue says "not supported yet"). */
    static List<String> operations() {
        List<String> ops = new ArrayList<>();
        for (String op : Operations.names()) if (!op.equals("touch") && !op.equals("dma")) ops.add(op);
        return ops;
    }

    void run(List<Stmt> body) {
        for (Stmt s : body) {
            budget.statement(s.pos(), depth == 0);
            s.accept(this);
        }
    }

    // ---------------------------------------------------------------- engine statements

    /** One engine statement: the coherence check runs at its end and its violations are settled. */
    private void statement(Stmt s, Runnable action) {
        if (inStatement) {
            engine(s.pos(), action);
            return;
        }
        statements++;
        world.beginStatement(statementLabel(s.pos()), where(s.pos()));
        inStatement = true;
        try {
            engine(s.pos(), action);
        } finally {
            inStatement = false;
        }
        List<Violation> found = world.endStatement();
        for (String line : world.takeKernelLog()) session.warn(s.pos(), "kernel: " + line);
        settle(s.pos(), found);
    }

    /** Runs engine calls, turning the engine's refusals into errors at the statement. */
    private void engine(Pos pos, Runnable action) {
        try {
            action.run();
        } catch (EngineException e) {
            throw ScriptError.at(pos, e);
        }
    }

    private void settle(Pos pos, List<Violation> found) {
        if (found.isEmpty()) return;
        if (!expectFrames.isEmpty()) {
            expectFrames.peek().addAll(found);
            return;
        }
        session.report(Violation.renderAll(found));
        session.report(pos + ": stopped after this statement: " + found.size() + " violation" + (found.size() == 1 ? "" : "s"));
        session.unexpected(where(pos), found);
        throw new Stop();
    }

    /** A source position as the engine's trace names it. */
    static Trace.Where where(Pos pos) {
        return new Trace.Where(pos.file(), pos.line(), pos.col() + 1);
    }

    /** Labels of the statements run so far, by their position: a loop's body is labelled once, not every iteration. */
    private final java.util.IdentityHashMap<Pos, String> labels = new java.util.IdentityHashMap<>();

    private String statementLabel(Pos pos) {
        String l = labels.get(pos);
        if (l == null) {
            l = label(pos);
            if (labels.size() < 100_000) labels.put(pos, l);
        }
        return l;
    }

    private static String label(Pos pos) {
        String line = pos.source() == null ? "" : pos.source().line(pos.line()).trim();
        int comment = line.indexOf(" #");
        if (comment > 0) line = line.substring(0, comment).trim();
        if (line.endsWith("{")) line = line.substring(0, line.length() - 1).trim();
        return pos.file() + ":" + pos.line() + ": " + line;
    }

    // ---------------------------------------------------------------- declarations

    @Override
    public Void visitProfile(Stmt.Profile s) {
        engine(s.pos(), () -> world.setProfile(Profiles.byName(s.name().text())));
        return null;
    }

    @Override
    public Void visitMemory(Stmt.Memory s) {
        long bytes = ev.integer(s.size());
        engine(s.pos(), () -> world.setMemory(bytes));
        return null;
    }

    @Override
    public Void visitSet(Stmt.Set s) {
        String knob = s.knob().text();
        if (knob.equals("arch")) {
            if (s.word() == null) throw new ScriptError(s.pos(), "set arch needs a name", "set arch x86 | set arch arm64");
            engine(s.word().pos(), () -> world.setArch(s.word().text()));
            return null;
        }
        if (s.value() == null) throw new ScriptError(s.word().pos(), knob + " takes a number", "set " + knob + " 16");
        long v = ev.integer(s.value());
        engine(s.value().pos(), () -> world.setKnob(knob, v));
        return null;
    }

    @Override
    public Void visitSpace(Stmt.SpaceDecl s) {
        statement(s, () -> world.createSpace(s.name().text()));
        return null;
    }

    @Override
    public Void visitMap(Stmt.MapDecl s) {
        Space sp = space(s.space());
        Range r = ev.range(s.range());
        Integer prot = null;
        boolean shared = false, huge = false, hugetlb = false, anon = false;
        for (Name a : s.attrs()) {
            switch (a.text()) {
                case "anon": anon = true; break;
                case "file": break;
                case "shared": shared = true; break;
                case "private": shared = false; break;
                case "huge": huge = true; break;
                case "hugetlb": hugetlb = true; break;
                default:
                    if (!a.text().matches("none|[rwx-]+"))
                        throw new ScriptError(a.pos(), "unknown mapping attribute '" + a.text() + "'",
                                "a protection (r, rw, rwx, none), then anon or file \"NAME\", and any of shared, private, huge, hugetlb");
                    if (prot != null) throw new ScriptError(a.pos(), "a second protection", null);
                    prot = Vma.parseProt(a.text());
            }
        }
        if (prot == null) throw new ScriptError(s.pos(), "map needs a protection", "map A 0x400000 +64K rw anon");
        if (anon && s.file() != null) throw new ScriptError(s.file().pos(), "a mapping is anon or file-backed, not both");
        if (!anon && s.file() == null)
            throw new ScriptError(s.pos(), "map needs anon or file \"NAME\"", "map A 0x400000 +64K rw anon");
        int p = prot;
        boolean sh = shared, hg = huge, ht = hugetlb;
        String file = s.file() == null ? null : s.file().value();
        statement(s, () -> world.map(sp, r, p, file, sh, hg, ht));
        return null;
    }

    @Override
    public Void visitDevice(Stmt.DeviceDecl s) {
        String name = s.name().text();
        switch (s.kind().text()) {
            case "mirror":
            case "kvm": {
                int entries = 0;
                for (Stmt.DeviceOption o : s.options()) {
                    if (!o.key().text().equals("entries") || o.retries())
                        throw new ScriptError(o.key().pos(), "unknown option '" + o.key().text() + "' for a " + s.kind().text() + " device",
                                "options: entries N (the device table's size; default unlimited)");
                    entries = (int) positive(o.value(), o.pos(), "entries N");
                }
                int n = entries;
                if (s.kind().text().equals("mirror")) statement(s, () -> world.createMirrorDevice(name, n));
                else statement(s, () -> world.createKvmDevice(name, n));
                return null;
            }
            default:
                break;
        }
        int atc = 64;
        boolean walkCache = false;
        Integer retries = null;
        for (Stmt.DeviceOption o : s.options()) {
            String key = o.key().text() + (o.retries() ? " retries" : "");
            switch (key) {
                case "atc":
                    atc = (int) positive(o.value(), o.pos(), "atc ENTRIES");
                    break;
                case "walk-cache":
                    if (o.flag() == null) throw new ScriptError(o.pos(), "walk-cache takes on or off", "walk-cache on");
                    walkCache = o.flag().equals("on");
                    break;
                case "pri retries":
                    retries = (int) positive(o.value(), o.pos(), "pri retries N");
                    break;
                default:
                    throw new ScriptError(o.key().pos(), "unknown option '" + key + "' for an ats device",
                            "options: atc N, walk-cache on|off, pri retries N");
            }
        }
        int a = atc;
        boolean wc = walkCache;
        Integer pr = retries;
        statement(s, () -> world.createAtsDevice(name, a, wc, pr));
        return null;
    }

    private long positive(Expr e, Pos pos, String usage) {
        if (e == null) throw new ScriptError(pos, "missing number", usage);
        long v = ev.integer(e);
        if (v < 0 || v > Integer.MAX_VALUE) throw new ScriptError(e.pos(), "out of range: " + v, usage);
        return v;
    }

    @Override
    public Void visitBind(Stmt.Bind s) {
        Device d = device(s.device());
        Space sp = space(s.space());
        statement(s, () -> world.bind(d, sp));
        return null;
    }

    @Override
    public Void visitNotifier(Stmt.NotifierDecl s) {
        Space sp = s.space() == null ? world.space(driverSpace) : space(s.space());
        Device d = s.device() == null ? null : device(s.device());
        if (s.strategy() != null) {
            statement(s, () -> world.register(s.name().text(), sp, d, s.strategy().text()));
            return null;
        }
        for (Stmt.Handler h : s.handlers()) {
            // every callback the handler answers counts (`clear-young` also runs for clear_flush_young)
            if (HandlerOps.answers(h, s.handlers()).stream().noneMatch(world.profile()::fires))
                session.warn(h.event().pos(), world.profile().name() + " never fires '" + h.event().text()
                        + "': this handler will not run");
        }
        HandlerOps ops = new HandlerOps(this, s.handlers());
        statement(s, () -> world.register(s.name().text(), sp, d, "handlers", ops));
        return null;
    }

    @Override
    public Void visitUnregister(Stmt.Unregister s) {
        statement(s, () -> world.unregister(s.name().text()));
        return null;
    }

    // ---------------------------------------------------------------- actions and operations

    @Override
    public Void visitTouch(Stmt.Touch s) {
        Space sp = space(s.space());
        boolean write = s.access().text().equals("write");
        List<Long> pages = ev.addresses(s.range());
        statement(s, () -> {
            for (long va : pages) world.touch(sp, va, write);
        });
        return null;
    }

    @Override
    public Void visitDma(Stmt.Dma s) {
        List<DeviceAction> pages = dmaActions(s);
        statement(s, () -> {
            for (DeviceAction d : pages) d.run(world);
        });
        return null;
    }

    /** One device action against a world (names looked up in it): an explore thread's step. */
    record DeviceAction(String label, java.util.function.Consumer<World> body, long va, boolean write) {
        DeviceAction(String label, java.util.function.Consumer<World> body) {
            this(label, body, -1, false);
        }

        void run(World w) {
            body.accept(w);
        }
    }

    /** A dma, one access per page. */
    private List<DeviceAction> dmaActions(Stmt.Dma s) {
        String dev = device(s.device()).name();
        String sp = space(s.space()).name();
        boolean write = s.access().text().equals("write");
        List<DeviceAction> out = new ArrayList<>();
        for (long va : ev.addresses(s.range())) {
            out.add(new DeviceAction("dma " + dev + " " + sp + " " + Addr.hex(va) + " " + s.access().text(),
                    w -> w.dma(w.device(dev), w.space(sp), va, write), va, write));
        }
        return out;
    }

    @Override
    public Void visitOperation(Stmt.Operation s) {
        OpCalls.OpCall call = opCalls.of(s);
        PhaseListener l = phases(s.hooks());
        if (inStatement && handlerContext == null) {
            // injected into another operation's phase (only reclaim and migrate may be):
            // they take the page-table lock of every mapping they walk
            for (Space sp : world.spaces().values()) {
                if (sp.ptlHeld())
                    throw new ScriptError(s.pos(), s.op() + " cannot run here: " + sp.name() + "'s page-table lock is held at this phase",
                            "inject it at a phase after the lock is dropped (e.g. unlock)");
            }
        }
        statement(s, () -> call.run(world, l));
        return null;
    }

    /** Operations that reach pages through rmap and take no mmap lock: allowed inside a phase block. */
    static final java.util.Set<String> RMAP_OPERATIONS = java.util.Set.of("reclaim", "migrate");

    /** Runs each phase block right after its micro-step, as part of the operation's statement. */
    private PhaseListener phases(List<Stmt.PhaseHook> hooks) {
        if (hooks.isEmpty()) return PhaseListener.NONE;
        return phase -> {
            for (Stmt.PhaseHook h : hooks) {
                if (h.phase().text().equals(phase)) block(h.body());
            }
        };
    }

    // ---------------------------------------------------------------- handlers

    /**
     * Runs a language handler inside an engine callback. Synchronized: an explore's
     * workers call the handlers of their worlds on their own threads, and a handler
     * runs in this interpreter's state (its context, its environment, the budget's
     * position); one handler at a time keeps each one's variables its own.
     */
    synchronized void runHandler(Stmt.Handler h, NotifierContext c, Object param) {
        NotifierContext savedCtx = handlerContext;
        Env savedEnv = env;
        boolean savedIn = inStatement;
        handlerContext = c;
        inStatement = true;
        env = new Env(session.globals());
        if (h.param() != null && param != null) env.define(h.param().text(), param);
        try {
            for (Stmt s : h.body().body()) {
                budget.statement(s.pos(), false);
                s.accept(this);
            }
        } finally {
            handlerContext = savedCtx;
            env = savedEnv;
            inStatement = savedIn;
        }
    }

    @Override
    public Void visitFlush(Stmt.Flush s) {
        Device d = device(s.device());
        Range r = s.range() == null ? null : ev.range(s.range());
        statement(s, () -> {
            if (handlerContext == null) world.deviceOps().flushDevice(d, r);
            else if (r == null) handlerContext.flushAll(d);
            else handlerContext.flush(d, r);
        });
        return null;
    }

    @Override
    public Void visitDeviceControl(Stmt.DeviceControl s) {
        Device d = device(s.device());
        statement(s, () -> {
            switch (s.action()) {
                case "block":
                    if (handlerContext != null) handlerContext.block(d);
                    else world.deviceOps().blockDevice(d, true);
                    break;
                case "unblock":
                    if (handlerContext != null) handlerContext.unblock(d);
                    else world.deviceOps().blockDevice(d, false);
                    break;
                default:
                    if (handlerContext != null) handlerContext.detach(d);
                    else world.deviceOps().detachDevice(d);
            }
        });
        return null;
    }

    @Override
    public Void visitSetRoot(Stmt.SetRoot s) {
        Device d = device(s.device());
        Space root = s.root().text().equals("empty") ? null : space(s.root());
        statement(s, () -> {
            if (handlerContext == null) world.deviceOps().setDeviceRoot(d, root);
            else if (root == null) handlerContext.setRootEmpty(d);
            else handlerContext.setRoot(d, root);
        });
        return null;
    }

    // ---------------------------------------------------------------- checking

    @Override
    public Void visitExpect(Stmt.Expect s) {
        switch (s.what()) {
            case COHERENT: {
                List<Violation> found = s.body() == null ? checkNow(s) : collect(s.body());
                if (found.isEmpty()) held(s, "coherent");
                else failed(s, "expected coherent, found " + summary(found), found);
                break;
            }
            case VIOLATION: {
                ViolationKind kind = ViolationKind.byLabel(s.kind().text());
                List<Violation> found = collect(s.body());
                List<Violation> match = found.stream().filter(v -> v.kind() == kind).toList();
                if (match.isEmpty()) {
                    failed(s, "expected " + kind.label() + ", " + (found.isEmpty() ? "the block was coherent" : "found only " + summary(found)), found);
                } else {
                    Violation v0 = match.get(0);
                    held(s, v0.headline().replaceFirst("^violation ", "") + ": " + v0.why());
                    for (Violation v : found) if (v.kind() != kind) session.say("    also: " + v.headline());
                }
                break;
            }
            case FAILED:
            case HEALTHY: {
                Device d = device(s.names().get(0));
                boolean want = s.what() == Stmt.ExpectKind.FAILED;
                if (d.failed() == want) held(s, d.name() + (want ? " failed" : " healthy") + ", " + d.faults() + " faults");
                else failed(s, d.name() + " is " + (d.failed() ? "in its failure state" : "healthy") + " (" + d.faults() + " faults)", List.of());
                break;
            }
            case FAULTS: {
                Device d = device(s.names().get(0));
                long want = ev.integer(s.value());
                if (compare(d.faults(), s.cmp(), want)) held(s, d.name() + " took " + d.faults() + " faults");
                else failed(s, d.name() + " took " + d.faults() + " faults, expected " + s.cmp() + " " + want, List.of());
                break;
            }
            case SAME_FRAME: {
                int f1 = frameOf(s.names().get(0), s.addrs().get(0));
                int f2 = frameOf(s.names().get(1), s.addrs().get(1));
                if (f1 >= 0 && f1 == f2) held(s, "both map pfn " + f1);
                else failed(s, "frames differ: " + frameText(f1) + " and " + frameText(f2), List.of());
                break;
            }
            case DIFFERENT_FRAME: {
                // both present and on two frames: a COW (or migration) gave one of them its own copy
                int f1 = frameOf(s.names().get(0), s.addrs().get(0));
                int f2 = frameOf(s.names().get(1), s.addrs().get(1));
                if (f1 >= 0 && f2 >= 0 && f1 != f2) held(s, "pfn " + f1 + " and pfn " + f2);
                else failed(s, f1 >= 0 && f1 == f2 ? "both map pfn " + f1 : "not both mapped: " + frameText(f1) + " and " + frameText(f2), List.of());
                break;
            }
            case DMA: {
                Device d = device(s.names().get(0));
                Space sp = space(s.names().get(1));
                boolean write = s.names().get(2).text().equals("write");
                String want = s.names().get(3).text();
                List<String> got = new ArrayList<>();
                List<Long> pages = ev.addresses(s.range());
                statement(s, () -> {
                    for (long va : pages) {
                        Device.AccessResult r = world.dma(d, sp, va, write);
                        String st = r.status().name().toLowerCase();
                        if (!st.equals(want)) got.add(Addr.hex(va) + ": " + st + (r.detail() != null ? " (" + r.detail() + ")" : ""));
                    }
                });
                if (got.isEmpty()) held(s, pages.size() == 1 ? want : pages.size() + " accesses " + want);
                else failed(s, "expected " + want + ", got " + String.join("; ", got), List.of());
                break;
            }
            default: {
                boolean want = s.what() == Stmt.ExpectKind.MAPPED;
                Space sp = space(s.names().get(0));
                long va = Evaluator.asLong(ev.eval(s.addrs().get(0)), s.addrs().get(0).pos());
                long pte = sp.pageTable().get(Addr.pageDown(va));
                boolean mapped = Pte.present(pte);
                if (mapped == want) held(s, Addr.hex(va) + (mapped ? " mapped" : " not mapped"));
                else failed(s, Addr.hex(va) + " in " + sp.name() + " is " + Pte.describe(pte), List.of());
            }
        }
        return null;
    }

    private List<Violation> collect(Stmt.Block body) {
        List<Violation> frame = new ArrayList<>();
        expectFrames.push(frame);
        try {
            block(body);
        } finally {
            expectFrames.pop();
        }
        return frame;
    }

    /** A bare `expect coherent`: a full coherence check now. */
    private List<Violation> checkNow(Stmt s) {
        if (inStatement) throw new ScriptError(s.pos(), "a bare 'expect coherent' checks at a statement boundary",
                "wrap the statements to check: expect coherent { ... }");
        world.beginStatement(label(s.pos()), where(s.pos()));
        return world.endStatement();
    }

    private void held(Stmt.Expect s, String detail) {
        expectationsHeld++;
        expectation(s, "held", detail);
        session.say("ok    " + s.pos().file() + ":" + s.pos().line() + ": " + label(s.pos()).replaceFirst("^[^ ]+ ", "")
                + "  (" + detail + ")");
    }

    private void failed(Stmt.Expect s, String why, List<Violation> found) {
        if (!found.isEmpty()) session.report(Violation.renderAll(found));
        session.report("FAILED " + s.pos() + ": " + label(s.pos()).replaceFirst("^[^ ]+ ", "") + "\n  " + why);
        expectation(s, "failed", why);
        session.unexpected(where(s.pos()), found);
        throw new Stop();
    }

    /** An expectation's result as its own trace event, at the expectation's place. */
    private void expectation(Stmt.Expect s, String result, String why) {
        world.trace().record("expect", label(s.pos()).replaceFirst("^[^ ]+ ", ""), where(s.pos()),
                new Trace.Fields().result(result).why(why));
    }

    private static String summary(List<Violation> found) {
        StringBuilder b = new StringBuilder();
        for (Violation v : found) b.append(b.length() == 0 ? "" : "; ").append(v.headline().replaceFirst("^violation ", ""));
        return b.toString();
    }

    private static boolean compare(long a, String op, long b) {
        switch (op) {
            case "==": return a == b;
            case "!=": return a != b;
            case "<": return a < b;
            case "<=": return a <= b;
            case ">": return a > b;
            default: return a >= b;
        }
    }

    private int frameOf(Name space, Expr addr) {
        Space sp = space(space);
        long pte = sp.pageTable().get(Addr.pageDown(Evaluator.asLong(ev.eval(addr), addr.pos())));
        return Pte.present(pte) ? Pte.pfn(pte) : -1;
    }

    private static String frameText(int pfn) {
        return pfn < 0 ? "not mapped" : "pfn " + pfn;
    }

    /**
     * Every interleaving of the operations with the device threads, from the world as it
     * is now; the world itself is left as it was (an explore checks, it does not step).
     */
    @Override
    public Void visitExplore(Stmt.Explore s) {
        List<OpCalls.OpCall> ops = new ArrayList<>();
        for (Stmt st : s.ops().body()) ops.add(opCalls.of((Stmt.Operation) st));
        OpProgram program = program(ops);
        List<List<Action>> threads = new ArrayList<>();
        int owners = 0; // tags each access's in-flight driver fault or page request (FaultPathAction, AtsAccessAction)
        for (Stmt.Block t : s.threads()) {
            List<Action> actions = new ArrayList<>();
            for (Stmt st : t.body()) {
                if (st instanceof Stmt.Dma dma) { // as a dma statement would be told, before any interleaving runs
                    try {
                        DeviceOps.requireBound(device(dma.device()), space(dma.space()));
                    } catch (EngineException e) {
                        throw ScriptError.at(dma.pos(), e);
                    }
                }
                if (st instanceof Stmt.Dma dma && device(dma.device()) instanceof DriverDevice dd) {
                    // a miss runs the driver's fault path, one step at a time
                    for (DeviceAction d : dmaActions(dma)) {
                        actions.add(new FaultPathAction(d.label(), dd.name(), dma.space().text(), d.va(), d.write(), dd.faultSteps(),
                                ++owners));
                    }
                } else if (st instanceof Stmt.Dma dma && device(dma.device()) instanceof AtsDevice ad) {
                    // a miss is a PRI round trip: walk, the kernel's handling, the device's retry
                    for (DeviceAction d : dmaActions(dma)) {
                        actions.add(new AtsAccessAction(d.label(), ad.name(), space(dma.space()).name(), d.va(), d.write(), ++owners));
                    }
                } else {
                    for (DeviceAction d : deviceActions(st)) actions.add(Action.of(d.label(), d.body()));
                }
            }
            threads.add(actions);
        }
        statements++;
        Result r;
        try (ExploreStatus status = session.exploreStatus(s.pos())) {
            r = Explorer.explore(world, program, threads, session.exploreBounds(), status::progress);
        } catch (EngineException e) {
            throw ScriptError.at(s.pos(), e);
        }
        verdict(s, r);
        return null;
    }

    /**
     * An explore block's operations as the explorer's program: one operation is its own
     * step program; several run as one ({@link mmn.engine.ops.Sequence}: each operation's
     * frame made when the one before returns), replayed and stepped alike.
     */
    private static OpProgram program(List<OpCalls.OpCall> ops) {
        if (ops.size() == 1) {
            OpCalls.OpCall only = ops.get(0);
            return OpProgram.stepped(only::run, only::frame);
        }
        List<java.util.function.Function<mmn.engine.ops.Kernel, mmn.engine.ops.OpFrame>> frames = new ArrayList<>();
        for (OpCalls.OpCall c : ops) frames.add(k -> c.frame((World) k));
        return OpProgram.stepped((w, l) -> w.runOp(new mmn.engine.ops.Sequence(frames), l), w -> new mmn.engine.ops.Sequence(frames));
    }

    /**
     * A thread's statement as device actions: a dma (one a page), or a driver's
     * flush/block/unblock/detach/set-root. Each label says everything the action does
     * (equal labels make threads symmetric: Action.symmetryKey), so it is built from the
     * statement's values, never taken from the source line.
     */
    List<DeviceAction> deviceActions(Stmt st) {
        if (st instanceof Stmt.Dma d) return dmaActions(d);
        if (st instanceof Stmt.Flush f) {
            String dev = device(f.device()).name();
            Range r = f.range() == null ? null : ev.range(f.range());
            return List.of(new DeviceAction("flush " + dev + " " + (r == null ? "all" : r.toString()), w -> w.deviceOps().flushDevice(w.device(dev), r)));
        }
        if (st instanceof Stmt.DeviceControl c) {
            String dev = device(c.device()).name();
            String text = c.action() + " " + dev;
            switch (c.action()) {
                case "block": return List.of(new DeviceAction(text, w -> w.deviceOps().blockDevice(w.device(dev), true)));
                case "unblock": return List.of(new DeviceAction(text, w -> w.deviceOps().blockDevice(w.device(dev), false)));
                default: return List.of(new DeviceAction(text, w -> w.deviceOps().detachDevice(w.device(dev))));
            }
        }
        Stmt.SetRoot sr = (Stmt.SetRoot) st;
        String dev = device(sr.device()).name();
        String root = sr.root().text().equals("empty") ? null : space(sr.root()).name();
        return List.of(new DeviceAction("set-root " + dev + " " + (root == null ? "empty" : root),
                w -> w.deviceOps().setDeviceRoot(w.device(dev), root == null ? null : w.space(root))));
    }

    private void verdict(Stmt.Explore s, Result r) {
        String where = s.pos().file() + ":" + s.pos().line();
        Stmt.Verdict want = s.expect();
        ViolationKind kind = want == null || want.coherent() ? null : ViolationKind.byLabel(want.kind().text());
        String stats = r.stats().render();
        String expected = want == null ? null : kind == null ? "coherent" : kind.label();
        String text = label(s.pos()).replaceFirst("^[^ ]+ ", "");
        boolean held = r.verdict() == mmn.engine.explore.Verdict.COHERENT ? kind == null
                : r.verdict() == mmn.engine.explore.Verdict.VIOLATION && kind == r.counterexample().violation().kind();
        session.explored(where(s.pos()), text, expected, r, held);
        switch (r.verdict()) {
            case COHERENT:
                if (kind == null) {
                    if (want != null) expectationsHeld++;
                    session.sayExplore("ok    " + where + ": explore: coherent over every interleaving\n      " + stats);
                    return;
                }
                session.report("FAILED " + s.pos() + ": explore expected " + kind.label()
                        + ", but every interleaving is coherent\n  " + stats);
                throw new Stop();
            case VIOLATION: {
                Violation v = r.counterexample().violation();
                if (kind == v.kind()) {
                    expectationsHeld++;
                    session.sayExplore("ok    " + where + ": explore: " + v.headline().replaceFirst("^violation ", "") + " in "
                            + r.counterexample().steps().size() + " steps\n      " + stats);
                    session.sayExplore(r.counterexample().render());
                    return;
                }
                session.report(r.counterexample().render() + v.render());
                session.report("FAILED " + s.pos() + ": explore found " + v.kind().label()
                        + (kind != null ? ", expected " + kind.label() : "") + "\n  " + stats);
                throw new Stop();
            }
            default:
                session.report("INCONCLUSIVE " + s.pos() + ": explore inconclusive: " + r.render().split("\n")[0] + "\n  " + stats
                        + (r.verdict() == mmn.engine.explore.Verdict.BOUND_HIT ? "\n  hint: raise --max-states, --max-depth or --timeout" : "")
                        + (r.boundReport() != null ? "\n" + r.boundReport().render() : ""));
                throw new Inconclusive();
        }
    }

    // ---------------------------------------------------------------- inspection and structure

    @Override
    public Void visitShow(Stmt.Show s) {
        if (s.what() == null) {
            for (String n : world.spaceNames()) session.say(Shows.space(world, world.space(n)));
            for (String n : world.deviceNames()) session.say(Shows.device(world, world.device(n)));
            return null;
        }
        String what = s.what().text();
        if (world.spaceNames().contains(what)) session.say(Shows.space(world, world.space(what)));
        else if (world.deviceNames().contains(what)) session.say(Shows.device(world, world.device(what)));
        else if (what.equals("frames")) session.say(Shows.frames(world));
        else if (what.equals("trace")) session.say(Shows.trace(world, session.traceMark(world.trace().size())));
        else {
            List<String> names = new ArrayList<>(world.spaceNames());
            names.addAll(world.deviceNames());
            names.add("frames");
            names.add("trace");
            throw Checks.unknown(s.what(), "thing to show", names);
        }
        return null;
    }

    @Override
    public Void visitLet(Stmt.Let s) {
        env.define(s.var().text(), ev.eval(s.value()));
        return null;
    }

    @Override
    public Void visitFor(Stmt.For s) {
        long from = ev.integer(s.from());
        long to = ev.integer(s.to());
        Env saved = env;
        try {
            for (long i = from; i < to; i++) {
                budget.step(); // an empty body still costs a step: no loop runs unbounded
                env = new Env(saved);
                env.define(s.var().text(), i);
                block(s.body());
            }
        } finally {
            env = saved;
        }
        return null;
    }

    @Override
    public Void visitRepeat(Stmt.Repeat s) {
        long n = ev.integer(s.count());
        if (n < 0) throw new ScriptError(s.count().pos(), "repeat count is negative: " + n);
        for (long i = 0; i < n; i++) {
            budget.step();
            block(s.body());
        }
        return null;
    }

    @Override
    public Void visitInclude(Stmt.Include s) {
        session.include(s, this);
        return null;
    }

    @Override
    public Void visitPrint(Stmt.Print s) {
        StringBuilder b = new StringBuilder();
        for (Expr e : s.args()) {
            if (b.length() > 0) b.append(' ');
            b.append(e instanceof Expr.Str str ? str.value() : Value.show(ev.eval(e)));
        }
        if (handlerContext != null) handlerContext.print(b.toString());
        else session.say(b.toString());
        return null;
    }

    @Override
    public Void visitIf(Stmt.If s) {
        Stmt.Cond c = s.cond();
        long l = ev.integer(c.left());
        long r = ev.integer(c.right());
        if (compare(l, c.op(), r)) block(s.then());
        else if (s.otherwise() != null) s.otherwise().accept(this);
        return null;
    }

    @Override
    public Void visitBlock(Stmt.Block s) {
        block(s);
        return null;
    }

    private void block(Stmt.Block b) {
        Env saved = env;
        env = new Env(saved);
        depth++;
        try {
            for (Stmt s : b.body()) {
                budget.statement(s.pos(), false);
                s.accept(this);
            }
        } finally {
            depth--;
            env = saved;
        }
    }

    // ---------------------------------------------------------------- names

    private Space space(Name n) {
        try {
            return world.space(n.text());
        } catch (EngineException e) {
            throw new ScriptError(n.pos(), e.getMessage(), e.hint());
        }
    }

    private Device device(Name n) {
        try {
            return world.device(n.text());
        } catch (EngineException e) {
            throw new ScriptError(n.pos(), e.getMessage(), e.hint());
        }
    }

}
