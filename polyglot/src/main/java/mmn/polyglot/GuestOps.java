package mmn.polyglot;

import mmn.engine.EngineException;
import mmn.engine.mem.Range;
import mmn.engine.mem.StateHasher;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.profile.Hook;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/**
 * struct mmu_notifier_ops whose callbacks are guest (JavaScript or Python) functions. Only
 * the members the guest object has count as implemented, as with a C driver's ops table:
 * the kernel's behaviour depends on which pointers are set. A guest exception in a
 * callback becomes a script error of the run that triggered it.
 */
final class GuestOps implements MmuNotifierOps {
    /** Guest member names, each with the snake_case spelling Python code may prefer. */
    private static final List<Object[]> MEMBERS = List.of(
            new Object[] {Hook.INVALIDATE_RANGE_START, "start", "start"},
            new Object[] {Hook.INVALIDATE_RANGE_END, "end", "end"},
            new Object[] {Hook.INVALIDATE_RANGE, "range", "range"},
            new Object[] {Hook.INVALIDATE_PAGE, "page", "page"},
            new Object[] {Hook.CHANGE_PTE, "changePte", "change_pte"},
            new Object[] {Hook.CLEAR_YOUNG, "clearYoung", "clear_young"},
            new Object[] {Hook.CLEAR_FLUSH_YOUNG, "clearFlushYoung", "clear_flush_young"},
            new Object[] {Hook.TEST_YOUNG, "testYoung", "test_young"},
            new Object[] {Hook.RELEASE, "release", "release"});

    private final String name;
    /** How long one callback may run (--guest-timeout), and the guest context to interrupt past it. */
    private final java.time.Duration timeout;
    private final java.util.function.Supplier<org.graalvm.polyglot.Context> context;
    private final Map<Hook, Value> fns = new EnumMap<>(Hook.class);
    private final Map<Hook, String> memberNames = new EnumMap<>(Hook.class);
    private final Set<Hook> implemented = EnumSet.noneOf(Hook.class);
    /** The state declared at registration (null: none declared, so no copy can be trusted). */
    private final GuestState state;
    /** Told of every failure of the guest's code before it becomes the run's error (the matrix tells a driver error from a refusal by it). */
    private java.util.function.Consumer<String> failures = m -> {};

    private GuestOps(String name, java.time.Duration timeout, java.util.function.Supplier<org.graalvm.polyglot.Context> context,
            GuestState state) {
        this.name = name;
        this.timeout = timeout;
        this.context = context;
        this.state = state;
    }

    /** The same callbacks over a copy of the state: a world copy's subscriber. */
    private GuestOps(GuestOps o) {
        this.name = o.name;
        this.timeout = o.timeout;
        this.context = o.context;
        this.fns.putAll(o.fns);
        this.memberNames.putAll(o.memberNames);
        this.implemented.addAll(o.implemented);
        this.state = o.state.copy();
        this.failures = o.failures;
    }

    /** Reports each failure of the guest's code (its message and file:line; not a timeout) to {@code sink} too; returns this. */
    GuestOps reportingFailuresTo(java.util.function.Consumer<String> sink) {
        this.failures = sink;
        return this;
    }

    /** Callbacks with no context to interrupt, unguarded: only to check them (a matrix driver's registration). */
    static GuestOps of(String name, Value callbacks) {
        return of(name, callbacks, GuestWatchdog.DEFAULT_TIMEOUT, () -> null, null);
    }

    /** {@code state}: the declared state's initial values (null: none declared). */
    static GuestOps of(String name, Value callbacks, java.time.Duration timeout,
            java.util.function.Supplier<org.graalvm.polyglot.Context> context, GuestState state) {
        if (callbacks == null || callbacks.isNull())
            throw new EngineException("notifier '" + name + "': no callbacks", "pass an object with start, end, range, ... functions");
        GuestOps ops = new GuestOps(name, timeout, context, state);
        for (Object[] m : MEMBERS) {
            Hook hook = (Hook) m[0];
            for (int i = 1; i <= 2; i++) {
                String member = (String) m[i];
                Value f = member(callbacks, member);
                if (f == null) continue;
                if (!f.canExecute())
                    throw new EngineException("notifier '" + name + "': callback '" + member + "' is not a function");
                ops.fns.put(hook, f);
                ops.memberNames.put(hook, member);
                ops.implemented.add(hook);
                break;
            }
        }
        if (ops.implemented.isEmpty())
            throw new EngineException("notifier '" + name + "' has no callbacks",
                    "members: start, end, range, page, changePte, clearYoung, clearFlushYoung, testYoung, release");
        // `end` also answers mmu_notifier_invalidate_range_only_end
        if (ops.implemented.contains(Hook.INVALIDATE_RANGE_END)) ops.implemented.add(Hook.INVALIDATE_RANGE_ONLY_END);
        // clearYoung answers both aging callbacks unless clearFlushYoung has its own (as `on clear-young` does)
        if (ops.fns.containsKey(Hook.CLEAR_YOUNG) && !ops.fns.containsKey(Hook.CLEAR_FLUSH_YOUNG)) {
            ops.fns.put(Hook.CLEAR_FLUSH_YOUNG, ops.fns.get(Hook.CLEAR_YOUNG));
            ops.memberNames.put(Hook.CLEAR_FLUSH_YOUNG, ops.memberNames.get(Hook.CLEAR_YOUNG));
            ops.implemented.add(Hook.CLEAR_FLUSH_YOUNG);
        }
        return ops;
    }

    /** A member of a guest object, or an entry of a guest map (a Python dict); null if absent or None. */
    private static Value member(Value o, String key) {
        Value v = null;
        if (o.hasHashEntries() && o.hasHashEntry(key)) v = o.getHashValue(key);
        else if (o.hasMembers() && o.hasMember(key)) v = o.getMember(key);
        return v == null || v.isNull() ? null : v;
    }

    String label() {
        return "guest(" + memberNames.values().stream().distinct().collect(Collectors.joining(",")) + ")";
    }

    /**
     * A snapshot's or an explored world's subscriber. A guest that declared no state
     * cannot be copied: whatever it keeps in its own variables would be shared by every
     * copy and missing from the state key, so explore would be wrong without saying so.
     */
    @Override
    public MmuNotifierOps copy() {
        if (state == null) {
            throw new EngineException("notifier '" + name + "' is a guest driver that declared no state: a snapshot or an explore"
                    + " copies the world, and cannot see what the guest keeps in its own variables between callbacks",
                    "register it with notifier(name, space, device, callbacks, {state: {...}}) and keep that state in"
                            + " ctx.state ({state: {}} when it keeps nothing between callbacks)");
        }
        return new GuestOps(this);
    }

    @Override
    public void hashInto(StateHasher h) {
        h.put(name);
        if (state != null) state.hashInto(h);
    }

    @Override
    public Set<Hook> implemented() {
        return implemented;
    }

    private Value call(Hook hook, NotifierContext c, GuestRange r) {
        Value f = fns.get(hook);
        if (f == null) return null;
        GuestContext ctx = new GuestContext(c, state);
        String callback = "notifier '" + name + "': " + memberNames.get(hook) + " callback";
        try (GuestWatchdog.Guard guard = GuestWatchdog.guard(context.get(), timeout)) {
            try {
                return r == null ? f.execute(ctx) : f.execute(ctx, r);
            } catch (PolyglotException e) {
                if (guard.fired()) throw new GuestTimeout(callback + " (" + where(f) + ") did not return within the guest timeout of "
                        + timeout.toMillis() / 1000.0 + " s: it was interrupted",
                        "a callback must return; raise the limit with --guest-timeout SECS");
                if (e.isCancelled() || e.isExit()) throw e;
                EngineException x = e.isHostException() && e.asHostException() instanceof EngineException ee
                        // a refused host call (a bad range, no device) is the guest's mistake at the guest's line
                        ? new EngineException(callback + ": " + ee.getMessage() + " (" + where(e) + ")", ee.hint())
                        : new EngineException(callback + " failed: " + describe(e));
                failures.accept(x.getMessage());
                throw x;
            }
        } finally {
            ctx.close();
        }
    }

    /**
     * A callback that ran past its time: the guest context was interrupted, so the guest's
     * whole run ends. A time limit, not a mistake ({@link mmn.interp.TimedOut}): a matrix
     * cell it stops is inconclusive.
     */
    static final class GuestTimeout extends EngineException implements mmn.interp.TimedOut {
        GuestTimeout(String message, String hint) {
            super(message, hint);
        }
    }

    /** file:line of a guest function. */
    private static String where(Value f) {
        SourceSection s = f.getSourceLocation();
        return s == null ? "guest code" : s.getSource().getName() + ":" + s.getStartLine();
    }

    /** file:line of the innermost guest frame of an exception. */
    private static String where(PolyglotException e) {
        String d = describe(e);
        int open = d.lastIndexOf(" (");
        return open >= 0 && d.endsWith(")") ? d.substring(open + 2, d.length() - 1) : "guest code";
    }

    /** A guest error as a person reads it: its message and where it was raised. */
    static String describe(PolyglotException e) {
        String msg = e.isHostException() ? String.valueOf(e.asHostException().getMessage()) : e.getMessage();
        String at = pythonWhere(e);
        if (at == null) {
            SourceSection s = e.getSourceLocation();
            if (s == null) {
                for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
                    if (f.isGuestFrame() && f.getSourceLocation() != null) {
                        s = f.getSourceLocation();
                        break;
                    }
                }
            }
            if (s != null) at = s.getSource().getName() + ":" + s.getStartLine();
        }
        return at == null ? msg : msg + " (" + at + ")";
    }

    /**
     * file:line of a Python exception, from its traceback's innermost entry: GraalPy's
     * source sections span a whole function, its traceback has the line.
     */
    private static String pythonWhere(PolyglotException e) {
        try {
            Value ex = e.isGuestException() ? e.getGuestObject() : null;
            if (ex == null || !ex.hasMember("__traceback__")) return null;
            Value tb = ex.getMember("__traceback__");
            Value last = null;
            for (int i = 0; i < 10_000 && tb != null && !tb.isNull(); i++) {
                last = tb;
                tb = tb.getMember("tb_next");
            }
            if (last == null) return null;
            Value file = last.getMember("tb_frame").getMember("f_code").getMember("co_filename");
            Value line = last.getMember("tb_lineno");
            return (file.isString() ? file.asString() : file.toString()) + ":" + line.toString();
        } catch (RuntimeException x) {
            return null;
        }
    }

    private static boolean truthy(Value v, boolean dflt) {
        return v == null || !v.isBoolean() ? dflt : v.asBoolean();
    }

    @Override
    public void release(NotifierContext c) {
        call(Hook.RELEASE, c, null);
    }

    @Override
    public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
        return truthy(call(Hook.INVALIDATE_RANGE_START, c, new GuestRange(r)), true);
    }

    @Override
    public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
        call(Hook.INVALIDATE_RANGE_END, c, new GuestRange(r));
    }

    @Override
    public void invalidateRange(NotifierContext c, Range r) {
        call(Hook.INVALIDATE_RANGE, c, new GuestRange(r));
    }

    @Override
    public void invalidatePage(NotifierContext c, long address) {
        call(Hook.INVALIDATE_PAGE, c, new GuestRange(Range.page(address)));
    }

    @Override
    public void changePte(NotifierContext c, long address, long pte) {
        call(Hook.CHANGE_PTE, c, new GuestRange(Range.page(address)));
    }

    @Override
    public boolean clearFlushYoung(NotifierContext c, Range r) {
        return truthy(call(Hook.CLEAR_FLUSH_YOUNG, c, new GuestRange(r)), false);
    }

    @Override
    public boolean clearYoung(NotifierContext c, Range r) {
        return truthy(call(Hook.CLEAR_YOUNG, c, new GuestRange(r)), false);
    }

    @Override
    public boolean testYoung(NotifierContext c, long address) {
        return truthy(call(Hook.TEST_YOUNG, c, new GuestRange(Range.page(address))), false);
    }
}
