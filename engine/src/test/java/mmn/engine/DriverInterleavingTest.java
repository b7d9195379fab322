package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.device.Device;
import mmn.engine.device.DriverFault;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.DriverRig.BASE;
import static mmn.engine.DriverRig.PAGE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every placement of one device fault's steps around an operation's phases, by brute
 * force: the steps are cut into consecutive groups, one before the operation, one after
 * each phase, and the rest after it. The correct protocols must be coherent in every
 * placement; the broken ones must be caught in at least one.
 */
class DriverInterleavingTest {
    /** Phases after which steps may run (a subset of munmap's and dontneed's, to keep the count small). */
    private static final List<String> PHASES = List.of("start", "clear", "end", "free");
    private static final int MAX_STEPS_PLACED = 8;

    record Result(int placements, int violating, Set<String> kinds, int installed) {}

    private static Result explore(Profile p, String kind, String strategy, String op) {
        int placements = 0;
        int violating = 0;
        int installed = 0;
        Set<String> kinds = new HashSet<>();
        for (int[] cut : cuts(PHASES.size() + 1, MAX_STEPS_PLACED)) {
            DriverRig t = new DriverRig(p, kind, strategy.equals("zap-only") ? null : strategy);
            if (strategy.equals("zap-only")) t.w.register("n1", t.a, t.dev, "zap-only", new KvmDeviceTest.ZapOnly());
            t.stmt("touch", () -> t.w.touch(t.a, BASE, true));
            int id = t.w.deviceOps().startFault(t.dev, t.a, BASE, false);
            t.stmt("before", () -> runUpTo(t, id, cut[0]));
            PhaseListener l = phase -> {
                int i = PHASES.indexOf(phase);
                if (i >= 0) runUpTo(t, id, cut[i + 1]);
            };
            Consumer<PhaseListener> operation = op.equals("munmap")
                    ? x -> t.w.munmap(t.a, r(BASE, PAGE), x)
                    : x -> t.w.dontneed(t.a, r(BASE, PAGE), x);
            t.stmt(op, () -> operation.accept(l));
            t.stmt("after", () -> {
                if (!t.dev.faultsInFlight().isEmpty()) t.run(id);
            });
            assertTrue(t.dev.faultsInFlight().isEmpty(), "every fault ends once nothing races it");
            // the last step may have run inside a callback that waited for the lock: ask the device
            Device.AccessResult end = t.dev.lastAccess();
            if (end.ok()) installed++;
            placements++;
            if (!t.found.isEmpty()) {
                violating++;
                for (Violation v : t.found) kinds.add(v.kind().label());
            }
        }
        return new Result(placements, violating, kinds, installed);
    }

    /** Runs at most n steps, fewer if the fault ends or a step is blocked. */
    private static void runUpTo(DriverRig t, int id, int n) {
        for (int i = 0; i < n && !t.dev.faultsInFlight().isEmpty(); i++) {
            DriverFault.Step st = t.w.deviceOps().stepFault(t.dev, id);
            t.steps.add(st);
            if (st.outcome() == DriverFault.Outcome.BLOCKED) return;
        }
    }

    /** All ways to put at most max steps into slots groups (the rest runs after the operation). */
    private static List<int[]> cuts(int slots, int max) {
        List<int[]> out = new ArrayList<>();
        fill(new int[slots], 0, max, out);
        return out;
    }

    private static void fill(int[] cur, int i, int left, List<int[]> out) {
        if (i == cur.length) {
            out.add(cur.clone());
            return;
        }
        for (int k = 0; k <= left; k++) {
            cur[i] = k;
            fill(cur, i + 1, left - k, out);
        }
    }

    @ParameterizedTest
    @CsvSource({"mirror,interval,munmap", "mirror,interval,dontneed", "kvm,kvm,munmap", "kvm,kvm,dontneed"})
    void correctProtocolsAreCoherentInEveryPlacement(String kind, String strategy, String op) {
        Result r = explore(Profiles.LINUX_6_8, kind, strategy, op);
        assertEquals(1287, r.placements()); // C(8 + 5, 5)
        assertEquals(0, r.violating(), r.toString());
        if (op.equals("dontneed")) assertEquals(r.placements(), r.installed(), "the VMA stays: every fault ends with an entry");
        else assertTrue(r.installed() > 0 && r.installed() < r.placements(), r.toString());
    }

    @ParameterizedTest
    @CsvSource({"mirror,interval-no-retry,munmap", "mirror,interval-no-retry,dontneed", "kvm,zap-only,munmap", "kvm,zap-only,dontneed"})
    void brokenProtocolsAreCaughtInSomePlacement(String kind, String strategy, String op) {
        Result r = explore(Profiles.LINUX_6_8, kind, strategy, op);
        assertTrue(r.violating() > 0, r.toString());
        assertTrue(r.violating() < r.placements(), "a fault that ends before the operation is fine: " + r);
        assertTrue(r.kinds().contains("use-after-free") || r.kinds().contains("stale-translation"), r.toString());
        assertFalse(r.kinds().contains("protocol"), r.toString());
    }
}
