package mmn.interp;

import mmn.engine.mem.Range;
import mmn.engine.notifier.MmuNotifierOps;
import mmn.engine.notifier.NotifierContext;
import mmn.engine.notifier.NotifierRange;
import mmn.engine.profile.Hook;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import mmn.ast.Stmt;

/**
 * A notifier whose callbacks are written in the language: {@code on start(r) { ... }}.
 * Each callback runs its block with the parameter bound to the invalidated range (a
 * page's range for page-sized events). Only the events that have a handler are
 * registered, since the kernel's behaviour depends on which ops are set.
 */
final class HandlerOps implements MmuNotifierOps {
    /** Handler event names, as the language spells them. */
    static final List<String> EVENTS = List.of("start", "end", "range", "page", "change-pte", "clear-young",
            "clear-flush-young", "test-young", "release");

    private final Interpreter interp;
    private final Map<Hook, Stmt.Handler> byHook = new HashMap<>();
    private final Set<Hook> implemented = EnumSet.noneOf(Hook.class);

    HandlerOps(Interpreter interp, List<Stmt.Handler> handlers) {
        this.interp = interp;
        for (Stmt.Handler h : handlers) {
            for (Hook hook : answers(h, handlers)) {
                implemented.add(hook);
                if (hook != Hook.INVALIDATE_RANGE_ONLY_END) byHook.putIfAbsent(hook, h);
            }
        }
    }

    /**
     * The kernel callbacks one handler answers: its own event; `on end` also
     * mmu_notifier_invalidate_range_only_end; `on clear-young` both aging callbacks
     * (clear_young, clear_flush_young) unless clear-flush-young has its own handler.
     */
    static Set<Hook> answers(Stmt.Handler h, List<Stmt.Handler> all) {
        Hook hook = Hook.byHandlerName(h.event().text());
        Set<Hook> out = EnumSet.of(hook);
        if (hook == Hook.INVALIDATE_RANGE_END) out.add(Hook.INVALIDATE_RANGE_ONLY_END);
        if (hook == Hook.CLEAR_YOUNG && all.stream().noneMatch(x -> x.event().text().equals("clear-flush-young"))) out.add(Hook.CLEAR_FLUSH_YOUNG);
        return out;
    }

    @Override
    public Set<Hook> implemented() {
        return implemented;
    }

    private void run(Hook hook, NotifierContext c, Object param) {
        Stmt.Handler h = byHook.get(hook);
        if (h != null) interp.runHandler(h, c, param);
    }

    @Override
    public void release(NotifierContext c) {
        run(Hook.RELEASE, c, null);
    }

    @Override
    public boolean invalidateRangeStart(NotifierContext c, NotifierRange r) {
        run(Hook.INVALIDATE_RANGE_START, c, r.range());
        return true;
    }

    @Override
    public void invalidateRangeEnd(NotifierContext c, NotifierRange r) {
        run(Hook.INVALIDATE_RANGE_END, c, r.range());
    }

    @Override
    public void invalidateRange(NotifierContext c, Range r) {
        run(Hook.INVALIDATE_RANGE, c, r);
    }

    @Override
    public void invalidatePage(NotifierContext c, long address) {
        run(Hook.INVALIDATE_PAGE, c, Range.page(address));
    }

    @Override
    public void changePte(NotifierContext c, long address, long pte) {
        run(Hook.CHANGE_PTE, c, Range.page(address));
    }

    @Override
    public boolean clearFlushYoung(NotifierContext c, Range r) {
        run(Hook.CLEAR_FLUSH_YOUNG, c, r);
        return false;
    }

    @Override
    public boolean clearYoung(NotifierContext c, Range r) {
        run(Hook.CLEAR_YOUNG, c, r);
        return false;
    }

    @Override
    public boolean testYoung(NotifierContext c, long address) {
        run(Hook.TEST_YOUNG, c, Range.page(address));
        return false;
    }
}
