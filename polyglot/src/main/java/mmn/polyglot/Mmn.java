package mmn.polyglot;

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
        this.echoOut = echoOut;
        this.echoErr = echoErr;
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
        PolySession s = new PolySession(this, profile, echoOut, echoErr);
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
        driver = new GuestDriver(file, device, name, callbacks);
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
