package mmn.engine.notifier;

import mmn.engine.device.DeviceHost;
import mmn.engine.device.Device;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;

/**
 * What a notifier callback may do to its device and the world. Each method is one
 * driver action; {@link #mightSleep} marks an action that can sleep, which the checker
 * flags under the PTL or in a non-blockable invalidation.
 */
public interface NotifierContext {
    /** The kernel the subscriber's device is attached to (what a device's own callbacks act through). */
    DeviceHost host();

    /** A space by name (a handler repointing its device's root). */
    Space space(String name);

    Subscriber subscriber();

    /** The device the subscriber drives (may be null for a device-less subscriber). */
    Device device();

    Device device(String name);

    void flush(Device d, Range r);

    void flushAll(Device d);

    /** Point the device's walker at an empty table (AMD IOMMUv2's empty_page_table). */
    void setRootEmpty(Device d);

    /** Point the device's walker back at a space's page table. */
    void setRoot(Device d, Space s);

    /** Unbind the device from the space: clear the PASID entry and flush everything. */
    void detach(Device d);

    /** Stall the device's new translations until unblock (a driver-level mutex: may sleep). */
    void block(Device d);

    void unblock(Device d);

    /** The callback is about to do something that may sleep (take a mutex, wait for hardware). */
    void mightSleep(String what);

    void print(String text);
}
