package mmn.engine.device;

/**
 * A mirror's view of its mmu_interval_notifier (include/linux/mmu_notifier.h): the
 * sequence mmu_interval_read_begin samples and mmu_interval_read_retry re-checks.
 */
public interface IntervalSeq {
    /** interval_sub->invalidate_seq. */
    long seq();

    /** mmu_interval_read_begin would sleep: an invalidation covering the interval is in progress. */
    boolean invalidating();

    /** Whether the driver calls mmu_interval_read_retry before installing (the interval-no-retry strategy does not). */
    boolean checksRetry();
}
