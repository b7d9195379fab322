package mmn.engine.explore;

import mmn.engine.World;
import mmn.engine.device.DriverDevice;
import mmn.engine.device.DriverFault;
import java.util.List;

/**
 * A device access on a device with a driver fault path (mirror, kvm), as the explorer
 * interleaves it: look the device table up; on a miss, the fault path one step at a
 * time (mmu_interval_read_begin, hmm_range_fault, lock, read_retry, install, unlock;
 * or KVM's mmu_seq, faultin_pfn, lock, retry, map, unlock), waiting where the driver
 * would sleep and starting over where the collision check fails; then the access
 * through the installed entry.
 *
 * <p>The action is shared by every replay, so it keeps no state: the in-flight fault
 * lives in the device (part of the snapshot and the hash), tagged with this action's
 * {@code owner}, and the step index is the stage: 0 the lookup, 1..n the fault path
 * (n its steps), n+1 the access. A notifier callback that needs the driver lock runs
 * the holder's fault to its end itself (a single-threaded engine's mutex); the action
 * then finds no fault of its own and goes on to the access.
 */
public final class FaultPathAction extends DeviceAccess {
    private final List<String> faultSteps;

    public FaultPathAction(String label, String device, String space, long va, boolean write, List<String> faultSteps, int owner) {
        super(label, device, space, va, write, owner);
        this.faultSteps = List.copyOf(faultSteps);
    }

    @Override
    public int steps() {
        return lastStage() + 1;
    }

    private int lastStage() {
        return faultSteps.size() + 1;
    }

    @Override
    public String stepLabel(int stage) {
        if (stage == 0) return label + " [lookup]";
        if (stage == lastStage()) return label + " [access]";
        return label + " [" + faultSteps.get(stage - 1) + "]";
    }

    @Override
    public boolean enabled(World w, int stage) {
        if (stage == 0 || stage == lastStage()) return true;
        DriverDevice d = driver(w);
        int id = d.faultOwnedBy(owner);
        return id == 0 || d.whyBlocked(id) == null;
    }

    /**
     * A read that hits in the device table at the lookup or the final access, while no
     * fault holds the driver lock (DriverDevice.access would otherwise run the holder's
     * fault to its end first): the access only reads the entry and checks the frame.
     */
    @Override
    public boolean quiet(World w, int stage) {
        if (write || (stage != 0 && stage != lastStage())) return false;
        DriverDevice d = driver(w);
        return d.lockHolder() == 0 && d.table().lookup(va) != null;
    }

    @Override
    public int step(World w, int stage) {
        DriverDevice d = driver(w);
        if (stage == 0) {
            var hit = d.table().lookup(va);
            if (hit != null && (!write || hit.writable())) {
                run(w);
                return steps();
            }
            w.deviceOps().startFault(d, w.space(space), va, write, owner);
            return 1;
        }
        int id = stage == lastStage() ? 0 : d.faultOwnedBy(owner);
        if (id == 0) { // the access itself, or the fault was finished for us by a callback
            run(w);
            return steps();
        }
        DriverFault.Step st = w.deviceOps().stepFault(d, id);
        switch (st.outcome()) {
            case RAN: return stage + 1;
            case RETRY: return 1;
            case DONE: return lastStage();
            case FAILED: return steps();
            default: throw new IllegalStateException("step " + st.step() + " of fault#" + id + " ran while blocked: " + st.detail());
        }
    }

    private DriverDevice driver(World w) {
        return (DriverDevice) w.device(device);
    }
}
