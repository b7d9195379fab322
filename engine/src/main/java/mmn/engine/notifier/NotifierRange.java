package mmn.engine.notifier;

import mmn.engine.profile.NotifierEvent;

import mmn.engine.mem.Range;

/** struct mmu_notifier_range: what is invalidated, why, and whether the callback may sleep. */
public record NotifierRange(Range range, NotifierEvent event, boolean blockable) {

    public long start() {
        return range.start();
    }

    public long end() {
        return range.end();
    }

    @Override
    public String toString() {
        return range + " " + event.label() + (blockable ? "" : " non-blocking");
    }
}
