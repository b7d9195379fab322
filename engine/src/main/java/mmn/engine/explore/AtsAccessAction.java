package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.device.AtsDevice;


/**
 * A device access on an ats device, as the explorer interleaves it: the PRI round trip
 * split where the device and the kernel are separate actors.
 *
 * <ol start="0">
 * <li>{@code [walk]}: the device's ATC lookup, the IOMMU's IOTLB lookup and table walk.
 *     A hit ends the access; a miss sends a page request (one fault, counted against
 *     the storm threshold), which stays in flight in the device, tagged with this
 *     action's {@code owner}.</li>
 * <li>{@code [handle_mm_fault]}: the kernel resolves the request like a CPU fault and
 *     answers SUCCESS or INVALID. Disabled while the handler would sleep (the running
 *     operation holds the PTL, or the PTE is a migration entry).</li>
 * <li>{@code [retry]}: the device receives the response. INVALID ends the access with
 *     an error; SUCCESS past {@code pri retries N} puts the device in its failure
 *     state; otherwise it walks again, as in step 0 (a new miss goes back to step 1).</li>
 * </ol>
 *
 * An operation's micro-steps can run between any two of these (between the request and
 * its handling, between the response and the retry). Scripted, {@link #run} is the
 * atomic {@code dma}, unchanged. Like {@link FaultPathAction}, the action keeps no
 * state: the request lives in the device (snapshots copy it, the state hash covers it)
 * and names its owner (the explorer renames owners when it permutes identical threads).
 */
public final class AtsAccessAction extends DeviceAccess {
    private static final int WALK = 0;
    private static final int HANDLE = 1;
    private static final int RETRY = 2;

    public AtsAccessAction(String label, String device, String space, long va, boolean write, int owner) {
        super(label, device, space, va, write, owner);
    }

    @Override
    public int steps() {
        return 3;
    }

    @Override
    public String stepLabel(int stage) {
        switch (stage) {
            case WALK: return label + " [walk]";
            case HANDLE: return label + " [handle_mm_fault]";
            default: return label + " [retry]";
        }
    }

    @Override
    public boolean enabled(World w, int stage) {
        return stage != HANDLE || !w.deviceOps().pageRequestWaits(w.device(device), owner);
    }

    /**
     * Quiet (Action#quiet) in two ways. Read-only: a read whose walk step hits in the ATC
     * (AtsDevice.translate: the ATC is looked up first and a hit only checks the frame),
     * or on a device in its failure state (beginAccess ends the access at once): the step
     * writes only the last access result. Or private: a step that writes only this
     * access's own page request and counters nothing compares ({@link AtsDevice#quietStep}:
     * a walk finding no PTE, a refused request, the INVALID answer received).
     */
    @Override
    public boolean quiet(World w, int stage) {
        AtsDevice d = (AtsDevice) w.device(device);
        if (stage == WALK && !write && (d.failed() || d.atc().lookup(va) != null)) return true;
        return d.quietStep(w, stage, va, write, owner);
    }

    @Override
    public int step(World w, int stage) {
        AtsDevice.AccessStage next;
        switch (stage) {
            case WALK: next = w.deviceOps().startAccess(w.device(device), w.space(space), va, write, owner); break;
            case HANDLE: next = w.deviceOps().handlePageRequest(w.device(device), owner); break;
            case RETRY: next = w.deviceOps().retryAccess(w.device(device), owner); break;
            default: throw new IllegalArgumentException("no step " + stage);
        }
        switch (next) {
            case REQUESTED: return HANDLE;
            case ANSWERED: return RETRY;
            default: return steps();
        }
    }
}
