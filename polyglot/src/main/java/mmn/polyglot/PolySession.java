package mmn.polyglot;

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
import mmn.engine.Device;
import mmn.engine.EngineException;
import mmn.engine.Space;
import mmn.engine.Violation;
import mmn.engine.World;
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
    private final ByteArrayOutputStream outBuf = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBuf = new ByteArrayOutputStream();
    private int runs;
    private int lastExit;

    PolySession(Mmn owner, String profile, PrintStream echoOut, PrintStream echoErr) {
        this.owner = owner;
        Options o = new Options();
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
        owner.ran(this);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("exitCode", o.exitCode());
        r.put("ok", o == Outcome.OK);
        r.put("kinds", ProxyArray.fromList(new ArrayList<>(kinds)));
        r.put("violations", ProxyArray.fromList(headlines));
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
        World w = session.world();
        Space s = w.space(space);
        Device d = device == null ? null : w.device(device);
        GuestOps ops = GuestOps.of(name, callbacks, owner.guestTimeout(), owner::context);
        w.register(name, s, d, ops.label(), ops);
        return name;
    }

    @Override
    @HostAccess.Export
    public String toString() {
        return "mmn session (" + session.world().profile().name() + ")";
    }
}
