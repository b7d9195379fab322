package mmn.engine.explore;

import mmn.engine.World;


/**
 * One device action of a thread: a dma, or a driver fault path made of several atomic
 * steps (read_begin, walk, lock, read_retry, install, unlock). The explorer interleaves
 * at step granularity; a step runs to completion without interruption. Any in-flight
 * state between steps must live in the world (so snapshots and the state hash see it).
 *
 * <p>A plain access implements {@link #label()} and {@link #run(World)}: one step.
 * A multi-step action also overrides {@link #steps()}, {@link #step(World, int)} and,
 * where a step waits for something (mmu_interval_read_begin sleeping while an
 * invalidation is in progress), {@link #enabled(World, int)}.
 */
public interface Action {
    String label();

    /** The whole action at once (scripted use outside explore). */
    void run(World w);

    /** How many atomic steps the action has. */
    default int steps() {
        return 1;
    }

    /** The trace label of step {@code i}. */
    default String stepLabel(int i) {
        return steps() == 1 ? label() : label() + " [step " + (i + 1) + "/" + steps() + "]";
    }

    /** Whether step {@code i} can run in the world's current state (a blocked step waits). */
    default boolean enabled(World w, int i) {
        return true;
    }

    /**
     * Runs step {@code i} and returns the next step: {@code i + 1} normally, a smaller
     * index to loop back (a retry), {@code steps()} or more when the action is over.
     */
    default int step(World w, int i) {
        run(w);
        return i + 1;
    }

    /**
     * Whether step {@code i}, run in the world's current state, is quiet: it writes nothing
     * another thread's step reads or writes, reads nothing a quiet step of another thread
     * writes, raises nothing another quiet step could change, and stays quiet whatever
     * quiet steps of other threads run before it. A device read that hits in its own TLB
     * (only the last access result, which is not state, is written); an ats access's step
     * that writes only its own page request and counters that merely add up
     * (AtsAccessAction). Two quiet steps of different threads commute, which is the
     * independence the sleep-set reduction uses (docs/explore.md). False (the default) is
     * always safe.
     */
    default boolean quiet(World w, int i) {
        return false;
    }

    /**
     * What makes two actions interchangeable for the symmetry reduction: equal keys mean
     * the same effect on the world whoever runs it, and the world keeps no trace of
     * which thread did, except owner tags of {@link DeviceAccess} actions, which the
     * explorer renames with the threads. Null (the default) opts out.
     */
    default String symmetryKey() {
        return null;
    }

    /**
     * A one-step action from a label and a body. The label must say everything the body
     * does (device, space, address, access), since equal labels make threads symmetric.
     */
    static Action of(String label, java.util.function.Consumer<World> body) {
        return new Action() {
            @Override public String label() { return label; }
            @Override public void run(World w) { body.accept(w); }
            @Override public String symmetryKey() { return label; }
            @Override public String toString() { return label; }
        };
    }
}
