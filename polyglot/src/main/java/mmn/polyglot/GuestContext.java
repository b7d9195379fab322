package mmn.polyglot;

import mmn.engine.EngineException;
import mmn.engine.device.Device;
import mmn.engine.mem.Range;
import mmn.engine.notifier.NotifierContext;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.Value;

/**
 * What a guest callback may do to the world ({@code ctx}): the driver actions of
 * {@link NotifierContext}, with devices and spaces named by strings. Valid only during
 * the callback it was passed to. {@code device} is the name of the notifier's own device.
 */
public final class GuestContext {
    private NotifierContext c;
    @HostAccess.Export
    public final String device;

    /**
     * The notifier's declared state ({@code {state: {...}}} at registration): what lasts
     * between callbacks lives here, copied with the world. Null when none was declared.
     */
    @HostAccess.Export
    public final Object state;

    GuestContext(NotifierContext c, GuestState state) {
        this.c = c;
        this.device = c.device() == null ? null : c.device().name();
        this.state = state == null ? null : state.view();
    }

    void close() {
        c = null;
    }

    private NotifierContext ctx() {
        if (c == null) throw new EngineException("a callback's ctx was used after the callback returned");
        return c;
    }

    private Device dev(String name) {
        if (name == null) {
            Device d = ctx().device();
            if (d == null) throw new EngineException("this notifier has no device: name one");
            return d;
        }
        return ctx().device(name);
    }

    /** A range from a guest value: a range passed to the callback, or any object with start and end. */
    private static Range range(Value v) {
        if (v == null || v.isNull()) throw new EngineException("flush needs a range (use flushAll to flush everything)");
        if (v.isHostObject() && v.asHostObject() instanceof GuestRange g) return g.range;
        Value s = v.hasMember("start") ? v.getMember("start") : v.hasHashEntries() ? v.getHashValue("start") : null;
        Value e = v.hasMember("end") ? v.getMember("end") : v.hasHashEntries() ? v.getHashValue("end") : null;
        if (s == null || e == null || !s.fitsInLong() || !e.fitsInLong())
            throw new EngineException("not a range: " + v, "pass the range the callback received, or {start, end}");
        try {
            return new Range(s.asLong(), e.asLong());
        } catch (IllegalArgumentException x) {
            throw new EngineException("not a range: " + x.getMessage());
        }
    }

    @HostAccess.Export
    public void flush(String device, Value range) {
        ctx().flush(dev(device), range(range));
    }

    @HostAccess.Export
    public void flushAll(String device) {
        ctx().flushAll(dev(device));
    }

    @HostAccess.Export
    public void block(String device) {
        ctx().block(dev(device));
    }

    @HostAccess.Export
    public void unblock(String device) {
        ctx().unblock(dev(device));
    }

    @HostAccess.Export
    public void detach(String device) {
        ctx().detach(dev(device));
    }

    @HostAccess.Export
    public void setRootEmpty(String device) {
        ctx().setRootEmpty(dev(device));
    }

    @HostAccess.Export
    public void setRoot(String device, String space) {
        ctx().setRoot(dev(device), ctx().space(space));
    }

    @HostAccess.Export
    public void print(Value text) {
        ctx().print(text == null ? "null" : text.isString() ? text.asString() : text.toString());
    }

    @Override
    @HostAccess.Export
    public String toString() {
        return "ctx(" + (c == null ? "closed" : c.subscriber().name()) + ")";
    }
}
