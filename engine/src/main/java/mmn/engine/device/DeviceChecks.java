package mmn.engine.device;

import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Translation;

/** The checker's entry points a device calls: what it caches, what it walks from, what it found wrong. */
public interface DeviceChecks {
    /** Index d's caches so that frees and PTE changes find the entries naming a frame. */
    void attach(Device d);

    /** d's page-table root now is pfn (-1: none). */
    void rootChanged(Device d, int pfn);

    /** d installed t (a driver's page table, an SPTE): checked against the PTE it came from. */
    void entryInstalled(Device d, Translation t);

    /** d walked from a cached non-leaf entry: the table it names must still be a live page table. */
    void walkCacheUsed(Device d, WalkCache.Entry e);

    void report(ViolationKind kind, String device, String entry, int pfn, int gen, String why);
}
