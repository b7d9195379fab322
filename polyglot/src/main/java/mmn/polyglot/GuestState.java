package mmn.polyglot;

import mmn.engine.EngineException;
import mmn.engine.mem.StateHasher;
import java.util.Map;
import java.util.TreeMap;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The state a guest driver keeps between callbacks, declared when it registers
 * ({@code {state: {seq: 0}}}) and reached as {@code ctx.state} in every callback. It lives
 * with the world, not in the guest: a snapshot copies it, restore brings it back, and the
 * explorer's state key hashes it, as it does a built-in strategy's counters. Values are
 * numbers, strings, booleans or null: plain data a copy can be trusted with.
 */
final class GuestState {
    private final String notifier;
    private final TreeMap<String, Object> values = new TreeMap<>();

    private GuestState(String notifier) {
        this.notifier = notifier;
    }

    static GuestState declared(String notifier, Value initial) {
        GuestState s = new GuestState(notifier);
        if (initial == null || initial.isNull()) return s;
        if (initial.hasHashEntries()) {
            Value it = initial.getHashKeysIterator();
            while (it.hasIteratorNextElement()) {
                Value k = it.getIteratorNextElement();
                s.put(k.asString(), initial.getHashValue(k));
            }
        } else if (initial.hasMembers()) {
            for (String k : initial.getMemberKeys()) s.put(k, initial.getMember(k));
        } else {
            throw new EngineException("notifier '" + notifier + "': state must be an object of named values", "{state: {seq: 0}}");
        }
        return s;
    }

    GuestState copy() {
        GuestState c = new GuestState(notifier);
        c.values.putAll(values);
        return c;
    }

    void hashInto(StateHasher h) {
        h.put(values.size());
        for (Map.Entry<String, Object> e : values.entrySet()) h.put(e.getKey()).put(String.valueOf(e.getValue()));
    }

    void put(String key, Value v) {
        Object o;
        if (v == null || v.isNull()) o = null;
        else if (v.isBoolean()) o = v.asBoolean();
        else if (v.isNumber() && v.fitsInLong()) o = v.asLong();
        else if (v.isNumber()) o = v.asDouble();
        else if (v.isString()) o = v.asString();
        else throw new EngineException("notifier '" + notifier + "': ctx.state." + key + " must be a number, string, boolean or null",
                "state lives with the world so snapshots and explore can copy it: keep plain values there");
        values.put(key, o);
    }

    /** The guest's view: reads and writes go to this state. */
    ProxyObject view() {
        return new ProxyObject() {
            @Override
            public Object getMember(String key) {
                return values.get(key);
            }

            @Override
            public Object getMemberKeys() {
                return values.keySet().toArray(new String[0]);
            }

            @Override
            public boolean hasMember(String key) {
                return values.containsKey(key);
            }

            @Override
            public void putMember(String key, Value value) {
                put(key, value);
            }
        };
    }
}
