package mmn.engine.device;

import mmn.engine.check.Trace;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Space;
import mmn.engine.mem.Translation;
import mmn.engine.profile.Arch;
import mmn.engine.profile.Profile;

/**
 * What a device sees of the kernel it is attached to: physical memory, the fault path a
 * page request or a driver's hmm_range_fault / get_user_pages reaches, the checker's
 * entry points for what a device caches and uses, and the trace. The devices know
 * nothing else of the engine: not the world, not the operations, not the notifier core.
 */
public interface DeviceHost {
    PhysMem memory();

    Trace trace();

    Profile profile();

    Arch arch();

    /** IO page faults per operation before the device reports a fault storm. */
    int stormThreshold();

    /** The checker's device side: roots, entries installed, walk caches used, violations. */
    DeviceChecks checks();

    /** A device used a translation for an access: the checker decides whether that was coherent. */
    Device.AccessResult deviceUse(Device d, Translation t, long va, boolean write, String how);

    /** An access is over (the trace's access event; the device's last result). */
    void accessEnded(Device d, long va, boolean write, Device.AccessResult r);

    /** d took its first fault of this statement: its storm counter is reset when the next statement begins. */
    void opFaulted(Device d);

    /** handle_mm_fault on a page request (or a driver's fault path): SUCCESS, INVALID or WAIT. */
    PageRequestResult handlePageRequest(Space s, long va, boolean write);

    /** Whether handling that request now would sleep (the operation holds the PTL, a migration entry). */
    boolean pageRequestWaits(Space s, long va, boolean write);

    /** Whether handling that request now would answer INVALID without changing anything (no VMA allows it, or the mm is gone). */
    boolean pageRequestRefused(Space s, long va, boolean write);

    /** The walk set the accessed (and dirty) bits, as a CPU's would. */
    void markAccessed(Space s, long va, boolean write);

    /** The live mmu_interval_notifier registered for d (dmirror->notifier), or null. */
    IntervalSeq intervalOf(Device d);
}
