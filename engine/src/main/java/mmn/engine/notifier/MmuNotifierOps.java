package mmn.engine.notifier;

import mmn.engine.mem.Range;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Hook;
import java.util.Set;

/**
 * struct mmu_notifier_ops as a Java interface: what a subscriber implements. Built-in
 * strategies, handlers written in the language and JavaScript/Python callbacks all
 * implement it. {@link #implemented()} says which callbacks are registered, since the
 * kernel's behaviour depends on which ops pointers are non-NULL (3.19's
 * invalidate_range_end calls ->invalidate_range only if it is set).
 *
 * Callbacks act on the world through the {@link NotifierContext} only.
 */
public interface MmuNotifierOps {
    Set<Hook> implemented();

    default void release(NotifierContext c) {}

    /** Returns false when a non-blockable start has to give up (-EAGAIN). */
    default boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
        return true;
    }

    default void invalidateRangeEnd(NotifierContext c, NotifierRange r) {}

    /** invalidate_range / arch_invalidate_secondary_tlbs. */
    default void invalidateRange(NotifierContext c, Range r) {}

    default void invalidatePage(NotifierContext c, long address) {}

    default void changePte(NotifierContext c, long address, long pte) {}

    /** Returns whether the secondary MMU saw the page young. */
    default boolean clearFlushYoung(NotifierContext c, Range r) {
        return false;
    }

    default boolean clearYoung(NotifierContext c, Range r) {
        return false;
    }

    default boolean testYoung(NotifierContext c, long address) {
        return false;
    }

    /** Private state that snapshots must capture (e.g. a nesting count); none by default. */
    default MmuNotifierOps copy() {
        return this;
    }

    default void hashInto(StateHasher h) {}
}
