package mmn.engine;

import mmn.engine.check.Trace;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.device.DriverFault;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;

/**
 * What front ends do to a device directly, outside the notifier callbacks: a driver's
 * flush, detach, root change or block; and, for an explorer, a device's work one actor
 * step at a time: an ats device's access as walk, the kernel's handling of its page
 * request and the device's retry; a driver's fault (mirror, kvm) as the steps of its
 * fault path. Each step runs against the world as it is when the step is taken, so an
 * operation's steps can fall between them.
 */
public final class DeviceOps {
    private final World w;

    DeviceOps(World w) {
        this.w = w;
    }

    /** The access goes through s's translations only if d is bound to s (PASID bind). */
    /** A device accesses only the space it is bound to: the error a dma gets otherwise. */
    public static void requireBound(Device d, Space s) {
        if (d.space != s) throw new EngineException(d.name + " is " + (d.space == null ? "not bound to any space" : "bound to " + d.space.name)
                + ", not " + s.name, "bind " + d.name + " " + s.name);
    }

    /**
     * Starts a driver fault (mirror, kvm) for one page without running any step: an
     * explorer then runs it step by step with {@link #stepFault}. Returns the fault's id.
     */
    public int startFault(Device d, Space s, long va, boolean write) {
        return startFault(d, s, va, write, 0);
    }

    /** The same, tagged with who started it ({@link DriverDevice#faultOwnedBy}): an explorer thread's access. */
    public int startFault(Device d, Space s, long va, boolean write, int owner) {
        DriverDevice dd = driverDevice(d);
        requireBound(d, s);
        return dd.begin(w, va, write, owner).id;
    }

    /** Runs the next step of an in-flight driver fault (see {@link Device#faultSteps()}). */
    public DriverFault.Step stepFault(Device d, int fault) {
        return driverDevice(d).step(w, fault);
    }

    private static DriverDevice driverDevice(Device d) {
        if (d instanceof DriverDevice dd) return dd;
        throw new EngineException(d.name + " is an " + d.kind() + " device: its faults are page requests the IOMMU resolves at once,"
                + " there is no driver fault path to step", "fault steps exist for mirror and kvm devices");
    }

    /**
     * An ats access one actor at a time, for an explorer: (1) the device's lookup and walk;
     * a miss sends a page request that stays in flight in the device, tagged with
     * {@code owner} (an explorer action, not 0). Returns {@link AtsDevice.AccessStage#DONE}
     * when the access ended here (a hit; {@link Device#lastAccess()} says how), else
     * {@code REQUESTED}: {@link #handlePageRequest} runs next.
     */
    public AtsDevice.AccessStage startAccess(Device d, Space s, long va, boolean write, int owner) {
        AtsDevice a = atsDevice(d);
        requireBound(d, s);
        return a.beginAccess(w, va, write, owner);
    }

    /** Whether the kernel's handling of owner's page request would sleep now (the operation holds the PTL, a migration entry). */
    public boolean pageRequestWaits(Device d, int owner) {
        return atsDevice(d).requestWaits(w, owner);
    }

    /** (2) The kernel handles owner's page request (handle_mm_fault): SUCCESS or INVALID, kept until the device receives it. Returns {@code ANSWERED}. */
    public AtsDevice.AccessStage handlePageRequest(Device d, int owner) {
        return atsDevice(d).handleRequest(w, owner);
    }

    /** (3) The device receives owner's response and retries its walk: {@code DONE} or, on another fault, {@code REQUESTED}. */
    public AtsDevice.AccessStage retryAccess(Device d, int owner) {
        return atsDevice(d).retryAccess(w, owner);
    }

    private static AtsDevice atsDevice(Device d) {
        if (d instanceof AtsDevice a) return a;
        throw new EngineException(d.name + " is a " + d.kind() + " device: it has no page requests to step",
                "page-request steps exist for ats devices; mirror and kvm use startFault/stepFault");
    }

    /** A driver-initiated flush of a device's TLBs (outside any callback). */
    public void flushDevice(Device d, Range r) {
        if (r == null) d.flushAll(w);
        else d.flush(w, r);
    }

    public void detachDevice(Device d) {
        d.detach(w);
    }

    public void setDeviceRoot(Device d, Space s) {
        if (s == null) d.setRootEmpty(w);
        else d.setRoot(w, s);
    }

    public void blockDevice(Device d, boolean blocked) {
        d.blocked = blocked;
        w.trace.event("device", d.name + (blocked ? " blocked" : " unblocked"), new Trace.Fields().device(d.name));
    }
}
