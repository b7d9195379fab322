package mmn.polyglot;

import mmn.engine.World;
import mmn.engine.check.Violation;
import mmn.engine.device.Device;
import mmn.engine.mem.Space;
import mmn.engine.mem.Translation;
import mmn.engine.mem.TranslationCache;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.Subscriber;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mmn.engine.explore.Counterexample;
import mmn.engine.explore.Result;
import org.graalvm.polyglot.proxy.ProxyArray;
import org.graalvm.polyglot.proxy.ProxyObject;

/**
 * The world as plain guest values: objects of numbers, strings and booleans, and lists of
 * them, read with attribute access (r.kind, s.mappings[0].start) in JavaScript and Python
 * alike. Copies: changing them changes nothing in the world.
 */
final class Values {
    private Values() {}

    static ProxyObject object(Map<String, Object> m) {
        return ProxyObject.fromMap(m);
    }

    static ProxyArray list(List<?> l) {
        return ProxyArray.fromList(new ArrayList<>(l));
    }

    static ProxyObject space(World w, Space s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        List<Object> maps = new ArrayList<>();
        for (Vma v : s.vmas()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("start", v.start());
            o.put("end", v.end());
            o.put("prot", Vma.protString(v.prot()));
            o.put("anon", v.anon());
            o.put("file", v.file());
            o.put("shared", v.shared());
            o.put("huge", v.huge());
            o.put("hugetlb", v.hugetlb());
            maps.add(object(o));
        }
        m.put("mappings", list(maps));
        List<Object> subs = new ArrayList<>();
        for (Subscriber sub : w.subscribers(s)) subs.add(sub.name());
        m.put("notifiers", list(subs));
        return object(m);
    }

    static ProxyObject device(Device d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", d.name());
        m.put("kind", d.kind());
        m.put("space", d.space() == null ? null : d.space().name());
        m.put("failed", d.failed());
        m.put("blocked", d.blocked());
        m.put("faults", d.faults());
        Map<String, Object> caches = new LinkedHashMap<>();
        for (TranslationCache c : d.caches()) {
            List<Object> entries = new ArrayList<>();
            for (Translation t : c.entries()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("address", t.va());
                e.put("pfn", t.pfn());
                e.put("writable", t.writable());
                entries.add(object(e));
            }
            caches.put(c.label(), list(entries));
        }
        m.put("caches", object(caches));
        return object(m);
    }

    private static final Pattern ADDRESS = Pattern.compile("\\[(0x[0-9a-fA-F]+)");

    static ProxyObject violation(Violation v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", v.kind().label());
        m.put("device", v.device());
        Matcher a = v.entry() == null ? null : ADDRESS.matcher(v.entry());
        m.put("address", a != null && a.find() ? Long.decode(a.group(1)) : null);
        m.put("pfn", v.pfn() < 0 ? null : v.pfn());
        m.put("entry", v.entry());
        m.put("operation", v.operation());
        m.put("phase", v.phase());
        m.put("why", v.why());
        m.put("headline", v.headline());
        return object(m);
    }

    static List<Object> violations(List<Violation> vs) {
        List<Object> l = new ArrayList<>();
        for (Violation v : vs) l.add(violation(v));
        return l;
    }

    /** An explore's verdict, and its shortest counterexample's steps (null when coherent). */
    static ProxyObject explore(Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", r.verdict().name().toLowerCase());
        m.put("states", r.stats().distinctStates());
        Counterexample c = r.counterexample();
        if (c == null) {
            m.put("counterexample", null);
            return object(m);
        }
        Map<String, Object> cm = new LinkedHashMap<>();
        cm.put("violation", violation(c.violation()));
        List<Object> steps = new ArrayList<>();
        for (Counterexample.Step s : c.steps()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("n", s.n());
            sm.put("thread", s.thread());
            sm.put("phase", s.phase());
            sm.put("label", s.label());
            sm.put("hooks", list(s.hooks()));
            sm.put("violations", list(violations(s.violations())));
            steps.add(object(sm));
        }
        cm.put("steps", list(steps));
        cm.put("text", c.render());
        m.put("counterexample", object(cm));
        return object(m);
    }
}
