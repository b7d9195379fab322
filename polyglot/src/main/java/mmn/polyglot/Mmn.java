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
