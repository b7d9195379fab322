package mmn.interp;

import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;


/** Script values: integers, address ranges (handler parameters) and strings. */
final class Value {
    private Value() {}

    static String show(Object v) {
        if (v instanceof Long l) return l >= 4096 && Addr.pageAligned(l) ? Addr.hex(l) : Long.toString(l);
        if (v instanceof Range r) return r.toString();
        return String.valueOf(v);
    }

    static String typeName(Object v) {
        if (v instanceof Long) return "an integer";
        if (v instanceof Range) return "a range";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a condition";
        return "nothing";
    }
}
