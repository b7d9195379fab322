package mmn.polyglot;

import mmn.engine.EngineException;
import mmn.engine.World;
import mmn.engine.check.Violation;
import mmn.engine.device.Device;
import mmn.engine.mem.Space;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * One mmn session (one world) as a guest sees it: {@code run(text)} runs .mmn text against
 * the world and {@code notifier(name, space, device, callbacks)} registers a subscriber
 * whose ops are guest functions.
 */
public final class PolySession {
    private final Mmn owner;
    private final Session session;
    private final Options opts;
    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    private int runs;
    private int lastExit;

    /** Opened with {echo: false}: prints nothing and does not set the script's exit status. */
    private final boolean quiet;

    PolySession(Mmn owner, String profile, PrintStream echoOut, PrintStream echoErr) {
        this(owner, profile, echoOut, echoErr, false);
    }

    PolySession(Mmn owner, String profile, PrintStream echoOut, PrintStream echoErr, boolean quiet) {
        this.owner = owner;
        this.quiet = quiet;
        Options o = new Options();
        this.opts = o;
        o.profile = profile;
        // guest callbacks may only be entered from the thread that runs the guest:
        // explore replays in the caller's thread
        o.threads = 1;
        PrintStream out = new PrintStream(tee(outBuf, echoOut), true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(tee(errBuf, echoErr), true, StandardCharsets.UTF_8);
        try {
            Session.requireProfile(profile); // the same refusal as `profile linux-9.9` in a script, at the guest's line
            this.session = new Session(o, out, err);
        } catch (EngineException e) {
            throw new IllegalArgumentException(e.getMessage() + (e.hint() == null ? "" : " (" + e.hint() + ")"));
        }
    }

    private static OutputStream tee(ByteArrayOutputStream buf, PrintStream echo) {
        if (echo == null) return buf;
        return new OutputStream() {
            @Override
            public void write(int b) {
                buf.write(b);
                echo.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buf.write(b, off, len);
                echo.write(b, off, len);
            }

            @Override
            public void flush() {
                echo.flush();
            }
        };
    }

    /** Bounds every later explore of this session to {@code n} distinct states. */
    void maxStates(long n) {
        opts.maxStates = n;
    }

    /** The engine's world (for Java callers and tests). */
    public World world() {
        return session.world();
    }

    int lastExitCode() {
        return lastExit;
    }

    /**
     * Runs .mmn text in this session's world. The result has {@code exitCode} (0 ok, 1 a
     * violation or failed expectation, 2 a script error), {@code ok}, {@code kinds} (the
     * violation kinds this run raised), {@code violations} (their one-line headlines),
     * {@code output} and {@code errors} (the text printed).
     */
    @HostAccess.Export
    public ProxyObject run(String text) {
        int before = session.findings().size();
        int exploresBefore = session.explores().size();
        outBuf.reset();
        errBuf.reset();
        // named after the guest line that called run(...): errors point into the guest's file
        String where = owner.callSite().find();
        ++runs;
        Outcome o = session.runText("<" + (where != null ? where : runs == 1 ? "run" : "run " + runs) + ">", text);
        List<Violation> found = session.findings();
        found = found.subList(Math.min(before, found.size()), found.size());
        Set<Object> kinds = new LinkedHashSet<>();
        List<Object> headlines = new ArrayList<>();
        for (Violation v : found) {
            kinds.add(v.kind().label());
            headlines.add(v.headline());
        }
        lastExit = o.exitCode();
        // a quiet session is a loop's (a campaign's): its findings are the script's output, not its exit status
        if (!quiet) owner.ran(this);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("exitCode", o.exitCode());
        r.put("ok", o == Outcome.OK);
        r.put("kinds", ProxyArray.fromList(new ArrayList<>(kinds)));
        r.put("violations", ProxyArray.fromList(headlines));
        List<Object> explores = new ArrayList<>();
        List<Session.ExploreRun> all = session.explores();
        for (Session.ExploreRun x : all.subList(Math.min(exploresBefore, all.size()), all.size())) explores.add(Values.explore(x.result()));
        r.put("explores", ProxyArray.fromList(explores));
        r.put("violationDetails", ProxyArray.fromList(Values.violations(found)));
        r.put("output", outBuf.toString(StandardCharsets.UTF_8));
        r.put("errors", errBuf.toString(StandardCharsets.UTF_8));
        return ProxyObject.fromMap(r);
    }

    /**
     * Registers notifier {@code name} on {@code space} for {@code device} (null: none)
     * whose callbacks are the guest's functions: {@code callbacks} is an object (or a
     * Python dict) with any of start, end, range, page, changePte, clearYoung,
     * clearFlushYoung, testYoung, release. Only the members present are registered.
     */
    @HostAccess.Export
    public String notifier(String name, String space, String device, Value callbacks) {
        return notifier(name, space, device, callbacks, null);
    }

    /**
     * The same, with {@code options}: {@code {state: {seq: 0, ...}}} declares the state the
     * driver keeps between callbacks (read and written as {@code ctx.state.seq}), which
     * snapshots copy and explore hashes. A guest driver must declare it ({@code {state: {}}}
     * when it keeps none) to be snapshotted or explored.
     */
    @HostAccess.Export
    public String notifier(String name, String space, String device, Value callbacks, Value options) {
        World w = session.world();
        Space s = w.space(space);
        Device d = device == null ? null : w.device(device);
        GuestState state = null;
        if (options != null && !options.isNull()) {
            Value st = options.hasHashEntries() && options.hasHashEntry("state") ? options.getHashValue("state")
                    : options.hasMember("state") ? options.getMember("state") : null;
            if (st != null) state = GuestState.declared(name, st);
        }
        GuestOps ops = GuestOps.of(name, callbacks, owner.guestTimeout(), owner::context, state);
        w.register(name, s, d, ops.label(), ops);
        return name;
    }

    // ---------------------------------------------------------------- the world as values

    /** The profile this world runs under. */
    @HostAccess.Export
    public String profile() {
        return session.world().profile().name();
    }

    /** Every space: name, mappings (start, end, prot, anon, file, shared, huge, hugetlb), notifiers. */
    @HostAccess.Export
    public ProxyArray spaces() {
        List<Object> l = new ArrayList<>();
        for (Space s : session.world().spaces().values()) l.add(Values.space(session.world(), s));
        return ProxyArray.fromList(l);
    }

    /** Every device: name, kind, space, failed, blocked, faults, caches (label -> entries of address, pfn, writable). */
    @HostAccess.Export
    public ProxyArray devices() {
        List<Object> l = new ArrayList<>();
        for (Device d : session.world().devices().values()) l.add(Values.device(d));
        return ProxyArray.fromList(l);
    }

    /** Every violation so far: kind, device, address, pfn, entry, operation, phase, why, headline. */
    @HostAccess.Export
    public ProxyArray violations() {
        return ProxyArray.fromList(Values.violations(session.findings()));
    }

    /**
     * The world and the script's variables as they are now, to {@link #restore} later
     * (try an operation, look, go back). Guest drivers must have declared their state.
     */
    @HostAccess.Export
    public Session.Checkpoint snapshot() {
        return session.checkpoint();
    }

    @HostAccess.Export
    public void restore(Session.Checkpoint c) {
        session.restore(c);
    }

    @Override
    @HostAccess.Export
    public String toString() {
        return "mmn session (" + session.world().profile().name() + ")";
    }
}
