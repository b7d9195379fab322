package mmn.engine;

import mmn.engine.check.Violation;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Addr;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.Rig.BASE;
import static mmn.engine.Rig.r;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A device's range flush must reach its page-walk cache: a driver that flushes only the
 * invalidated range (never everything) is coherent across a munmap that frees the page
 * table the walker cached (free_pgtables), because AtsDevice.flush drops the walk-cache
 * entries of the range too. Without that (the mutation this test was written for), the
 * walk cache still points at the freed table and the checker reports it.
 */
class WalkCacheFlushTest {
    /** Flushes exactly the range it is told about, at start and at end. */
    static final class RangeFlusher implements MmuNotifierOps {
        @Override public Set<Hook> implemented() {
            return EnumSet.of(Hook.INVALIDATE_RANGE_START, Hook.INVALIDATE_RANGE_END);
        }

        @Override public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
            return true;
        }

        @Override public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
            c.flush(c.device(), r.range());
        }
    }

    @Test
    void aRangeFlushDropsTheWalkCacheOfAFreedPageTable() {
        for (Profile p : List.of(Profiles.LINUX_3_19, Profiles.LINUX_6_8)) {
            // two PMD tables' worth: the munmap of the first 2M frees its PTE table
            Rig t = new Rig(p, null, 8, true, 2 * Addr.PMD_SIZE);
            t.w.register("n1", t.a, t.gpu, "range-flusher", new RangeFlusher());
            t.touchAll(BASE, 4);
            t.dmaAll(BASE, 4, false);
            assertTrue(!t.gpu.walkCache().entries().isEmpty(), p.name() + ": the walk cache holds the table's entry before munmap");
            t.stmt("munmap", () -> t.w.munmap(t.a, r(BASE, Addr.PMD_SIZE), PhaseListener.NONE));
            List<Violation> stale = t.of(ViolationKind.STALE_WALK_CACHE);
            assertEquals(List.of(), stale, p.name() + ": " + t.found);
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
            // the device's next access to the unmapped range walks afresh and is refused
            t.dmaAll(BASE, 1, false);
            assertEquals(Device.AccessResult.Status.INVALID, t.gpu.lastAccess().status(), p.name());
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
        }
    }
}
