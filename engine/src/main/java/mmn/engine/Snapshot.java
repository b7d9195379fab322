package mmn.engine;

import mmn.engine.check.Checker;
import mmn.engine.check.Violation;
import java.util.List;
import java.util.Set;

/** An opaque, immutable capture of the engine state. */
public final class Snapshot {
    final World state;
    final List<Violation> violations;
    final Set<String> reported;
    final int traceSize;
    final Checker.Pending pending;

    Snapshot(World state, List<Violation> violations, Set<String> reported, int traceSize, Checker.Pending pending) {
        this.state = state;
        this.pending = pending;
        this.violations = List.copyOf(violations);
        this.reported = reported;
        this.traceSize = traceSize;
    }
}
