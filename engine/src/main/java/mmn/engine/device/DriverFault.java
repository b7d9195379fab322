package mmn.engine.device;

import mmn.engine.mem.Addr;
import mmn.engine.mem.StateHasher;

/**
 * One device fault in flight through a driver's fault path ({@link MirrorDevice}'s
 * dmirror_range_fault loop, {@link KvmDevice}'s kvm_faultin_pfn .. map loop). The path
 * is a list of named steps ({@link Device#faultSteps()}); the fault remembers which
 * step runs next and what the earlier steps produced (the sampled sequence number, the
 * frame the CPU page table gave), so an explorer can run one step at a time and
 * interleave the steps with an operation's phases. It is part of the device's state:
 * snapshots copy it and the state hash covers it.
 */
public final class DriverFault {
    /** What running one step did. */
    public enum Outcome {
        /** The step ran; the fault moved on to the next step. */
        RAN,
        /** The step could not run now (waits for the driver lock or for an invalidation to end); nothing changed. */
        BLOCKED,
        /** The collision check failed: the lock was dropped and the path starts again from its first step. */
        RETRY,
        /** The last step ran: the entry is installed and the fault is over. */
        DONE,
        /** The CPU side refused the fault (no VMA allows it, the mm is gone): the fault is over, nothing installed. */
        FAILED
    }

    /** The result of {@code World.stepFault}: the step's name, what it did, and why. */
    public record Step(int fault, String step, Outcome outcome, String detail) {
        public boolean finished() {
            return outcome == Outcome.DONE || outcome == Outcome.FAILED;
        }
    }

    public final int id;
    final long va;
    final boolean write;
    /** Index of the next step in the device's faultSteps(). */
    int pc;
    /** The notifier sequence sampled by the first step (mmu_interval_read_begin / mmu_invalidate_seq). */
    long seq;
    /** What the CPU-side step collected: frame, its generation, writable; pfn -1 before. */
    int pfn = -1;
    int gen;
    boolean writable;
    /** KVM: the page reference hva_to_pfn took (GUP), dropped by kvm_release_pfn_clean after unlock. */
    boolean holdsRef;
    int retries;

    /**
     * Who started the fault (an explorer thread's access), 0 for none. Ids are reused
     * once a fault ends, and a callback can finish another's fault (it runs the lock
     * holder to its unlock), so a stepper finds its own fault by owner, not by id.
     */
    final int owner;

    DriverFault(int id, long va, boolean write, int owner) {
        this.id = id;
        this.va = Addr.pageDown(va);
        this.write = write;
        this.owner = owner;
    }

    public int id() { return id; }

    public int owner() { return owner; }

    public long va() { return va; }

    public boolean write() { return write; }

    public int retries() { return retries; }

    /** The frame the CPU-side step collected, or -1 before it ran. */
    public int pfn() { return pfn; }

    /** Index of the next step to run in {@link Device#faultSteps()}. */
    public int nextStepIndex() { return pc; }

    DriverFault copy() {
        DriverFault c = new DriverFault(id, va, write, owner);
        c.pc = pc;
        c.seq = seq;
        c.pfn = pfn;
        c.gen = gen;
        c.writable = writable;
        c.holdsRef = holdsRef;
        c.retries = retries;
        return c;
    }

    /**
     * Canonical ({@link StateHasher#canonical()}): the sampled sequence only as whether it
     * still equals the device's ({@code now}); the device's only grows, so once they differ
     * they differ for good, and the collision check (mmu_invalidate_retry, read_retry)
     * compares nothing else. Before the first step samples it, it is not state at all.
     * Retries are compared only by {@link DriverDevice#runWhole}, whose faults have no
     * owner and never outlive the call: a stepped (owned) fault's retries are not state.
     */
    void hashInto(StateHasher h, long now, boolean renamed) {
        if (!renamed) h.put(id).put(owner);
        else if (owner == 0) h.put(id).put(0);
        else h.put(h.owners().applyAsInt(owner)); // the id is an identity only: the renamed owner names the fault
        h.put(va).put(write).put(pc);
        if (!h.isCanonical()) h.put(seq).put(retries);
        else {
            h.put(pc > 0 && seq == now);
            h.put(owner != 0 ? 0 : Math.min(retries, DriverDevice.MAX_RETRIES + 1));
        }
        h.put(pfn).put(gen).put(writable).put(holdsRef);
    }

    @Override
    public String toString() {
        return "fault#" + id + " " + Addr.hex(va) + (write ? " write" : " read");
    }
}
