package mmn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import mmn.interp.Options;
import org.jline.reader.Candidate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Completion at each grammar position, from the parser's state and the live world. */
class ReplCompletionTest {
    private static ReplCommands repl;
    private static ReplCompleter completer;

    @BeforeAll
    static void world() {
        Options o = new Options();
        o.profile = "linux-3.19";
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        repl = new ReplCommands(o, sink, sink);
        for (String s : List.of("space A", "space B", "map A 0x400000 +64K rw anon", "device gpu ats", "device vm kvm",
                "bind gpu A", "bind vm B", "let base = 0x400000"))
            repl.entry(s);
        completer = new ReplCompleter(() -> repl.session());
    }

    /** value -> description of the candidates for the word after {@code before}. */
    private static Map<String, String> at(String before) {
        Map<String, String> m = new TreeMap<>();
        for (Candidate c : completer.candidates(before, "")) m.put(c.value(), c.descr());
        return m;
    }

    @Test
    void afterAfterThePhasesOfTheOperationBeingTyped() {
        Map<String, String> m = at("munmap A 0x400000 +4K { after ");
        assertTrue(m.keySet().containsAll(List.of("start", "clear", "end", "free")), m.toString());
        assertTrue(m.get("start").contains("invalidate_range_start"), m.get("start"));
        Map<String, String> cow = at("cow A 0x400000 { after ");
        assertTrue(!cow.containsKey("unlink-tables") && !cow.isEmpty(), cow.toString());
        // a second hook in the same block, on a later line
        assertTrue(at("munmap A 0x400000 +4K {\n  after start { print \"x\" }\n  after ").containsKey("free"));
    }

    @Test
    void afterOnTheHandlerEvents() {
        Map<String, String> m = at("notifier n on A for gpu {\n  on ");
        assertTrue(m.keySet().containsAll(List.of("start", "end", "range", "page", "release")), m.toString());
        assertTrue(m.get("page").contains("invalidate_page"), m.get("page"));
    }

    @Test
    void afterUsesOnlyTheStrategiesForThatDeviceKind() {
        Map<String, String> ats = at("notifier n on A for gpu uses ");
        assertTrue(ats.containsKey("empty-pt") && ats.containsKey("range"), ats.toString());
        assertTrue(!ats.containsKey("kvm") && !ats.containsKey("interval"), ats.toString());
        Map<String, String> kvm = at("notifier n on B for vm uses ");
        assertTrue(kvm.containsKey("kvm") && !kvm.containsKey("empty-pt"), kvm.toString());
    }

    @Test
    void afterProfileTheProfileNames() {
        Map<String, String> m = at("profile ");
        assertEquals(List.of("linux-3.16", "linux-3.19", "linux-4.15", "linux-6.5", "linux-6.8"), List.copyOf(m.keySet()));
        assertTrue(!m.get("linux-3.19").isEmpty());
    }

    @Test
    void afterExpectViolationTheKinds() {
        Map<String, String> m = at("expect violation ");
        assertTrue(m.keySet().containsAll(List.of("use-after-free", "stale-walk-cache", "lost-write", "protocol")), m.toString());
        Map<String, String> e = at("expect ");
        assertTrue(e.keySet().containsAll(List.of("coherent", "violation", "mapped", "dma")), e.toString());
    }

    @Test
    void afterDmaDevicesThenOnlyTheSpaceBoundToThatDevice() {
        Map<String, String> d = at("dma ");
        assertEquals(List.of("gpu", "vm"), List.copyOf(d.keySet()));
        assertTrue(d.get("gpu").contains("ats") && d.get("gpu").contains("bound to A"), d.get("gpu"));
        assertEquals(List.of("A"), List.copyOf(at("dma gpu ").keySet()));
        assertEquals(List.of("B"), List.copyOf(at("dma vm ").keySet()));
        assertEquals(List.of("read", "write"), List.copyOf(at("dma gpu A 0x400000 +4K ").keySet()));
    }

    @Test
    void atTheStartOfAStatementTheKeywordsWithTheirUsage() {
        Map<String, String> m = at("");
        assertTrue(m.keySet().containsAll(List.of("space", "munmap", "notifier", "explore")), m.toString());
        assertTrue(m.get("bind").contains("DEVICE SPACE"), m.get("bind"));
        assertTrue(at("space A\n").containsKey("map"));
        assertTrue(at("munmap A 0x400000 +4K { ").containsKey("after"));
    }

    @Test
    void optionalWordsAreOffered() {
        assertTrue(at("map A 0x500000 +4K rw ").keySet().containsAll(List.of("anon", "shared", "huge")));
        assertTrue(at("show ").keySet().containsAll(List.of("A", "gpu", "frames", "trace")));
    }

    @Test
    void nothingAfterAnErrorBeforeTheCaret() {
        assertTrue(at("bogus ").isEmpty());
    }

    @Test
    void theDeclaredNamesAndVariables() {
        assertEquals(List.of("gpu", "vm"), List.copyOf(at("bind ").keySet()));
        assertEquals(List.of("A", "B"), List.copyOf(at("touch ").keySet()));
        assertTrue(at("touch A ").containsKey("base"), at("touch A ").toString());
    }

    @Test
    void fileNamesAfterLoadAndInclude() {
        List<Candidate> load = completer.candidates(":load ", "src/test/resources/");
        List<Candidate> inc = completer.candidates("include ", "\"src/test/resources/");
        assertTrue(load.stream().anyMatch(c -> c.value().equals("src/test/resources/profiled.mmn")), load.toString());
        assertTrue(inc.stream().anyMatch(c -> c.value().equals("\"src/test/resources/profiled.mmn\"")), inc.toString());
    }

    @Test
    void colonCommands() {
        List<String> cmds = completer.candidates("", ":").stream().map(Candidate::value).toList();
        assertTrue(cmds.containsAll(List.of(":reset", ":save", ":trace", ":vars", ":list", ":profile", ":load")), cmds.toString());
    }
}
