package mmn.engine.notifier;

import mmn.engine.EngineException;

import mmn.engine.check.Trace;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.device.DeviceHost;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Hook;
import mmn.engine.profile.SiteRow;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The counterpart of mm/mmu_notifier.c: each mm's subscriptions, and the dispatch of every
 * hook a call site fires to the subscribers that implement it, in registration order.
 *
 * A call site fires what the active profile lists for it ({@link #fire}); the core adds
 * what the kernel's core adds (3.19-6.5 invalidate_range_end calling ->invalidate_range
 * first, a failed non-blocking start ending every subscriber, release emptying the list
 * for good) and hands each callback a {@link NotifierContext}: the device actions a driver
 * may take, with sleeping checked against the PTL and the range's blockable flag.
 */
public final class NotifierCore {
    /** What the core needs of the kernel around it, beyond what a device sees. */
    public interface Host extends DeviceHost {
        Device device(String name);

        Space space(String name);

        /** A handler's print: the trace and the front end's output. */
        void print(String text);
    }

    private final Host host;
    /** mm->notifier_subscriptions, per space, in registration order. */
    private final Map<Space, List<Subscriber>> subscriptions = new LinkedHashMap<>();
    /** Every registered subscriber by name (the script's handle on it). */
    private final Map<String, Subscriber> byName = new LinkedHashMap<>();

    /** Told whenever the subscriptions' shape changes (a list made, a subscriber in or out): see Kernel.shapeChanged. */
    private final Runnable shapeChanged;

    public NotifierCore(Host h, Runnable shapeChanged) {
        this.host = h;
        this.shapeChanged = shapeChanged;
    }

    /** The live subscription list of s (mm->notifier_subscriptions->list): to read; changes go through this class. */
    public List<Subscriber> subs(Space s) {
        List<Subscriber> l = subscriptions.get(s);
        if (l == null) {
            subscriptions.put(s, l = new ArrayList<>());
            shapeChanged.run();
        }
        return l;
    }

    /** Whether s has any subscriber (mm_has_notifiers). */
    public boolean hasSubscribers(Space s) {
        List<Subscriber> l = subscriptions.get(s);
        return l != null && !l.isEmpty();
    }

    /** Refuses a registration the kernel would refuse (or a script should not make). */
    public void checkRegister(String name, Space s, Device d) {
        if (byName.containsKey(name)) throw new EngineException("notifier '" + name + "' is already registered");
        if (s.released) throw new EngineException(s.name + " has exited: mmu_notifier_register fails on a dead mm");
        if (d != null && d.space != null && d.space != s)
            throw new EngineException(d.name + " is bound to " + d.space.name + ", not " + s.name);
    }

    /** mmu_notifier_register: the subscriber joins s's list, after those already there. */
    public Subscriber register(String name, Space s, Device d, String label, MmuNotifierOps ops) {
        Subscriber sub = new Subscriber(name, s, d, label, ops);
        subs(s).add(sub);
        byName.put(name, sub);
        shapeChanged.run();
        host.trace().event("decl", "notifier " + name + " on " + s.name + (d != null ? " for " + d.name : "") + " uses " + label);
        return sub;
    }

    public Subscriber subscriber(String name) {
        Subscriber s = byName.get(name);
        if (s == null) throw new EngineException("unknown notifier '" + name + "'", EngineException.declared("notifiers", byName.keySet()));
        return s;
    }

    /** mmu_notifier_unregister: ->release runs (the core calls it), then the subscriber leaves. */
    public void unregister(String name) {
        Subscriber sub = subscriber(name);
        if (!sub.released && sub.has(Hook.RELEASE)) {
            hook(sub.space, "release", "mmu_notifier_unregister", null, NO_ADDRESS, () -> "release (mmu_notifier_unregister) -> " + sub.name);
            sub.ops.release(ctx(sub, true));
        }
        subs(sub.space).remove(sub);
        byName.remove(name);
        shapeChanged.run();
        sub.released = true;
        host.trace().event("decl", "unregister " + name);
    }

    /**
     * Whether src has this core's subscriptions (a restored world's): the same spaces'
     * lists, in order, of subscribers with the same names, spaces, devices and strategies.
     * Then {@link #assignFrom} refills the subscribers in place.
     */
    public boolean sameShape(NotifierCore src) {
        if (subscriptions.size() != src.subscriptions.size() || byName.size() != src.byName.size()) return false;
        var mine = subscriptions.entrySet().iterator();
        for (Map.Entry<Space, List<Subscriber>> e : src.subscriptions.entrySet()) {
            Map.Entry<Space, List<Subscriber>> m = mine.next();
            if (!m.getKey().name.equals(e.getKey().name) || m.getValue().size() != e.getValue().size()) return false;
            for (int i = 0; i < e.getValue().size(); i++) if (!m.getValue().get(i).sameShape(e.getValue().get(i))) return false;
        }
        var names = byName.values().iterator();
        for (Subscriber s : src.byName.values()) if (!names.next().sameShape(s)) return false;
        return true;
    }

    /**
     * Each subscriber made a copy of src's in place (only when {@link #sameShape}). Through
     * byName alone: every subscriber on a list is the one registered under its name (register
     * adds it to both, unregister takes it from both, release empties the lists only).
     */
    public void assignFrom(NotifierCore src) {
        var names = byName.values().iterator();
        for (Subscriber s : src.byName.values()) names.next().assignFrom(s);
    }

    /** The subscription lists of src, rebuilt over a copy's spaces and subscribers. */
    public void copyFrom(NotifierCore src, Map<Space, Space> spaces, java.util.function.Function<Subscriber, Subscriber> copy) {
        subscriptions.clear();
        byName.clear();
        for (Map.Entry<Space, List<Subscriber>> e : src.subscriptions.entrySet()) {
            List<Subscriber> l = new ArrayList<>();
            for (Subscriber sub : e.getValue()) l.add(copy.apply(sub));
            subscriptions.put(spaces.get(e.getKey()), l);
        }
        for (Subscriber sub : src.byName.values()) byName.put(sub.name, copy.apply(sub));
    }

    /** Feeds s's subscriptions into h, in order. */
    public void hashInto(Space s, StateHasher hasher) {
        List<Subscriber> l = subscriptions.getOrDefault(s, List.of());
        hasher.put(l.size());
        for (Subscriber sub : l) sub.hashInto(hasher);
    }

    /** Told of every call site an operation reaches, whether the profile fires hooks there or not. */
    public interface SiteObserver {
        void reached(String site);
    }

    /** Null except in tests that tie each operation's code to its outline (OutlineTest). */
    public SiteObserver siteObserver;

    /** A hook fired from a kernel call site, over a range or at an address. */
    private void hook(Space s, String name, String site, Range r, long address, Supplier<String> label) {
        if (!host.trace().keeping()) { // an explorer's inner run: no text built for a trace nothing reads
            host.trace().skipped();
            return;
        }
        String text = r != null && r.wholeMm() ? label.get() + ", the whole mm" : label.get();
        boolean cited = host.profile().hasSite(site) || host.profile().hasSite(site + "@" + host.arch().name().toLowerCase()); // engine tests fire made-up sites
        Trace.Fields f = new Trace.Fields().hook(name).site(site).cite(cited ? host.profile().row(site, host.arch()).cite() : null).space(s.name).range(r);
        if (r == null && address != NO_ADDRESS) f.address(address);
        host.trace().event("hook", text, f);
    }

    private static final long NO_ADDRESS = Long.MIN_VALUE;

    /** Fires what the profile lists at a call site. */
    public void fire(Space s, String site, Range r, long address, long pte) {
        if (siteObserver != null) siteObserver.reached(site);
        SiteRow row = host.profile().row(site, host.arch());
        for (Hook h : row.hooks()) {
            switch (h) {
                case RELEASE: release(s, site); break;
                case INVALIDATE_RANGE_START: invalidateRangeStart(s, new NotifierRange(r, row.event(), true), site); break;
                case INVALIDATE_RANGE_END: invalidateRangeEnd(s, new NotifierRange(r, row.event(), true), site, false); break;
                case INVALIDATE_RANGE_ONLY_END: invalidateRangeEnd(s, new NotifierRange(r, row.event(), true), site, true); break;
                case INVALIDATE_RANGE: invalidateRange(s, r, site); break;
                case INVALIDATE_PAGE: invalidatePage(s, address, site); break;
                case CHANGE_PTE: changePte(s, address, pte, site); break;
                case CLEAR_FLUSH_YOUNG: clearFlushYoung(s, r, site); break;
                case CLEAR_YOUNG: clearYoung(s, r, site); break;
                case TEST_YOUNG: testYoung(s, address, site); break;
                default: throw new IllegalStateException("site " + site + " lists " + h);
            }
        }
    }

    public void fire(Space s, String site, Range r) {
        fire(s, site, r, r.start(), Pte.NONE);
    }

    private String hookLabel(String name, String site) {
        return name + " (" + site + ")";
    }

    /** __mmu_notifier_release: every ->release, then the list is emptied for good. */
    public void release(Space s, String site) {
        hook(s, "release", site, null, NO_ADDRESS, () -> hookLabel("release", site));
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.RELEASE)) sub.ops.release(ctx(sub, true));
        }
        for (Subscriber sub : subs(s)) sub.released = true;
        subs(s).clear();
        shapeChanged.run();
        s.released = true;
    }

    public void invalidateRangeStart(Space s, NotifierRange r, String site) {
        s.activeInvalidations++;
        hook(s, "invalidate_range_start", site, r.range(), NO_ADDRESS, () -> hookLabel("invalidate_range_start " + r.range(), site));
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (!sub.has(Hook.INVALIDATE_RANGE_START)) continue;
            checkAlive(sub, "invalidate_range_start");
            sub.ops.invalidateRangeStart(ctx(sub, r.blockable()), r);
        }
    }

    public void invalidateRangeEnd(Space s, NotifierRange r, String site, boolean onlyEnd) {
        hook(s, onlyEnd ? "invalidate_range_only_end" : "invalidate_range_end", site, r.range(), NO_ADDRESS,
                () -> hookLabel((onlyEnd ? "invalidate_range_only_end " : "invalidate_range_end ") + r.range(), site));
        if (s.activeInvalidations == 0) {
            host.checks().report(ViolationKind.PROTOCOL, null, null, -1, 0, "invalidate_range_end " + r.range() + " without a start");
        } else {
            s.activeInvalidations--;
        }
        for (Subscriber sub : List.copyOf(subs(s))) {
            // 3.19-6.5 __mmu_notifier_invalidate_range_end: ->invalidate_range first, then ->invalidate_range_end
            if (host.profile().endCallsRange && !onlyEnd && sub.has(Hook.INVALIDATE_RANGE)) {
                hook(s, host.profile().rangeHookName, site, r.range(), NO_ADDRESS, () -> "  " + host.profile().rangeHookName + " " + r.range() + " -> " + sub.name + " (from invalidate_range_end)");
                sub.ops.invalidateRange(ctx(sub, r.blockable()), r.range());
            }
            if (sub.has(Hook.INVALIDATE_RANGE_END)) {
                checkAlive(sub, "invalidate_range_end");
                sub.ops.invalidateRangeEnd(ctx(sub, r.blockable()), r);
            }
        }
    }

    public void invalidateRange(Space s, Range r, String site) {
        hook(s, host.profile().rangeHookName, site, r, NO_ADDRESS, () -> hookLabel(host.profile().rangeHookName + " " + r, site));
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.INVALIDATE_RANGE)) sub.ops.invalidateRange(ctx(sub, !s.ptlHeld()), r);
        }
    }

    public void invalidatePage(Space s, long address, String site) {
        hook(s, "invalidate_page", site, null, address, () -> hookLabel("invalidate_page " + Addr.hex(address), site));
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.INVALIDATE_PAGE)) sub.ops.invalidatePage(ctx(sub, !s.ptlHeld()), address);
        }
    }

    public void changePte(Space s, long address, long pte, String site) {
        hook(s, "change_pte", site, null, address, () -> hookLabel("change_pte " + Addr.hex(address) + " -> " + Pte.describe(pte), site));
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.CHANGE_PTE)) sub.ops.changePte(ctx(sub, false), address, pte);
        }
    }

    public boolean clearFlushYoung(Space s, Range r, String site) {
        hook(s, "clear_flush_young", site, r, NO_ADDRESS, () -> hookLabel("clear_flush_young " + r, site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.CLEAR_FLUSH_YOUNG)) young |= sub.ops.clearFlushYoung(ctx(sub, false), r);
        }
        return young;
    }

    /** Fires a site's aging hooks (clear_flush_young, clear_young, test_young): whether any subscriber saw the page young. */
    public boolean fireYoung(Space s, String site, Range r) {
        if (siteObserver != null) siteObserver.reached(site);
        boolean young = false;
        for (Hook h : host.profile().row(site, host.arch()).hooks()) {
            switch (h) {
                case CLEAR_FLUSH_YOUNG: young |= clearFlushYoung(s, r, site); break;
                case CLEAR_YOUNG: young |= clearYoung(s, r, site); break;
                case TEST_YOUNG: young |= testYoung(s, r.start(), site); break;
                default: throw new IllegalStateException("site " + site + " lists " + h + " among aging hooks");
            }
        }
        return young;
    }

    public boolean clearYoung(Space s, Range r, String site) {
        hook(s, "clear_young", site, r, NO_ADDRESS, () -> hookLabel("clear_young " + r, site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.CLEAR_YOUNG)) young |= sub.ops.clearYoung(ctx(sub, false), r);
        }
        return young;
    }

    public boolean testYoung(Space s, long address, String site) {
        hook(s, "test_young", site, null, address, () -> hookLabel("test_young " + Addr.hex(address), site));
        boolean young = false;
        for (Subscriber sub : List.copyOf(subs(s))) {
            if (sub.has(Hook.TEST_YOUNG)) young |= sub.ops.testYoung(ctx(sub, false), address);
        }
        return young;
    }

    /**
     * mmu_notifier_invalidate_range_start_nonblock (4.19+): the site's start with the
     * blockable flag clear. Where the profile lets a start fail and a subscriber returns
     * -EAGAIN, the core (6.5 __mmu_notifier_invalidate_range_start) still calls every
     * start, then calls end on every subscriber that has one, and returns the error: the
     * caller must not call end itself. Returns whether the start succeeded.
     */
    public boolean fireStartNonblock(Space s, String site, Range r) {
        if (siteObserver != null) siteObserver.reached(site);
        SiteRow row = host.profile().row(site, host.arch());
        boolean ok = true;
        for (Hook h : row.hooks()) {
            if (h != Hook.INVALIDATE_RANGE_START) throw new IllegalStateException("site " + site + " lists " + h);
            NotifierRange nr = new NotifierRange(r, row.event(), false);
            s.activeInvalidations++;
            hook(s, "invalidate_range_start", site, r, NO_ADDRESS, () -> hookLabel("invalidate_range_start " + nr, site));
            boolean failed = false;
            for (Subscriber sub : List.copyOf(subs(s))) {
                if (!sub.has(Hook.INVALIDATE_RANGE_START)) continue;
                checkAlive(sub, "invalidate_range_start");
                if (!sub.ops.invalidateRangeStart(ctx(sub, false), nr) && host.profile().startMayFail) {
                    hook(s, "invalidate_range_start", site, r, NO_ADDRESS, () -> "  -EAGAIN from " + sub.name);
                    failed = true;
                }
            }
            if (failed) {
                hook(s, "invalidate_range_end", site, r, NO_ADDRESS, () -> "  start failed: the core calls invalidate_range_end on every subscriber that has it");
                for (Subscriber sub : List.copyOf(subs(s))) {
                    if (sub.has(Hook.INVALIDATE_RANGE_END)) sub.ops.invalidateRangeEnd(ctx(sub, false), nr);
                }
                s.activeInvalidations--;
                ok = false;
            }
        }
        return ok;
    }

    private void checkAlive(Subscriber sub, String what) {
        if (sub.released) host.checks().report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                what + " reached " + sub.name + " after its release");
    }

    public NotifierContext ctx(Subscriber sub, boolean blockable) {
        return new Ctx(sub, blockable);
    }

    /** The callback's handle on the world; records sleeping where sleeping is not allowed. */
    private final class Ctx implements NotifierContext {
        private final Subscriber sub;
        private final boolean blockable;

        Ctx(Subscriber sub, boolean blockable) {
            this.sub = sub;
            this.blockable = blockable;
        }

        @Override public DeviceHost host() { return host; }
        @Override public Space space(String name) { return host.space(name); }
        @Override public Subscriber subscriber() { return sub; }
        @Override public Device device() { return sub.device; }
        @Override public Device device(String name) { return host.device(name); }

        @Override
        public void flush(Device d, Range r) {
            if (d != null) d.flush(host, r);
        }

        @Override
        public void flushAll(Device d) {
            if (d != null) d.flushAll(host);
        }

        @Override
        public void setRootEmpty(Device d) {
            if (d != null) d.setRootEmpty(host);
        }

        @Override
        public void setRoot(Device d, Space s) {
            if (d != null) d.setRoot(host, s);
        }

        @Override
        public void detach(Device d) {
            if (d != null) d.detach(host);
        }

        @Override
        public void block(Device d) {
            mightSleep("block " + (d == null ? "" : d.name));
            if (d != null) {
                d.blocked = true;
                host.trace().event("device", d.name + " blocked", new Trace.Fields().device(d.name));
            }
        }

        @Override
        public void unblock(Device d) {
            if (d != null) {
                d.blocked = false;
                host.trace().event("device", d.name + " unblocked", new Trace.Fields().device(d.name));
            }
        }

        @Override
        public void mightSleep(String what) {
            Space s = sub.space;
            if (s.ptlHeld()) {
                host.checks().report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                        sub.name + " may sleep (" + what + ") in a callback called under the page-table lock");
            } else if (!blockable) {
                host.checks().report(ViolationKind.PROTOCOL, sub.device == null ? null : sub.device.name, null, -1, 0,
                        sub.name + " may sleep (" + what + ") in a non-blockable invalidation");
            }
        }

        @Override
        public void print(String text) {
            host.print(text);
        }
    }

}
