package mmn.engine.profile;

import java.util.List;

/**
 * One row of a profile table: at this call site the kernel fires these hooks, in this
 * order, holding this lock. {@code cite} names the kernel function the row follows.
 */
public record SiteRow(String site, List<Hook> hooks, Lock lock, NotifierEvent event, String cite) {
    public enum Lock {
        NONE("-"), PTL("PTL"), MMAP_LOCK("mmap_lock"), I_MMAP("i_mmap_rwsem");

        private final String label;

        Lock(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }
}
