package mmn.engine.device;

import mmn.engine.mem.Addr;
import mmn.engine.mem.Space;
import java.util.List;

/**
 * An HMM mirror: a device page table filled by its driver, after lib/test_hmm.c's
 * dmirror (v6.x). The table holds no page references (dmirror_do_update says so): the
 * interval notifier is trusted to clear entries before their pages go away.
 *
 * The fault path is dmirror_range_fault's loop, one step each:
 * <ol>
 *   <li>{@code read_begin}: mmu_interval_read_begin samples the subscription's
 *       invalidate_seq; it sleeps while an invalidation covering the interval is in
 *       progress (the step is blocked then).</li>
 *   <li>{@code hmm_range_fault}: fault the page in like a CPU fault (HMM_PFN_REQ_FAULT)
 *       and collect its pfn and write permission; no reference is taken.</li>
 *   <li>{@code lock}: mutex_lock(&dmirror->mutex), the lock the invalidate callback takes.</li>
 *   <li>{@code read_retry}: mmu_interval_read_retry; if the sequence moved, unlock and
 *       start again. The {@code interval-no-retry} strategy is a driver that skips it.</li>
 *   <li>{@code install}: dmirror_do_fault stores the pfn (tagged writable or not).</li>
 *   <li>{@code unlock}.</li>
 * </ol>
 * A device access (dmirror_read/dmirror_write) looks the table up under the mutex; a
 * miss runs the whole fault path and looks again, counting one fault (cmd->faults).
 */
public final class MirrorDevice extends DriverDevice {
    public static final List<String> STEPS = List.of("read_begin", "hmm_range_fault", "lock", "read_retry", "install", "unlock");

    public MirrorDevice(String name, int entries) {
        super(name, entries);
    }

    @Override
    public String kind() {
        return "mirror";
    }

    @Override
    public List<String> faultSteps() {
        return STEPS;
    }

    @Override
    String tableName() {
        return "pt";
    }

    @Override
    boolean lookupTakesLock() {
        return true;
    }

    /** The mirror's interval subscription (dmirror->notifier), if one is registered and live. */
    public IntervalSeq interval() {
        return space == null || host == null ? null : host.intervalOf(this);
    }

    @Override
    long sequence() {
        IntervalSeq iv = interval();
        return iv == null ? 0 : iv.seq();
    }

    /** read_begin sleeps while an invalidation of the interval is in progress. */
    @Override
    String whyBlocked(DriverFault f) {
        IntervalSeq iv = interval();
        if (STEPS.get(f.pc).equals("read_begin") && iv != null && iv.invalidating()) {
            return "mmu_interval_read_begin sleeps: an invalidation of the interval is in progress (seq " + iv.seq() + ")";
        }
        return super.whyBlocked(f);
    }

    @Override
    DriverFault.Step runStep(DeviceHost w, DriverFault f) {
        String step = STEPS.get(f.pc);
        IntervalSeq iv = interval();
        switch (step) {
            case "read_begin": {
                String why = whyBlocked(f);
                if (why != null) return blocked(f, step, why);
                f.seq = iv == null ? 0 : iv.seq();
                return ran(f, step, iv == null ? "no interval notifier: nothing to sample" : "seq " + f.seq);
            }
            case "hmm_range_fault": {
                DriverFault.Step failed = cpuFault(w, f, step);
                if (failed != null) return failed;
                return ran(f, step, "pfn " + f.pfn + " gen " + f.gen + (f.writable ? " write" : " read-only"));
            }
            case "lock":
                return lock(f, step, "dmirror->mutex");
            case "read_retry": {
                if (iv == null) return ran(f, step, "no interval notifier: nothing to check");
                if (!iv.checksRetry()) return ran(f, step, "skipped (the driver does not call mmu_interval_read_retry)");
                if (iv.seq() != f.seq) {
                    return retry(w, f, step, "mmu_interval_read_retry: seq moved from " + f.seq + " to " + iv.seq()
                            + ": unlock and start again");
                }
                return ran(f, step, "seq " + f.seq + " unchanged");
            }
            case "install":
                install(w, f);
                return ran(f, step, Addr.hex(f.va) + " -> pfn " + f.pfn + (f.writable ? " rw" : " ro"));
            case "unlock":
                lockHolder = 0;
                return ran(f, step, "dmirror->mutex released");
            default:
                throw new IllegalStateException(step);
        }
    }

    @Override
    public Device copyFor(DeviceHost w, Space s) {
        MirrorDevice c = new MirrorDevice(name, capacity);
        c.host = w;
        copyDriverState(c, s);
        return c;
    }
}
