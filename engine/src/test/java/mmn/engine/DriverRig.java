package mmn.engine;

import mmn.engine.device.Device;
import mmn.engine.device.DriverDevice;
import mmn.engine.device.DriverFault;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.TranslationCache;
import mmn.engine.profile.Profile;
import java.util.ArrayList;
import java.util.List;

/** Test rig for driver-managed devices: space A, a 64K rw anon VMA at 0x400000, a mirror or kvm device bound to it. */
final class DriverRig extends WorldRig {
    static final long PAGE = Addr.PAGE_SIZE;
    /** munmap's phases, in the order they happen. */
    static final List<String> MUNMAP_PHASES = List.of("start", "clear", "end", "unlink-tables", "flush", "free");

    final Device dev;
    /** Every step run through {@link #run}, in order. */
    final List<DriverFault.Step> steps = new ArrayList<>();

    DriverRig(Profile p, String kind, String strategy) {
        super(p, 16 * PAGE);
        dev = kind.equals("mirror") ? w.createMirrorDevice("gpu", 0) : w.createKvmDevice("vm", 0);
        w.bind(dev, a);
        if (strategy != null) w.register("n1", a, dev, strategy);
    }

    /** Runs the fault's steps until it finishes or a step is blocked; returns the last step. */
    DriverFault.Step run(int fault) {
        while (true) {
            DriverFault.Step st = w.deviceOps().stepFault(dev, fault);
            steps.add(st);
            if (st.finished() || st.outcome() == DriverFault.Outcome.BLOCKED) return st;
        }
    }

    /** Runs exactly n steps of the fault. */
    void run(int fault, int n) {
        for (int i = 0; i < n; i++) steps.add(w.deviceOps().stepFault(dev, fault));
    }

    long count(DriverFault.Outcome o) {
        return steps.stream().filter(s -> s.outcome() == o).count();
    }

    DriverFault.Step last() {
        return steps.get(steps.size() - 1);
    }

    TranslationCache table() {
        return ((DriverDevice) dev).table();
    }

    int pfnOf(long va) {
        return Pte.pfn(a.pageTable().get(va));
    }
}
