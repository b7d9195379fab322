package mmn.engine.ops;

import mmn.engine.PhaseListener;
import mmn.engine.mem.StateHasher;

/**
 * A running operation as a program of steps. The kernel function's locals (the VMAs it
 * detached, the mmu_gather, where its zap stopped) are fields here, plain values that
 * are part of the world's state: copied with a snapshot, hashed into the state key. So
 * a world can be snapshotted between any two steps and the operation goes on from there
 * in the copy, which is how the explorer computes a state's successors without
 * replaying its schedule from the root.
 *
 * <p>{@link #step} runs the operation from where it stopped to its next phase point and
 * returns that phase's name (the phase is announced, the actions injected there are the
 * driver's business), or returns null when the operation has returned. A scripted run
 * drives it to the end ({@link Kernel#runOp}); the explorer one step per choice.
 */
public abstract class OpFrame {
    /** The step to run next: an index into the program's steps, each subclass's own. */
    protected int pc;

    /** The program counter once the operation has returned. */
    protected static final int RETURNED = -1;

    /** The operation returns (OpRunner.endOp): the driver is told by the null. */
    protected final String returnOp(Kernel k) {
        k.vmm.run.endOp();
        pc = RETURNED;
        return null;
    }

    /**
     * A step that is one call site: the step named {@code phase}, the profile's hooks at
     * {@code site} fired over {@code r} on {@code s}, then phase point {@code phase};
     * the next step is {@code next}.
     */
    protected final String fireAt(Kernel k, String phase, mmn.engine.mem.Space s, String site, mmn.engine.mem.Range r, int next) {
        k.vmm.run.step(phase);
        k.fire(s, site, r);
        pc = next;
        return k.vmm.run.reach(phase);
    }

    /** A callee's return into the operation that steps it (Hugetlb's frames): null, and the caller's step goes on. */
    protected final String calleeReturns() {
        pc = RETURNED;
        return null;
    }

    /** A step asked of an operation that has returned: a driver's bug. */
    protected final IllegalStateException returned() {
        return new IllegalStateException(name() + " has returned");
    }

    /**
     * Where a scripted run's injected actions go ({@link Kernel#runOp} sets it), for the
     * parts of an operation that are not steps yet and call it synchronously (a step
     * program the explorer drives has none: the frame factories in Vmm and Rmap refuse those). Null
     * while the explorer steps the frame: every phase point is a stop. Not state.
     */
    PhaseListener listener;

    /** Runs to the next phase point (its name) or to the return (null). */
    public abstract String step(Kernel k);

    /** The operation's name, as beginOp gave it. */
    public abstract String name();

    /** A copy for the kernel {@code k} (a restored or snapshotted world): spaces are looked up there by name. */
    protected abstract OpFrame copyFor(Kernel k);

    /** Feeds the program counter and the locals into h (numbers only). */
    protected abstract void hashInto(StateHasher h);
}
