package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profile;
import java.util.ArrayList;
import java.util.List;

/** What the engine tests' rigs share: a world with space A and an rw anon VMA at 0x400000, and statements that collect their violations. */
abstract class WorldRig {
    static final long BASE = 0x400000;
    final World w;
    final Space a;
    final List<Violation> found = new ArrayList<>();

    WorldRig(Profile p, long mapSize) {
        w = new World(p);
        a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + mapSize), Vma.READ | Vma.WRITE, null, false, false, false);
    }

    /** Runs one statement and collects its violations. */
    List<Violation> stmt(String label, Runnable r) {
        w.beginStatement(label);
        r.run();
        List<Violation> v = w.endStatement();
        found.addAll(v);
        return v;
    }

    boolean has(ViolationKind k) {
        return found.stream().anyMatch(v -> v.kind() == k);
    }
}
