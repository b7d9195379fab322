package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import mmn.ast.Expr;
import mmn.ast.RangeExpr;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.engine.profile.Operations;
import mmn.interp.Outcome;
import mmn.parse.ScriptParser;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Every form of shared/spec/language.md parses into the statement it names; the runnable ones run. */
class LanguageFormsTest {
    /** Each listed form of language.md, with the statement class it must parse to. */
    static final List<Object[]> FORMS = List.of(
            form("profile linux-3.19", Stmt.Profile.class),
            form("memory 64M", Stmt.Memory.class),
            form("set gather-batch 2", Stmt.Set.class),
            form("set storm-threshold 64", Stmt.Set.class),
            form("space A", Stmt.SpaceDecl.class),
            form("map A 0x400000 +64K rw anon", Stmt.MapDecl.class),
            form("map A 0x800000 +2M rw anon huge", Stmt.MapDecl.class),
            form("map A 0x1000000 +1M r file \"libc.so\" shared", Stmt.MapDecl.class),
            form("device gpu ats { atc 64; walk-cache on; pri retries 8 }", Stmt.DeviceDecl.class),
            form("bind gpu A", Stmt.Bind.class),
            form("notifier n1 on A for gpu uses range", Stmt.NotifierDecl.class),
            form("notifier n2 on A for gpu {\n  on start(r)   { flush gpu r; block gpu }\n  on end(r)     { unblock gpu }\n"
                    + "  on range(r)   { flush gpu r }\n  on release    { detach gpu }\n}", Stmt.NotifierDecl.class),
            form("notifier n3 on A for gpu {\n on page(r) { flush gpu all }\n on change-pte(r) { set-root gpu empty }\n"
                    + " on clear-young(r) { set-root gpu A; print \"young\" r }\n on start(r) { let x = 1; if x == 1 { flush gpu r } }\n}",
                    Stmt.NotifierDecl.class),
            form("unregister n1", Stmt.Unregister.class),
            form("touch A 0x400000 write", Stmt.Touch.class),
            form("dma gpu A 0x400000 read", Stmt.Dma.class),
            form("dma gpu A 0x400000 +16K write", Stmt.Dma.class),
            form("munmap A 0x400000 +16K", Stmt.Operation.class),
            form("dontneed A 0x400000 +16K", Stmt.Operation.class),
            form("mprotect A 0x400000 +4K r", Stmt.Operation.class),
            form("migrate A 0x401000", Stmt.Operation.class),
            form("ksm A 0x402000 B 0x402000", Stmt.Operation.class),
            form("split A 0x800000", Stmt.Operation.class),
            form("collapse A 0x800000", Stmt.Operation.class),
            form("fork A B", Stmt.Operation.class),
            form("cow A 0x400000", Stmt.Operation.class),
            form("reclaim A 0x403000", Stmt.Operation.class),
            form("uprobe A 0x404000", Stmt.Operation.class),
            form("remap A 0x405000 +8K", Stmt.Operation.class),
            form("mremap A 0x400000 +16K to 0x900000", Stmt.Operation.class),
            form("age A 0x400000", Stmt.Operation.class),
            form("oom-reap A", Stmt.Operation.class),
            form("exit A", Stmt.Operation.class),
            form("munmap A 0x400000 +4K {\n  after clear { dma gpu A 0x400000 read }\n  after free  { dma gpu A 0x400000 read }\n}",
                    Stmt.Operation.class),
            form("expect coherent", Stmt.Expect.class),
            form("expect violation use-after-free { munmap A 0x400000 +4K }", Stmt.Expect.class),
            form("expect failed gpu", Stmt.Expect.class),
            form("expect healthy gpu", Stmt.Expect.class),
            form("expect faults gpu <= 10", Stmt.Expect.class),
            form("expect same-frame A 0x402000 B 0x402000", Stmt.Expect.class),
            form("expect different-frame A 0x402000 B 0x402000", Stmt.Expect.class),
            form("expect mapped A 0x400000", Stmt.Expect.class),
            form("expect unmapped A 0x400000", Stmt.Expect.class),
            form("expect dma gpu A 0x400000 +8K write invalid", Stmt.Expect.class),
            form("explore { munmap A 0x400000 +4K } with { dma gpu A 0x400000 read; dma gpu A 0x400000 write }",
                    Stmt.Explore.class),
            form("explore { munmap A 0x400000 +4K } with { dma gpu A 0x400000 read } expect violation stale-translation",
                    Stmt.Explore.class),
            form("show A", Stmt.Show.class),
            form("show gpu", Stmt.Show.class),
            form("show frames", Stmt.Show.class),
            form("show trace", Stmt.Show.class),
            form("let base = 0x400000", Stmt.Let.class),
            form("for i in 0..16 { touch A base + i * 4K write }", Stmt.For.class),
            form("repeat 100 { migrate A base }", Stmt.Repeat.class),
            form("include \"common.mmn\"", Stmt.Include.class));

    private static Object[] form(String text, Class<?> type) {
        return new Object[] {text, type};
    }

    static List<Stmt> parse(String text) {
        return ScriptParser.parse(Source.ofText("t.mmn", text)).body();
    }

    @TestFactory
    Stream<DynamicTest> everyFormParsesToItsStatement() {
        return FORMS.stream().map(f -> DynamicTest.dynamicTest((String) f[0], () -> {
            List<Stmt> body = parse((String) f[0]);
            assertEquals(1, body.size());
            assertInstanceOf((Class<?>) f[1], body.get(0));
        }));
    }

    @Test
    void allFormsTogetherInOneScriptParseWithCommentsAndSemicolons() {
        StringBuilder b = new StringBuilder("# a comment\n// another\n");
        for (Object[] f : FORMS) b.append(f[0]).append("   # trailing comment\n\n");
        b.append("space X; space Y\n");
        assertEquals(FORMS.size() + 2, parse(b.toString()).size());
    }

    @Test
    void rangesAndSizes() {
        Stmt.Operation m = (Stmt.Operation) parse("munmap A 0x40_0000 +4 pages").get(0);
        RangeExpr.Sized r = assertInstanceOf(RangeExpr.Sized.class, ((Stmt.RangeArg) m.args().get(1)).range());
        assertEquals(0x400000L, ((Expr.Int) r.start()).value());
        assertInstanceOf(Expr.Pages.class, r.size());

        Stmt.Operation span = (Stmt.Operation) parse("munmap A 0x400000..0x410000").get(0);
        assertInstanceOf(RangeExpr.Span.class, ((Stmt.RangeArg) span.args().get(1)).range());

        Stmt.Memory mem = (Stmt.Memory) parse("memory 2G").get(0);
        assertEquals(2L << 30, ((Expr.Int) mem.size()).value());

        // a '+' with blanks on both sides (or none) is an addition, not a range size
        Stmt.Touch t = (Stmt.Touch) parse("touch A base + i * 4K write").get(0);
        RangeExpr.Point p = assertInstanceOf(RangeExpr.Point.class, t.range());
        Expr.Binary sum = assertInstanceOf(Expr.Binary.class, p.addr());
        assertEquals('+', sum.op());
        assertInstanceOf(Expr.Binary.class, sum.right()); // i * 4K binds tighter
    }

    @Test
    void setKeepsAWordValueAndProfileNamesAreOneWord() {
        Stmt.Set s = (Stmt.Set) parse("set arch arm64").get(0);
        assertEquals("arm64", s.word().text());
        Stmt.Profile p = (Stmt.Profile) parse("profile linux-6.8").get(0);
        assertEquals("linux-6.8", p.name().text());
    }

    @Test
    void notifierHandlersAndDeviceOptions() {
        Stmt.NotifierDecl n = (Stmt.NotifierDecl) parse(
                "notifier n2 on A for gpu {\n on start(r) { flush gpu r; block gpu }\n on release { detach gpu }\n}").get(0);
        assertNull(n.strategy());
        assertEquals(List.of("start", "release"), n.handlers().stream().map(h -> h.event().text()).toList());
        assertEquals("r", n.handlers().get(0).param().text());
        assertEquals(2, n.handlers().get(0).body().body().size());

        Stmt.DeviceDecl d = (Stmt.DeviceDecl) parse("device gpu ats { atc 64; walk-cache on; pri retries 8 }").get(0);
        assertEquals(3, d.options().size());
        assertTrue(d.options().get(2).retries());
        assertEquals("on", d.options().get(1).flag());
        assertNotNull(d.options().get(0).value());
    }

    /**
     * Every operation either runs (its engine part exists) or stops with "not supported
     * yet: operation 'X'" and exit 2, never anything else.
     */
    @TestFactory
    Stream<DynamicTest> operationsRunOrSayNotSupportedYet(@TempDir Path dir) {
        String prelude = "profile linux-3.19\nspace A\nspace B\nmap A 0x400000 +2M rw anon\nmap B 0x400000 +64K rw anon\n"
                + "touch A 0x400000 +16K write\ntouch B 0x402000 write\n";
        return FORMS.stream().filter(f -> f[1] == Stmt.Operation.class && !((String) f[0]).contains("{")).map(f -> {
            String text = (String) f[0];
            String op = text.split(" ")[0];
            return DynamicTest.dynamicTest(text, () -> {
                String body = op.equals("fork") ? "fork A C" : text;
                Run r = Run.text(dir, op + ".mmn", prelude + body + "\n");
                if (Operations.exists(op)) {
                    assertFalse(r.err().contains("not supported yet"), r.err());
                    assertFalse(r.err().contains("internal error"), r.err());
                } else {
                    assertEquals(Outcome.ERROR, r.outcome());
                    assertTrue(r.err().contains("not supported yet: operation '" + op + "'"), r.err());
                }
            });
        });
    }

    @Test
    void includeRunsAFileRelativeToTheIncludingOneInTheSameWorld(@TempDir Path dir) throws Exception {
        Run.text(dir, "lib/setup.mmn", "let base = 0x400000\nspace A\nmap A base +64K rw anon\n");
        Run r = Run.text(dir, "main.mmn", "include \"lib/setup.mmn\"\ntouch A base write\nexpect mapped A base\n");
        assertEquals(Outcome.OK, r.outcome(), r.err());
        assertTrue(r.out().contains("expect mapped A base"), r.out());
        // an error inside the included file names that file
        Run.text(dir, "lib/bad.mmn", "space A\nmunmap A 0x400100 +4K\n");
        Run bad = Run.text(dir, "main2.mmn", "include \"lib/bad.mmn\"\n");
        assertEquals(Outcome.ERROR, bad.outcome());
        assertTrue(bad.err().contains("bad.mmn:2:10: error: a range start must be page aligned"), bad.err());
    }
}
