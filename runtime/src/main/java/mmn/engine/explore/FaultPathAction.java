package mmn.engine.explore;

import java.util.List;
import mmn.engine.DriverDevice;
import mmn.engine.DriverFault;
import mmn.engine.World;

/**
 * A device access on a device with a driver fault path (mirror, kvm), as the explorer
 * interleaves it: look the device table up; on a miss, the fault path one step at a
 * time (mmu_interval_read_begin, hmm_range_fault, lock, read_retry, install, unlock;
 * or KVM's mmu_seq, faultin_pfn, lock, retry, map, unlock), waiting where the driver
 * would sleep and starting over where the collision check fails; then the access
 * through the installed entry.
 *
 * <p>The action is shared by every replay, so it keeps no state: the in-flight fault
 * lives in the device (part of the snapshot and the hash), and its id travels in the
 * step index, {@code stage + STAGES * id}.
 */
public final class FaultPathAction implements Action {
    private static final int STAGES = 16;
    private final String label;
    private final String device;
    private final String space;
    private final long va;
    private final boolean write;
    private final List<String> faultSteps;

    public FaultPathAction(String label, String device, String space, long va, boolean write, List<String> faultSteps) {
        if (faultSteps.size() + 2 > STAGES) throw new IllegalArgumentException("fault path too long");
        this.label = label;
        this.device = device;
        this.space = space;
        this.va = va;
        this.write = write;
        this.faultSteps = List.copyOf(faultSteps);
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void run(World w) {
        w.dma(w.device(device), w.space(space), va, write);
    }

    /** Past any encoded index: the action is over when a step returns this. */
    @Override
    public int steps() {
        return Integer.MAX_VALUE;
    }

    private int lastStage() {
        return faultSteps.size() + 1;
    }

    @Override
    public String stepLabel(int i) {
        int stage = i % STAGES;
        if (stage == 0) return label + " [lookup]";
        if (stage == lastStage()) return label + " [access]";
        return label + " [" + faultSteps.get(stage - 1) + "]";
    }

    @Override
    public boolean enabled(World w, int i) {
        int stage = i % STAGES;
        if (stage == 0 || stage == lastStage()) return true;
        return driver(w).whyBlocked(i / STAGES) == null;
    }

    @Override
    public int step(World w, int i) {
        int stage = i % STAGES;
        DriverDevice d = driver(w);
        if (stage == 0) {
            if (d.table().lookup(va) != null && (!write || d.table().lookup(va).writable())) {
                run(w);
                return steps();
            }
            int id = w.startFault(d, w.space(space), va, write);
            return 1 + STAGES * id;
        }
        if (stage == lastStage()) {
            run(w);
            return steps();
        }
        int id = i / STAGES;
        DriverFault.Step st = w.stepFault(d, id);
        switch (st.outcome()) {
            case RAN: return i + 1;
            case RETRY: return 1 + STAGES * id;
            case DONE: return lastStage() + STAGES * id;
            case FAILED: return steps();
            default: throw new IllegalStateException("step " + st.step() + " of fault#" + id + " ran while blocked: " + st.detail());
        }
    }

    private DriverDevice driver(World w) {
        return (DriverDevice) w.device(device);
    }

    @Override
    public String toString() {
        return label;
    }
}
