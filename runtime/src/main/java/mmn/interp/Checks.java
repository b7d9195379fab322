package mmn.interp;

import mmn.engine.World;
import mmn.engine.check.ViolationKind;
import mmn.engine.notifier.Strategies;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profiles;
import java.util.List;
import mmn.ast.Name;
import mmn.ast.Pos;
import mmn.ast.Stmt;
import mmn.parse.Suggest;

/**
 * The checks a script passes before anything runs: names that are fixed by the
 * language and the engine (profiles, phases, violation kinds, handler events,
 * strategies, settings), and which statements may stand where (no operation inside
 * another's phase, no declaration in a handler). A typo in line 90 is reported before
 * line 1 runs. Names the script itself declares (spaces, devices) are resolved as it runs.
 */
final class Checks implements Stmt.Visitor<Void> {
    /** Where a statement stands: at top level, in an operation's phase block, in a notifier handler. */
    enum Where { TOP, PHASE, HANDLER }

    static final List<String> DEVICE_KINDS = List.of("ats", "mirror", "kvm");
    static final List<String> PLANNED_DEVICE_KINDS = List.of();
    static final List<String> ACCESSES = List.of("read", "write");
    /** How a device access can end (Device.AccessResult.Status), as `expect dma` names it. */
    static final List<String> ACCESS_RESULTS = java.util.Arrays.stream(mmn.engine.device.Device.AccessResult.Status.values())
            .map(st -> st.name().toLowerCase()).toList();

    private Where where = Where.TOP;
    /** Checking a driver file for `mmn matrix`: its notifiers leave out `on SPACE`. */
    private final boolean driver;

    private Checks(boolean driver) {
        this.driver = driver;
    }

    static void script(List<Stmt> body) {
        Checks c = new Checks(false);
        for (Stmt s : body) s.accept(c);
    }

    /**
     * A driver file: the device and the notifier that keeps it coherent, nothing that
     * needs a space (mmn matrix supplies the profile, the spaces, the mappings and the
     * operations), so only device, notifier (without `on SPACE`), set, let and print.
     */
    static void driver(List<Stmt> body) {
        Checks c = new Checks(true);
        int devices = 0, notifiers = 0;
        for (Stmt s : body) {
            if (s instanceof Stmt.DeviceDecl) devices++;
            else if (s instanceof Stmt.NotifierDecl) notifiers++;
            else if (!(s instanceof Stmt.Set || s instanceof Stmt.Let || s instanceof Stmt.Print))
                throw new ScriptError(s.pos(), "a driver file declares a device and its notifier only",
                        "mmn matrix supplies the profile, the spaces, the mappings and the operations; a driver may also use set, let and print");
            s.accept(c);
        }
        Pos end = body.isEmpty() ? null : body.get(body.size() - 1).pos();
        if (devices != 1) throw new ScriptError(devices == 0 ? end : body.stream().filter(st -> st instanceof Stmt.DeviceDecl).skip(1).findFirst().get().pos(),
                "a driver file declares exactly one device (" + devices + " here)", "device gpu ats { atc 64; walk-cache on; pri retries 8 }");
        if (notifiers == 0) throw new ScriptError(end, "a driver file declares the notifier its device uses",
                "notifier amd for gpu uses range   (no `on SPACE`: mmn matrix supplies the space)");
    }

    static ScriptError unknown(Name n, String what, List<String> valid) {
        return unknown(n, what, what + (what.endsWith("s") ? "es" : "s"), valid);
    }

    /** "unknown WHAT 'x'", with the closest valid name and the list of them under {@code listLabel}. */
    static ScriptError unknown(Name n, String what, String listLabel, List<String> valid) {
        String near = Suggest.closest(n.text(), valid);
        return new ScriptError(n.pos(), "unknown " + what + " '" + n.text() + "'",
                (near != null ? "did you mean '" + near + "'? " : "") + listLabel + ": " + String.join(", ", valid));
    }

    static ScriptError notSupported(Pos pos, String form, String hint) {
        return new ScriptError(pos, "not supported yet: " + form, hint);
    }

    private void nested(Stmt.Block b, Where w) {
        if (b == null) return;
        Where saved = where;
        where = w;
        try {
            for (Stmt s : b.body()) s.accept(this);
        } finally {
            where = saved;
        }
    }

    private void onlyAtTop(Stmt s, String what) {
        if (where == Where.PHASE)
            throw new ScriptError(s.pos(), what + " cannot be injected into an operation's phase",
                    "a phase block runs device actions (dma, flush, print...) and the rmap operations reclaim and migrate while the operation holds the mmap lock");
        if (where == Where.HANDLER)
            throw new ScriptError(s.pos(), what + " is not allowed in a notifier handler",
                    "handlers may use flush, block, unblock, detach, set-root, print, let and if");
    }

    private void notInHandler(Stmt s, String what) {
        if (where == Where.HANDLER) onlyAtTop(s, what);
    }

    // ---------------------------------------------------------------- declarations

    @Override
    public Void visitProfile(Stmt.Profile s) {
        onlyAtTop(s, "profile");
        if (Profiles.byName(s.name().text()) == null)
            throw unknown(s.name(), "profile", Profiles.all().stream().map(p -> p.name()).toList());
        return null;
    }

    @Override
    public Void visitMemory(Stmt.Memory s) {
        onlyAtTop(s, "memory");
        return null;
    }

    @Override
    public Void visitSet(Stmt.Set s) {
        onlyAtTop(s, "set");
        if (!World.KNOBS.contains(s.knob().text())) throw unknown(s.knob(), "setting", World.KNOBS);
        return null;
    }

    @Override
    public Void visitSpace(Stmt.SpaceDecl s) {
        onlyAtTop(s, "a space declaration");
        return null;
    }

    @Override
    public Void visitMap(Stmt.MapDecl s) {
        onlyAtTop(s, "map");
        return null;
    }

    @Override
    public Void visitDevice(Stmt.DeviceDecl s) {
        onlyAtTop(s, "a device declaration");
        String kind = s.kind().text();
        if (PLANNED_DEVICE_KINDS.contains(kind))
            throw notSupported(s.kind().pos(), "device kind '" + kind + "'", "available: " + String.join(", ", DEVICE_KINDS));
        if (!DEVICE_KINDS.contains(kind)) throw unknown(s.kind(), "device kind", concat(DEVICE_KINDS, PLANNED_DEVICE_KINDS));
        return null;
    }

    @Override
    public Void visitBind(Stmt.Bind s) {
        onlyAtTop(s, "bind");
        return null;
    }

    @Override
    public Void visitNotifier(Stmt.NotifierDecl s) {
        onlyAtTop(s, "a notifier declaration");
        if (s.space() == null && !driver)
            throw new ScriptError(s.name().pos(), "notifier '" + s.name().text() + "' names no space to watch",
                    "write `notifier " + s.name().text() + " on SPACE ...`; only a driver file given to `mmn matrix` leaves the space out (mmn matrix binds it to each workload's space)");
        if (s.space() != null && driver)
            throw new ScriptError(s.space().pos(), "a driver's notifier leaves out `on " + s.space().text() + "`",
                    "mmn matrix binds the notifier to each workload's own space: notifier " + s.name().text() + (s.device() == null ? "" : " for " + s.device().text()) + " uses ...");
        if (s.strategy() != null) {
            String st = s.strategy().text();
            if (Strategies.PLANNED.contains(st))
                throw notSupported(s.strategy().pos(), "strategy '" + st + "'", "available: " + String.join(", ", Strategies.NAMES));
            if (!Strategies.NAMES.contains(st)) throw unknown(s.strategy(), "strategy", Strategies.NAMES);
            return null;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Stmt.Handler h : s.handlers()) {
            if (Hook.byHandlerName(h.event().text()) == null) throw unknown(h.event(), "handler event", HandlerOps.EVENTS);
            if (!seen.add(h.event().text()))
                throw new ScriptError(h.event().pos(), "a second 'on " + h.event().text() + "' handler in notifier " + s.name());
            nested(h.body(), Where.HANDLER);
        }
        return null;
    }

    @Override
    public Void visitUnregister(Stmt.Unregister s) {
        onlyAtTop(s, "unregister");
        return null;
    }

    // ---------------------------------------------------------------- actions and operations

    @Override
    public Void visitTouch(Stmt.Touch s) {
        if (where == Where.PHASE)
            throw new ScriptError(s.pos(), "a CPU access cannot be injected into an operation's phase",
                    "the operation holds the mmap lock a CPU fault needs; inject device accesses (dma) instead");
        notInHandler(s, "touch");
        access(s.access());
        return null;
    }

    @Override
    public Void visitDma(Stmt.Dma s) {
        notInHandler(s, "dma");
        access(s.access());
        return null;
    }

    private static void access(Name n) {
        if (!ACCESSES.contains(n.text())) throw unknown(n, "access", ACCESSES);
    }

    @Override
    public Void visitOperation(Stmt.Operation s) {
        // reclaim and migrate reach a page through rmap and take no mmap lock (kswapd,
        // kcompactd): they may run inside another operation's phase, as another thread
        if (!(where == Where.PHASE && Interpreter.RMAP_OPERATIONS.contains(s.op())))
            onlyAtTop(s, "an operation (" + s.op() + ")");
        if (!Operations.exists(s.op())) {
            throw notSupported(s.pos(), "operation '" + s.op() + "'", "available: " + String.join(", ", Interpreter.operations()));
        }
        List<String> phases = Operations.phases(s.op());
        for (Stmt.PhaseHook h : s.hooks()) {
            if (!phases.contains(h.phase().text())) {
                if (phases.isEmpty())
                    throw new ScriptError(h.phase().pos(), s.op() + " has no phases to inject into");
                throw unknown(h.phase(), "phase", s.op() + "'s phases", phases);
            }
            nested(h.body(), Where.PHASE);
        }
        return null;
    }

    // ---------------------------------------------------------------- checking

    @Override
    public Void visitExpect(Stmt.Expect s) {
        notInHandler(s, "expect");
        if (s.what() == Stmt.ExpectKind.DMA) {
            access(s.names().get(2));
            Name result = s.names().get(3);
            if (!ACCESS_RESULTS.contains(result.text())) throw unknown(result, "access result", ACCESS_RESULTS);
        }
        if (s.what() == Stmt.ExpectKind.VIOLATION) {
            violationKind(s.kind());
            if (s.body() == null)
                throw new ScriptError(s.pos(), "expect violation needs a block of statements to check",
                        "expect violation " + s.kind().text() + " { munmap A 0x400000 +4K }");
        }
        nested(s.body(), where);
        return null;
    }

    static void violationKind(Name n) {
        if (ViolationKind.byLabel(n.text()) == null) {
            throw unknown(n, "violation kind", java.util.Arrays.stream(ViolationKind.values()).map(ViolationKind::label).toList());
        }
    }

    @Override
    public Void visitExplore(Stmt.Explore s) {
        onlyAtTop(s, "explore");
        if (s.ops().body().isEmpty()) throw new ScriptError(s.ops().pos(), "explore needs at least one operation");
        for (Stmt op : s.ops().body()) {
            if (!(op instanceof Stmt.Operation o))
                throw new ScriptError(op.pos(), "explore's first block takes operations only",
                        "put setup before the explore and device actions in its with { ... } blocks");
            if (!o.hooks().isEmpty())
                throw new ScriptError(o.hooks().get(0).pos(), "explore places device actions itself: no phase blocks here",
                        "move the actions into a with { ... } block");
            op.accept(this);
        }
        for (Stmt.Block t : s.threads()) {
            if (t.body().isEmpty()) throw new ScriptError(t.pos(), "an empty device thread");
            for (Stmt a : t.body()) {
                if (!(a instanceof Stmt.Dma || a instanceof Stmt.Flush || a instanceof Stmt.DeviceControl || a instanceof Stmt.SetRoot))
                    throw new ScriptError(a.pos(), "an explore thread takes device actions only",
                            "dma, flush, block, unblock, detach, set-root; one thread per with { ... } block");
                a.accept(this);
            }
        }
        if (s.expect() != null && !s.expect().coherent()) violationKind(s.expect().kind());
        return null;
    }

    // ---------------------------------------------------------------- structure

    @Override
    public Void visitShow(Stmt.Show s) {
        return null;
    }

    @Override
    public Void visitLet(Stmt.Let s) {
        return null;
    }

    @Override
    public Void visitFor(Stmt.For s) {
        nested(s.body(), where);
        return null;
    }

    @Override
    public Void visitRepeat(Stmt.Repeat s) {
        nested(s.body(), where);
        return null;
    }

    @Override
    public Void visitInclude(Stmt.Include s) {
        onlyAtTop(s, "include");
        return null;
    }

    @Override
    public Void visitPrint(Stmt.Print s) {
        return null;
    }

    @Override
    public Void visitIf(Stmt.If s) {
        nested(s.then(), where);
        if (s.otherwise() != null) s.otherwise().accept(this);
        return null;
    }

    @Override
    public Void visitFlush(Stmt.Flush s) {
        return null;
    }

    @Override
    public Void visitDeviceControl(Stmt.DeviceControl s) {
        return null;
    }

    @Override
    public Void visitSetRoot(Stmt.SetRoot s) {
        return null;
    }

    @Override
    public Void visitBlock(Stmt.Block s) {
        nested(s, where);
        return null;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        java.util.ArrayList<String> r = new java.util.ArrayList<>(a);
        r.addAll(b);
        return r;
    }
}
