package mmn.polyglot;

import mmn.engine.EngineException;
import mmn.engine.World;
import mmn.engine.device.Device;
import mmn.engine.notifier.Strategies;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

import java.io.PrintStream;
import org.graalvm.polyglot.HostAccess;

/**
 * The object a guest script sees as {@code mmn}: {@code mmn.session()} or
 * {@code mmn.session("linux-3.19")} opens a world of its own. Only the methods marked
 * {@link HostAccess.Export} are visible to guests (the contexts use
 * {@link HostAccess#EXPLICIT}).
 */
public final class Mmn {
    private final PrintStream echoOut;
    private final PrintStream echoErr;
    private PolySession last;
    private java.time.Duration guestTimeout = GuestWatchdog.DEFAULT_TIMEOUT;
    /** The context this facade is bound in (Guests.bind): the watchdog interrupts it. */
    private org.graalvm.polyglot.Context context;

    /**
     * @param echoOut where every session's output is also written as it happens (null: only
     *                captured in the run's result)
     */
    public Mmn(PrintStream echoOut, PrintStream echoErr) {
        this(echoOut, echoErr, List.of());
    }

    public Mmn(PrintStream echoOut, PrintStream echoErr, List<String> args) {
        this.echoOut = echoOut;
        this.echoErr = echoErr;
        this.args = ProxyArray.fromList(new ArrayList<>(args));
    }

    /** A facade that only captures output (tests). */
    public Mmn() {
        this(null, null);
    }

    @HostAccess.Export
    public PolySession session() {
        return session(null);
    }

    @HostAccess.Export
    public PolySession session(String profile) {
        return new PolySession(this, profile, echoOut, echoErr);
    }

    /**
     * {@code options}: {@code {echo: false}} keeps the runs' output out of the terminal (it
     * stays in each result) and out of the script's exit status: a loop's sessions;
     * {@code {maxStates: N}} bounds each explore (inconclusive beyond it, as --max-states).
     */
    @HostAccess.Export
    public PolySession session(String profile, Value options) {
        Value echo = option(options, "echo");
        Value maxStates = option(options, "maxStates");
        boolean quiet = echo != null && !echo.asBoolean();
        PolySession s = quiet ? new PolySession(this, profile, null, null, true) : session(profile);
        if (maxStates != null) s.maxStates(maxStates.asLong());
        return s;
    }

    private GuestDriver driver;
    private String file = "<guest>";

    /** The file being evaluated (drivers are named by it in reports). */
    void file(String name) {
        this.file = name;
    }

    /**
     * Registers the script's driver for `mmn matrix`: {@code device} is a .mmn device
     * declaration, {@code name} the notifier's name, {@code callbacks} as for
     * {@link PolySession#notifier}. The matrix supplies spaces, profiles and operations.
     */
    @HostAccess.Export
    public String driver(String device, String name, org.graalvm.polyglot.Value callbacks) {
        return driver(device, name, callbacks, null);
    }

    /** The same, with {@code options}: {@code {state: {...}}}, what the driver keeps between callbacks. */
    @HostAccess.Export
    public String driver(String device, String name, org.graalvm.polyglot.Value callbacks, org.graalvm.polyglot.Value options) {
        driver = new GuestDriver(this, file, device, name, callbacks, option(options, "state"));
        return name;
    }

    /** The driver the script registered, or null. */
    mmn.matrix.Driver registeredDriver() {
        return driver;
    }

    /** How long one guest callback may run before it is interrupted (`mmn js|py --guest-timeout SECS`). */
    public void setGuestTimeout(java.time.Duration limit) {
        this.guestTimeout = limit;
    }

    java.time.Duration guestTimeout() {
        return guestTimeout;
    }

    void attach(org.graalvm.polyglot.Context ctx) {
        this.context = ctx;
    }

    org.graalvm.polyglot.Context context() {
        return context;
    }

    private static Value option(Value options, String key) {
        if (options == null || options.isNull()) return null;
        if (options.hasHashEntries()) return options.hasHashEntry(key) ? options.getHashValue(key) : null;
        return options.hasMember(key) ? options.getMember(key) : null;
    }

    /** The arguments after the script's name on the command line. */
    @HostAccess.Export
    public final ProxyArray args;

    /**
     * The built-in strategies, each with the device kind it drives and a profile it
     * works under (Strategies.validate decides, not a list kept here).
     */
    @HostAccess.Export
    public ProxyArray strategies() {
        List<Object> l = new ArrayList<>();
        Profile p = Profiles.defaultProfile();
        for (String name : Strategies.NAMES) {
            for (String kind : List.of("ats", "mirror", "kvm")) {
                World w = new World(p);
                Device d = kind.equals("ats") ? w.createAtsDevice("d", 8, false, null)
                        : kind.equals("mirror") ? w.createMirrorDevice("d", 8) : w.createKvmDevice("d", 8);
                try {
                    Strategies.validate(name, p, d);
                } catch (EngineException e) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", name);
                m.put("device", kind);
                m.put("profile", p.name());
                l.add(ProxyObject.fromMap(m));
                break;
            }
        }
        return ProxyArray.fromList(l);
    }

    private final CallSite callSite = new CallSite();

    /** Where the guest's current call into mmn comes from. */
    CallSite callSite() {
        return callSite;
    }

    void ran(PolySession s) {
        last = s;
    }

    /** The session that ran last (null when none ran). */
    public PolySession lastSession() {
        return last;
    }

    /** The exit code of the last session run by any session (0 when nothing ran). */
    public int lastExitCode() {
        return last == null ? 0 : last.lastExitCode();
    }
}
