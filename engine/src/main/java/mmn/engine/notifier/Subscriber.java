package mmn.engine.notifier;

import mmn.engine.device.Device;
import mmn.engine.mem.Space;
import mmn.engine.mem.StateHasher;
import mmn.engine.profile.Hook;

/** A registered struct mmu_notifier: a name, the space it listens on, its device and its ops. */
public final class Subscriber {
    public final String name;
    public final Space space;
    public final Device device;
    final String strategy;
    public MmuNotifierOps ops;
    public boolean released;

    public Subscriber(String name, Space space, Device device, String strategy, MmuNotifierOps ops) {
        this.name = name;
        this.space = space;
        this.device = device;
        this.strategy = strategy;
        this.ops = ops;
    }

    public String name() { return name; }
    public Space space() { return space; }
    public Device device() { return device; }
    public String strategy() { return strategy; }
    public MmuNotifierOps ops() { return ops; }

    public boolean has(Hook h) {
        return ops.implemented().contains(h);
    }

    public Subscriber copyFor(Space s, Device d) {
        Subscriber c = new Subscriber(name, s, d, strategy, ops.copy());
        c.released = released;
        return c;
    }

    /** Whether o is this subscriber in another world: the same name, space, device and strategy (by name). */
    boolean sameShape(Subscriber o) {
        return name.equals(o.name) && space.name.equals(o.space.name) && strategy.equals(o.strategy)
                && (device == null ? o.device == null : o.device != null && device.name.equals(o.device.name));
    }

    /** Makes this subscriber a copy of o's state in place (see {@link #sameShape}). */
    void assignFrom(Subscriber o) {
        released = o.released;
        ops = o.ops.copy();
    }

    public void hashInto(StateHasher h) {
        h.put(name).put(released);
        ops.hashInto(h);
    }

    @Override
    public String toString() {
        return name + " (" + strategy + ")";
    }
}
