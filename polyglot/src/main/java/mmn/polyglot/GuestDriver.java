package mmn.polyglot;

import mmn.engine.World;
import mmn.engine.device.Device;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.matrix.Driver;
import org.graalvm.polyglot.Value;

/**
 * A driver written in JavaScript or Python for `mmn matrix`: the script calls
 * {@code mmn.driver("device gpu ats { ... }", "amd", callbacks)}; each cell declares the
 * device from that text and registers the guest's callbacks as the notifier on the
 * workload's space. A fourth argument {@code {state: {...}}} declares what the driver keeps
 * between callbacks (as for a session's notifier); the explores of a cell copy the world, so
 * a driver that declares none is refused there with the reason. Its callbacks run on the guest's thread: one cell at a time,
 * each bounded by the guest timeout. A callback that throws is the driver's error, told to the matrix by
 * {@link #takeFailure} with the guest's message and file:line.
 */
final class GuestDriver implements Driver {
    private final String label;
    private final String deviceDecl;
    private final String device;
    private final String notifier;
    private final Value callbacks;
    /** The declared state's initial values ({@code {state: {...}}}); null: none declared. */
    private final Value state;
    /** The facade that registered it: the context the watchdog interrupts, the --guest-timeout. */
    private final Mmn owner;
    /** The first failure of a callback since {@link #takeFailure} last ran; only the guest's thread touches it. */
    private String failure;

    GuestDriver(Mmn owner, String label, String deviceDecl, String notifier, Value callbacks, Value state) {
        this.owner = owner;
        this.label = label;
        this.deviceDecl = deviceDecl.strip();
        String[] words = this.deviceDecl.split("\\s+");
        if (words.length < 3 || !words[0].equals("device"))
            throw new IllegalArgumentException("mmn.driver: the first argument is a device declaration, e.g. \"device gpu ats { atc 64; walk-cache on; pri retries 8 }\"");
        this.device = words[1];
        this.notifier = notifier;
        this.callbacks = callbacks;
        this.state = state;
        GuestOps.of(notifier, callbacks); // a missing or non-function callback is the script's error now, not every cell's
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Outcome install(Session session, String space) {
        Outcome o = session.runText(label, deviceDecl + "\n");
        if (o != Outcome.OK) return o;
        World w = session.world();
        Device d = w.device(device);
        // each cell starts from the declared initial values: cells share nothing
        GuestState st = state == null ? null : GuestState.declared(notifier, state);
        // bounded like a session's guest notifier: past --guest-timeout the context is interrupted and the cell is inconclusive
        GuestOps ops = GuestOps.of(notifier, callbacks, owner.guestTimeout(), owner::context, st).reportingFailuresTo(m -> {
            if (failure == null) failure = m;
        });
        w.register(notifier, w.space(space), d, ops.label(), ops);
        return Outcome.OK;
    }

    @Override
    public String takeFailure() {
        String f = failure;
        failure = null;
        return f;
    }

    @Override
    public int maxWorkers() {
        return 1;
    }
}
