package mmn.engine.explore;

import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.ops.OpFrame;


/**
 * The operations block of an explore: runs the operations against the world it is
 * given, calling {@code l.after(phase)} at every phase point (the engine's operations
 * do that themselves). The explorer replays it many times on fresh copies of the world,
 * so it must look every name up in {@code w} (never hold a Space or Device of another
 * world) and be deterministic.
 */
@FunctionalInterface
public interface OpProgram {
    void run(World w, PhaseListener l);

    /**
     * The same operations as one step program not yet begun in {@code w}, if they are one
     * (the explorer then steps each state's successors from its snapshot instead of
     * replaying its schedule); null if not (several operations, or one that is not a step
     * program in this world), and the explorer replays {@link #run}. Both must do the same.
     */
    default OpFrame frame(World w) {
        return null;
    }

    /** An operation that is a step program: {@code run} runs it whole, {@code frame} makes its frame (not begun) in a world. */
    static OpProgram stepped(OpProgram run, java.util.function.Function<World, OpFrame> frame) {
        return new OpProgram() {
            @Override
            public void run(World w, PhaseListener l) {
                run.run(w, l);
            }

            @Override
            public OpFrame frame(World w) {
                return frame.apply(w);
            }
        };
    }
}
