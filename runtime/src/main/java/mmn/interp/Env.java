package mmn.interp;

import java.util.HashMap;
import java.util.Map;

/** Variables: a chain of scopes. `let` defines in the innermost scope; lookups walk outwards. */
final class Env {
    private final Env parent;
    /** Made on the first `let`: a loop iteration's scope usually defines one variable or none. */
    private Map<String, Object> vars = Map.of();

    Env(Env parent) {
        this.parent = parent;
    }

    Object get(String name) {
        for (Env e = this; e != null; e = e.parent) {
            Object v = e.vars.get(name);
            if (v != null) return v;
        }
        return null;
    }

    void define(String name, Object value) {
        if (vars.isEmpty()) vars = new HashMap<>(4);
        vars.put(name, value);
    }

    /** The variables of this scope (not its parents'), for the REPL's undo. */
    Map<String, Object> save() {
        return new HashMap<>(vars);
    }

    void restore(Map<String, Object> saved) {
        vars = new HashMap<>(saved);
    }

    java.util.Set<String> names() {
        java.util.Set<String> all = new java.util.TreeSet<>();
        for (Env e = this; e != null; e = e.parent) all.addAll(e.vars.keySet());
        return all;
    }
}
