package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering the build enforces beyond Maven's module arrows: no class-level dependency
 * cycle may span two packages. jdeps (shipped with the JDK) lists every class-to-class
 * dependency of the compiled grammar, engine, interpreter and CLI; a cycle inside one
 * package is a package's own business, a cycle across packages means two packages can only
 * be read (and changed) together.
 *
 * <p>{@link #KNOWN} lists the classes of cross-package cycles that were there when this
 * check came in and are still being cut (issue 8); the list may only shrink: a class that
 * leaves every cycle must leave the list too, a class that joins one fails the build.
 */
class PackageCyclesTest {
    /** Classes still in a cross-package cycle. Remove names as cycles are cut; never add. */
    static final Set<String> KNOWN = new TreeSet<>(List.<String>of());

    static Map<String, Set<String>> graph;

    @BeforeAll
    static void runJdeps() throws Exception {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("jdeps is missing from this JDK"));
        List<String> args = new ArrayList<>(List.of("-verbose:class", "-filter:none"));
        for (Class<?> c : List.of(mmn.parse.ScriptParser.class, mmn.engine.World.class, mmn.interp.Session.class, mmn.cli.Main.class))
            args.add(location(c));
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()), args.toArray(String[]::new));
        assertEquals(0, rc, "jdeps failed: " + out);
        graph = parse(out.toString());
        assertTrue(graph.containsKey("mmn.engine.World"), "jdeps listed no dependency of mmn.engine.World:\n" + out);
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static final Pattern EDGE = Pattern.compile("^\\s+(mmn\\.[\\w.$]+)\\s+->\\s+(mmn\\.[\\w.$]+)\\s", Pattern.MULTILINE);

    /** Class -> classes it uses; a nested class counts as its top-level class. */
    static Map<String, Set<String>> parse(String jdepsOutput) {
        Map<String, Set<String>> g = new TreeMap<>();
        Matcher m = EDGE.matcher(jdepsOutput);
        while (m.find()) {
            String from = topLevel(m.group(1)), to = topLevel(m.group(2));
            g.computeIfAbsent(from, k -> new TreeSet<>());
            g.computeIfAbsent(to, k -> new TreeSet<>());
            if (!from.equals(to)) g.get(from).add(to);
        }
        return g;
    }

    static String topLevel(String cls) {
        int d = cls.indexOf('$');
        return d < 0 ? cls : cls.substring(0, d);
    }

    static String pkg(String cls) {
        return cls.substring(0, cls.lastIndexOf('.'));
    }

    /** Strongly connected components with more than one class (Tarjan, iterative). */
    static List<Set<String>> cycles(Map<String, Set<String>> g) {
        Map<String, Integer> index = new HashMap<>(), low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<Set<String>> out = new ArrayList<>();
        int[] next = {0};
        for (String root : g.keySet()) {
            if (index.containsKey(root)) continue;
            Deque<Object[]> work = new ArrayDeque<>();
            work.push(new Object[] {root, g.get(root).iterator()});
            index.put(root, next[0]); low.put(root, next[0]++); stack.push(root); onStack.add(root);
            while (!work.isEmpty()) {
                Object[] top = work.peek();
                String v = (String) top[0];
                @SuppressWarnings("unchecked") java.util.Iterator<String> it = (java.util.Iterator<String>) top[1];
                if (it.hasNext()) {
                    String w = it.next();
                    if (!index.containsKey(w)) {
                        index.put(w, next[0]); low.put(w, next[0]++); stack.push(w); onStack.add(w);
                        work.push(new Object[] {w, g.get(w).iterator()});
                    } else if (onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                } else {
                    work.pop();
                    if (!work.isEmpty()) {
                        String parent = (String) work.peek()[0];
                        low.put(parent, Math.min(low.get(parent), low.get(v)));
                    }
                    if (low.get(v).equals(index.get(v))) {
                        Set<String> comp = new TreeSet<>();
                        String w;
                        do { w = stack.pop(); onStack.remove(w); comp.add(w); } while (!w.equals(v));
                        if (comp.size() > 1) out.add(comp);
                    }
                }
            }
        }
        return out;
    }

    static List<Set<String>> crossPackageCycles(Map<String, Set<String>> g) {
        List<Set<String>> out = new ArrayList<>();
        for (Set<String> c : cycles(g)) if (c.stream().map(PackageCyclesTest::pkg).distinct().count() > 1) out.add(c);
        return out;
    }

    @Test
    void noNewClassJoinsACycleAcrossPackages() {
        List<String> offenders = new ArrayList<>();
        for (Set<String> c : crossPackageCycles(graph))
            for (String cls : c) if (!KNOWN.contains(cls)) offenders.add(cls);
        assertTrue(offenders.isEmpty(), "classes in a dependency cycle that spans packages: " + offenders
                + "\ncycles: " + crossPackageCycles(graph) + "\nbreak the cycle (an interface in the lower package, a narrower parameter); do not widen KNOWN");
    }

    @Test
    void theKnownListOnlyShrinks() {
        Set<String> still = new TreeSet<>();
        for (Set<String> c : crossPackageCycles(graph)) still.addAll(c);
        Set<String> stale = new TreeSet<>(KNOWN);
        stale.removeAll(still);
        assertTrue(stale.isEmpty(), "no longer in any cross-package cycle, remove from KNOWN: " + stale);
    }

    @Test
    void theCheckSeesACycleAcrossPackages() {
        // the detector itself: a two-package loop is found, a one-package loop is not reported
        Map<String, Set<String>> g = parse("""
                   a.x.A -> a.y.B   one.jar
                   a.y.B -> a.x.A$Inner   one.jar
                   a.x.C -> a.x.D   one.jar
                   a.x.D -> a.x.C   one.jar
                """.replace("a.", "mmn.a."));
        assertEquals(List.of(Set.of("mmn.a.x.A", "mmn.a.y.B")), crossPackageCycles(g));
    }
}
