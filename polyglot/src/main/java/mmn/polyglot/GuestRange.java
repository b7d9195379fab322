package mmn.polyglot;

import mmn.engine.mem.Range;
import mmn.engine.notifier.NotifierRange;
import org.graalvm.polyglot.HostAccess;

/** An invalidated range as a guest sees it: {@code start}, {@code end} (numbers), {@code event}, {@code blockable}. */
public final class GuestRange {
    @HostAccess.Export
    public final long start;
    @HostAccess.Export
    public final long end;
    /** The mmu_notifier_event (unmap, clear, ...); null for callbacks that have none. */
    @HostAccess.Export
    public final String event;
    @HostAccess.Export
    public final boolean blockable;

    final Range range;

    GuestRange(Range r) {
        this(r, null, true);
    }

    GuestRange(NotifierRange r) {
        this(r.range(), r.event().label(), r.blockable());
    }

    private GuestRange(Range r, String event, boolean blockable) {
        this.range = r;
        this.start = r.start();
        this.end = r.end();
        this.event = event;
        this.blockable = blockable;
    }

    @Override
    @HostAccess.Export
    public String toString() {
        return range.toString();
    }
}
