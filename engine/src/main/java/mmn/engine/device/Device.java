package mmn.engine.device;

import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.mem.TranslationCache;
import java.util.List;

/**
 * A secondary MMU: something outside the CPU that caches translations of a space.
 * Subclasses model one hardware or driver design each ({@link AtsDevice}: a PCIe
 * device with ATS/PRI behind an IOMMU that walks the CPU page table;
 * {@link MirrorDevice}: an HMM mirror; {@link KvmDevice}: KVM's shadow page table).
 */
public abstract class Device {
    public final String name;
    public Space space;
    /** The kernel this device is attached to (set by bind and by a world's copy). */
    DeviceHost host;
    long faults;
    public long opFaults;
    boolean failed;
    public boolean blocked;
    public boolean stormReported;
    /** Outcome of the last access, for reports and tests. */
    public AccessResult last;

    Device(String name) {
        this.name = name;
    }

    public String name() { return name; }

    public abstract String kind();

    public Space space() { return space; }

    /** IO page faults (or driver faults) taken since creation. */
    public long faults() { return faults; }

    /** Faults taken during the current operation (the storm counter). */
    public long opFaults() { return opFaults; }

    /**
     * Whether this device's faults in an operation are compared with the storm threshold
     * (a fault storm abandons its accesses): only an ats device whose page requests are
     * not retried a bounded number of times. Otherwise the count is never compared, and
     * the explorer's canonical key leaves it out.
     */
    protected boolean stormCounted() {
        return false;
    }

    /** One more fault in this operation; the world resets the count when the next statement begins. */
    void countOpFault(DeviceHost w) {
        if (opFaults++ == 0 && !stormReported) w.opFaulted(this);
    }

    public boolean failed() { return failed; }

    public boolean blocked() { return blocked; }

    public AccessResult lastAccess() { return last; }

    /** Every translation cache of the device, for the checker and {@code show}. */
    public abstract List<TranslationCache> caches();

    /** The page-walk cache, if the device has one. */
    public WalkCache walkCache() { return null; }

    /**
     * The steps of the device's driver fault path, in order, for an explorer to run one
     * at a time ({@code World.startFault}, {@code World.stepFault}). Empty for a device
     * whose misses are hardware page requests resolved at once ({@link AtsDevice}).
     */
    public List<String> faultSteps() { return List.of(); }

    /** Copies of the driver faults in flight (none for a hardware-walking device). */
    public List<DriverFault> faultsInFlight() { return List.of(); }

    public abstract void flush(DeviceHost w, Range r);

    public abstract void flushAll(DeviceHost w);

    public abstract AccessResult access(DeviceHost w, long va, boolean write);

    public abstract void bind(DeviceHost w, Space s);

    public abstract void detach(DeviceHost w);

    public abstract void setRootEmpty(DeviceHost w);

    public abstract void setRoot(DeviceHost w, Space s);

    public abstract Device copyFor(DeviceHost w, Space s);

    /**
     * Whether {@link #assignFrom} can make this device (a restored world's) a copy of src
     * in place: the same kind and configuration, bound to the space of the same name, its
     * caches the same caches ({@link TranslationCache#id}). None can by default.
     */
    public boolean sameShape(Device src) {
        return false;
    }

    /** Makes this device a copy of src in place (only when {@link #sameShape}); its space and host stay. */
    public void assignFrom(Device src) {
        throw new UnsupportedOperationException(kind() + " devices are copied, not assigned");
    }

    /** Whether this device and o are bound to spaces of the same name (or both to none). */
    final boolean sameSpaceName(Device o) {
        return space == null ? o.space == null : o.space != null && space.name.equals(o.space.name);
    }

    void copyCommon(Device c) {
        c.faults = faults;
        c.opFaults = opFaults;
        c.failed = failed;
        c.blocked = blocked;
        c.stormReported = stormReported;
        c.last = last;
    }

    public void hashInto(StateHasher h) {
        h.put(name).put(kind()).put(space == null ? null : space.name);
        // canonical: the total is never compared; the operation's count only against the storm
        // threshold, and only by a device that can storm (AtsDevice.pageRequest), else never
        if (h.isCanonical()) h.put(stormCounted() ? h.stormCount(opFaults) : 0);
        else h.put(faults).put(opFaults);
        h.put(failed).put(blocked).put(stormReported);
        for (TranslationCache c : caches()) c.hashInto(h);
        if (walkCache() != null) walkCache().hashInto(h);
    }

    /** How a device access ended. */
    public record AccessResult(Status status, int pfn, int faults, String detail) {
        public enum Status { OK, INVALID, FAILED, ABANDONED, STALLED }

        public boolean ok() {
            return status == Status.OK;
        }
    }
}
