package mmn.engine.profile;

/** The mmu_notifier callbacks a profile can fire (struct mmu_notifier_ops). */
public enum Hook {
    RELEASE("release"),
    INVALIDATE_RANGE_START("start"),
    INVALIDATE_RANGE_END("end"),
    /** 4.15-6.5 mmu_notifier_invalidate_range_only_end: end without the repeated invalidate_range. */
    INVALIDATE_RANGE_ONLY_END("end"),
    /** invalidate_range (3.19-6.5); arch_invalidate_secondary_tlbs from 6.6. */
    INVALIDATE_RANGE("range"),
    /** invalidate_page (up to 4.12). */
    INVALIDATE_PAGE("page"),
    CHANGE_PTE("change-pte"),
    CLEAR_FLUSH_YOUNG("clear-flush-young"),
    CLEAR_YOUNG("clear-young"),
    TEST_YOUNG("test-young");

    private final String handlerName;

    Hook(String handlerName) {
        this.handlerName = handlerName;
    }

    /** The name a language handler uses: {@code on start(r) { ... }}. */
    public String handlerName() {
        return handlerName;
    }

    public static Hook byHandlerName(String n) {
        for (Hook h : values()) if (h != INVALIDATE_RANGE_ONLY_END && h.handlerName.equals(n)) return h;
        return null;
    }
}
