package mmn.engine.profile;

/** enum mmu_notifier_event (5.0+; older profiles pass UNMAP and the subscriber ignores it). */
public enum NotifierEvent {
    UNMAP("unmap"), CLEAR("clear"), PROTECTION_VMA("protection-vma"), PROTECTION_PAGE("protection-page"),
    SOFT_DIRTY("soft-dirty"), RELEASE("release"), MIGRATE("migrate"), EXCLUSIVE("exclusive");

    private final String label;

    NotifierEvent(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
