package mmn.engine.notifier;

import mmn.engine.mem.Range;

/** struct mmu_notifier_range: what is invalidated, why, and whether the callback may sleep. */
public record NotifierRange(Range range, Event event, boolean blockable) {
    /** enum mmu_notifier_event (5.0+; older profiles pass UNMAP and the subscriber ignores it). */
    public enum Event {
        UNMAP("unmap"), CLEAR("clear"), PROTECTION_VMA("protection-vma"), PROTECTION_PAGE("protection-page"),
        SOFT_DIRTY("soft-dirty"), RELEASE("release"), MIGRATE("migrate"), EXCLUSIVE("exclusive");

        private final String label;

        Event(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

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
