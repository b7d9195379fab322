package mmn.engine.explore;

import mmn.engine.PhaseListener;
import mmn.engine.World;


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
}
