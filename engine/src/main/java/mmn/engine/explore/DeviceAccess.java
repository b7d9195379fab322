package mmn.engine.explore;

import mmn.engine.World;


/**
 * What the stepped device accesses share ({@link AtsAccessAction}, {@link FaultPathAction}):
 * one page of a dma, its label, and the owner tag its in-flight state carries in the
 * world. Run whole ({@link #run}) it is the scripted dma; the subclasses say how it
 * splits into steps. The tag names the thread; the explorer's symmetry reduction renames
 * tags along with the threads it permutes.
 */
abstract class DeviceAccess implements Action {
    final String label;
    final String device;
    final String space;
    final long va;
    final boolean write;
    final int owner;

    /** {@code owner} must be unique among the actions of one explore (and not 0). */
    DeviceAccess(String label, String device, String space, long va, boolean write, int owner) {
        if (owner == 0) throw new IllegalArgumentException("owner 0 means no owner");
        this.label = label;
        this.device = device;
        this.space = space;
        this.va = va;
        this.write = write;
        this.owner = owner;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public void run(World w) {
        w.dma(w.device(device), w.space(space), va, write);
    }

    /**
     * Symmetric with any access of the same kind and label (device, space, address,
     * access): the owner tag its in-flight state carries names the thread, but the
     * explorer renames tags with the threads it permutes (Replayer's key).
     */
    @Override
    public String symmetryKey() {
        return getClass().getSimpleName() + " " + label;
    }

    @Override
    public String toString() {
        return label;
    }
}
