package mmn.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import mmn.ast.Diagnostic;
import mmn.ast.Expr;
import mmn.ast.Name;
import mmn.ast.Pos;
import mmn.ast.RangeExpr;
import mmn.ast.Source;
import mmn.ast.Stmt;
import org.junit.jupiter.api.Test;

/**
 * The parser's own behaviour, below the end-to-end "every form parses" test
 * (tests/LanguageFormsTest): the fields and positions each statement is built with,
 * how `ADDR +SIZE` is told from `a + b`, operator precedence, hyphenated names, and
 * what a syntax error says, where, and whether the REPL should keep reading.
 */
class ScriptParserTest {
    static List<Stmt> parse(String text) {
        return ScriptParser.parse(Source.ofText("t.mmn", text)).body();
    }

    static Stmt one(String text) {
        List<Stmt> body = parse(text);
        assertEquals(1, body.size(), text);
        return body.get(0);
    }

    static ParseError error(String text) {
        return assertThrows(ParseError.class, () -> parse(text), text);
    }

    static Diagnostic first(String text) {
        return error(text).diagnostics().get(0);
    }

    /** line (1-based), col (0-based), length. */
    static void at(Pos p, int line, int col, int length) {
        assertEquals(List.of(line, col, length), List.of(p.line(), p.col(), p.length()), p.toString());
    }

    static long lit(Expr e) {
        return assertInstanceOf(Expr.Int.class, e).value();
    }

    static RangeExpr rangeArg(Stmt.Operation op, int i) {
        return assertInstanceOf(Stmt.RangeArg.class, op.args().get(i)).range();
    }

    // ---------------------------------------------------------------- positions

    @Test
    void aStatementSpansItsLineAndEachNameKnowsItsColumn() {
        List<Stmt> body = parse("space A\n  bind gpu A   # comment\n");
        assertEquals(2, body.size());
        Stmt.Bind b = assertInstanceOf(Stmt.Bind.class, body.get(1));
        at(b.pos(), 2, 2, "bind gpu A".length());
        at(b.device().pos(), 2, 7, 3);
        at(b.space().pos(), 2, 11, 1);
        assertEquals("t.mmn:2:3", b.pos().toString(), "Pos prints a 1-based column");
        assertEquals("gpu", b.device().text());
    }

    @Test
    void statementsSeparatedBySemicolonsKeepTheirOwnColumns() {
        List<Stmt> body = parse("space A; space B;space C");
        assertEquals(List.of(0, 9, 17), body.stream().map(s -> s.pos().col()).toList());
        assertEquals(List.of("A", "B", "C"), body.stream().map(s -> ((Stmt.SpaceDecl) s).name().text()).toList());
    }

    @Test
    void aMultiLineStatementsLengthRunsToTheEndOfItsFirstLine() {
        Stmt.Operation m = assertInstanceOf(Stmt.Operation.class,
                one("munmap A 0x400000 +4K {\n  after clear { print \"x\" }\n}"));
        at(m.pos(), 1, 0, "munmap A 0x400000 +4K {".length());
        Stmt.PhaseHook h = m.hooks().get(0);
        at(h.phase().pos(), 2, 8, 5);
        assertEquals("clear", h.phase().text());
        at(h.body().pos(), 2, 14, 1); // a block is placed at its '{'
        Stmt.Print p = assertInstanceOf(Stmt.Print.class, h.body().body().get(0));
        at(p.pos(), 2, 16, "print \"x\"".length());
    }

    @Test
    void aRangesPositionCoversStartAndSize() {
        Stmt.Operation m = assertInstanceOf(Stmt.Operation.class, one("munmap A 0x400000 +16K"));
        RangeExpr.Sized r = assertInstanceOf(RangeExpr.Sized.class, rangeArg(m, 1));
        at(r.pos(), 1, 9, "0x400000 +16K".length());
        at(r.size().pos(), 1, 19, 3); // the size without its '+'
        assertEquals(16 * 1024, lit(r.size()));
    }

    // ---------------------------------------------------------------- `ADDR +SIZE` versus `a + b`

    @Test
    void aPlusWithABlankBeforeAndNoneAfterStartsARangesSize() {
        Stmt.Touch t = assertInstanceOf(Stmt.Touch.class, one("touch A base +4K write"));
        RangeExpr.Sized r = assertInstanceOf(RangeExpr.Sized.class, t.range());
        assertEquals("base", assertInstanceOf(Expr.Var.class, r.start()).name());
        assertEquals(4096, lit(r.size()));
        assertEquals("write", t.access().text());
        // a tab counts as the blank before it
        assertInstanceOf(RangeExpr.Sized.class, ((Stmt.Touch) one("touch A base\t+4K write")).range());
    }

    @Test
    void blanksOnBothSidesOrNoneMakeAnAddition() {
        for (String text : List.of("touch A base + 4K write", "touch A base+4K write", "touch A base\t+ 4K write")) {
            Stmt.Touch t = assertInstanceOf(Stmt.Touch.class, one(text));
            RangeExpr.Point p = assertInstanceOf(RangeExpr.Point.class, t.range(), text);
            Expr.Binary add = assertInstanceOf(Expr.Binary.class, p.addr(), text);
            assertEquals('+', add.op());
            assertEquals(4096, lit(add.right()));
        }
    }

    @Test
    void aSizeRangeMayAddInsideItsStartAndItsSize() {
        RangeExpr.Sized r = assertInstanceOf(RangeExpr.Sized.class,
                ((Stmt.Touch) one("touch A base + 8K +2 pages write")).range());
        assertEquals('+', assertInstanceOf(Expr.Binary.class, r.start()).op());
        Expr.Pages pages = assertInstanceOf(Expr.Pages.class, r.size());
        assertEquals(2, lit(pages.count()));
    }

    @Test
    void spanAndPointRanges() {
        RangeExpr.Span s = assertInstanceOf(RangeExpr.Span.class, ((Stmt.Dma) one("dma gpu A 0x400000..0x402000 read")).range());
        assertEquals(0x400000, lit(s.start()));
        assertEquals(0x402000, lit(s.end()));
        RangeExpr.Point p = assertInstanceOf(RangeExpr.Point.class, ((Stmt.Dma) one("dma gpu A 0x400000 read")).range());
        assertEquals(0x400000, lit(p.addr()));
    }

    @Test
    void aRangeSizeWhereNoRangeCanStandIsAnErrorAtThePlus() {
        Diagnostic d = first("let x = 3 +4K");
        assertEquals("a range size '+SIZE' is not allowed here", d.message());
        at(d.pos(), 1, 10, 1); // on the '+', not on the blank the token starts with
        assertTrue(d.hint().contains("for an addition write 'a + b'"), d.hint());
    }

    // ---------------------------------------------------------------- expressions

    static Expr letValue(String expr) {
        return ((Stmt.Let) one("let x = " + expr)).value();
    }

    @Test
    void multiplicationBindsTighterThanAdditionAndBothAssociateLeft() {
        Expr.Binary add = assertInstanceOf(Expr.Binary.class, letValue("1 + 2 * 3"));
        assertEquals('+', add.op());
        assertEquals(1, lit(add.left()));
        Expr.Binary mul = assertInstanceOf(Expr.Binary.class, add.right());
        assertEquals('*', mul.op());

        Expr.Binary sub = assertInstanceOf(Expr.Binary.class, letValue("10 - 4 - 3"));
        assertEquals('-', sub.op());
        assertEquals(3, lit(sub.right()), "(10 - 4) - 3, not 10 - (4 - 3)");
        assertEquals('-', assertInstanceOf(Expr.Binary.class, sub.left()).op());

        Expr.Binary mod = assertInstanceOf(Expr.Binary.class, letValue("7 % 4 / 2"));
        assertEquals('/', mod.op());
        assertEquals('%', assertInstanceOf(Expr.Binary.class, mod.left()).op());
    }

    @Test
    void pagesBindTighterThanTimesAndParenthesesGroup() {
        Expr.Binary mul = assertInstanceOf(Expr.Binary.class, letValue("2 * 3 pages"));
        assertEquals('*', mul.op());
        assertEquals(3, lit(assertInstanceOf(Expr.Pages.class, mul.right()).count()));

        Expr.Pages p = assertInstanceOf(Expr.Pages.class, letValue("(n + 1) pages"));
        assertEquals('+', assertInstanceOf(Expr.Binary.class, p.count()).op());

        assertEquals(1, lit(assertInstanceOf(Expr.Pages.class, letValue("1 page")).count()));
    }

    @Test
    void unaryMinusBindsTighterThanTimes() {
        Expr.Binary mul = assertInstanceOf(Expr.Binary.class, letValue("-2 * 3"));
        assertEquals('*', mul.op());
        assertEquals(2, lit(assertInstanceOf(Expr.Neg.class, mul.left()).operand()));
    }

    @Test
    void literalsFoldToBytes() {
        assertEquals(0x400000, lit(letValue("0x40_0000")));
        assertEquals(1_000_000, lit(letValue("1_000_000")));
        assertEquals(4096, lit(letValue("4K")));
        assertEquals(2L << 20, lit(letValue("2M")));
        assertEquals(1L << 30, lit(letValue("1G")));
        assertEquals(0x10L << 10, lit(letValue("0x10K")));
        assertEquals(Long.MAX_VALUE, lit(letValue("0x7fffffffffffffff")));
    }

    @Test
    void literalsTooLargeForSixtyFourBitsAreRefusedNotWrapped() {
        Diagnostic d = first("let x = 0xffffffffffffffff");
        assertEquals("integer literal 0xffffffffffffffff is too large", d.message());
        at(d.pos(), 1, 8, 18);
        assertTrue(d.hint().contains("0x7fffffffffffffff"), d.hint());

        Diagnostic s = first("let x = 9000000000G");
        assertEquals("size 9000000000G is too large", s.message());
        assertTrue(s.hint().endsWith("8589934591G"), s.hint());
    }

    @Test
    void stringsUnescapeQuotesAndBackslashes() {
        Stmt.Print p = assertInstanceOf(Stmt.Print.class, one("print \"a \\\"b\\\" c\\\\d\" 4K"));
        assertEquals("a \"b\" c\\d", assertInstanceOf(Expr.Str.class, p.args().get(0)).value());
        assertEquals(4096, lit(p.args().get(1)));
    }

    // ---------------------------------------------------------------- names

    @Test
    void hyphensAndDotsStayInsideOneName() {
        assertEquals("linux-3.19", ((Stmt.Profile) one("profile linux-3.19")).name().text());
        assertEquals("my-space", ((Stmt.SpaceDecl) one("space my-space")).name().text());
        // `end-4K`-like text is one variable name, not a subtraction (docs/language.md)
        assertEquals("end-base", assertInstanceOf(Expr.Var.class, letValue("end-base")).name());
        Expr.Binary sub = assertInstanceOf(Expr.Binary.class, letValue("end - base"));
        assertEquals('-', sub.op());
    }

    @Test
    void hyphenatedKeywordsAreKeywords() {
        Stmt.Operation reap = assertInstanceOf(Stmt.Operation.class, one("oom-reap A"));
        assertEquals("oom-reap", reap.op());
        Stmt.SetRoot sr = assertInstanceOf(Stmt.SetRoot.class, one("set-root gpu empty"));
        assertEquals(List.of("gpu", "empty"), List.of(sr.device().text(), sr.root().text()));
        Stmt.Expect e = assertInstanceOf(Stmt.Expect.class, one("expect same-frame A 0x1000 B 0x2000"));
        assertEquals(Stmt.ExpectKind.SAME_FRAME, e.what());
        assertEquals(List.of("A", "B"), e.names().stream().map(Name::text).toList());
        assertEquals(List.of(0x1000L, 0x2000L), e.addrs().stream().map(ScriptParserTest::lit).toList());
    }

    @Test
    void keywordsMayNameSpacesDevicesAndPhasesButNotVariables() {
        Stmt.Bind b = assertInstanceOf(Stmt.Bind.class, one("bind flush map"));
        assertEquals(List.of("flush", "map"), List.of(b.device().text(), b.space().text()));
        Diagnostic d = first("let page = 1");
        at(d.pos(), 1, 4, 4);
        assertTrue(d.message().startsWith("unexpected 'page'"), d.message());
        assertEquals(Usage.of("let"), d.hint());
    }

    // ---------------------------------------------------------------- statement fields

    @Test
    void setKeepsTheNumberOrTheWord() {
        Stmt.Set n = assertInstanceOf(Stmt.Set.class, one("set gather-batch 2"));
        assertEquals("gather-batch", n.knob().text());
        assertEquals(2, lit(n.value()));
        assertNull(n.word());
        Stmt.Set w = assertInstanceOf(Stmt.Set.class, one("set arch arm64"));
        assertEquals("arm64", w.word().text());
        at(w.word().pos(), 1, 9, 5);
    }

    @Test
    void mapAttributesAndTheFileName() {
        Stmt.MapDecl m = assertInstanceOf(Stmt.MapDecl.class, one("map A 0x1000000 +1M r file \"libc.so\" shared"));
        assertEquals(List.of("r", "file", "shared"), m.attrs().stream().map(Name::text).toList());
        assertEquals("libc.so", m.file().value());
        at(m.file().pos(), 1, 27, "\"libc.so\"".length());
        assertNull(((Stmt.MapDecl) one("map A 0x400000 +64K rw anon")).file());
    }

    @Test
    void deviceOptions() {
        Stmt.DeviceDecl d = assertInstanceOf(Stmt.DeviceDecl.class,
                one("device gpu ats {\n  atc 64; walk-cache on\n  pri retries 8\n}"));
        assertEquals("ats", d.kind().text());
        List<Stmt.DeviceOption> o = d.options();
        assertEquals(3, o.size());
        assertEquals(64, lit(o.get(0).value()));
        assertFalse(o.get(0).retries());
        assertEquals("on", o.get(1).flag());
        assertNull(o.get(1).value());
        assertTrue(o.get(2).retries());
        assertEquals("pri", o.get(2).key().text());
        assertEquals(8, lit(o.get(2).value()));
        at(o.get(2).pos(), 3, 2, "pri retries 8".length());
    }

    @Test
    void notifierWithAStrategyOrWithHandlers() {
        Stmt.NotifierDecl u = assertInstanceOf(Stmt.NotifierDecl.class, one("notifier n1 on A for gpu uses range"));
        assertEquals(List.of("n1", "A", "gpu", "range"),
                List.of(u.name().text(), u.space().text(), u.device().text(), u.strategy().text()));
        assertNull(u.handlers());

        Stmt.NotifierDecl h = assertInstanceOf(Stmt.NotifierDecl.class,
                one("notifier n2 for gpu {\n  on start(r) { flush gpu r }\n  on release { detach gpu }\n}"));
        assertNull(h.space(), "a driver file leaves out `on SPACE`");
        assertNull(h.strategy());
        assertEquals(List.of("start", "release"), h.handlers().stream().map(x -> x.event().text()).toList());
        assertEquals("r", h.handlers().get(0).param().text());
        assertNull(h.handlers().get(1).param());
        Stmt.Flush f = assertInstanceOf(Stmt.Flush.class, h.handlers().get(0).body().body().get(0));
        assertEquals("r", assertInstanceOf(Expr.Var.class, assertInstanceOf(RangeExpr.Point.class, f.range()).addr()).name());
        assertNull(((Stmt.Flush) one("flush gpu all")).range(), "flush all has no range");
    }

    @Test
    void operationsKeepTheirOperandsInOrder() {
        Stmt.Operation mr = assertInstanceOf(Stmt.Operation.class, one("mremap A 0x400000 +16K to 0x900000"));
        assertEquals("mremap", mr.op());
        assertEquals(3, mr.args().size(), "the keyword `to` is no operand");
        assertEquals("A", assertInstanceOf(Stmt.NameArg.class, mr.args().get(0)).name().text());
        assertInstanceOf(RangeExpr.Sized.class, rangeArg(mr, 1));
        assertEquals(0x900000, lit(assertInstanceOf(Stmt.AddrArg.class, mr.args().get(2)).addr()));

        Stmt.Operation ksm = assertInstanceOf(Stmt.Operation.class, one("ksm A 0x402000 B 0x403000"));
        assertEquals(List.of(Stmt.NameArg.class, Stmt.AddrArg.class, Stmt.NameArg.class, Stmt.AddrArg.class),
                ksm.args().stream().map(Object::getClass).toList());

        Stmt.Operation fork = assertInstanceOf(Stmt.Operation.class, one("fork A B"));
        assertEquals(List.of("A", "B"), fork.args().stream().map(a -> ((Stmt.NameArg) a).name().text()).toList());

        Stmt.Operation mp = assertInstanceOf(Stmt.Operation.class, one("mprotect A 0x400000 +4K r"));
        assertEquals("r", assertInstanceOf(Stmt.NameArg.class, mp.args().get(2)).name().text());
    }

    @Test
    void expectationsCarryTheirFields() {
        Stmt.Expect f = assertInstanceOf(Stmt.Expect.class, one("expect faults gpu <= 2 * 5"));
        assertEquals(Stmt.ExpectKind.FAULTS, f.what());
        assertEquals("<=", f.cmp());
        assertEquals('*', assertInstanceOf(Expr.Binary.class, f.value()).op());

        Stmt.Expect v = assertInstanceOf(Stmt.Expect.class, one("expect violation use-after-free { munmap A 0x400000 +4K }"));
        assertEquals("use-after-free", v.kind().text());
        at(v.kind().pos(), 1, 17, "use-after-free".length());
        assertEquals(1, v.body().body().size());

        Stmt.Expect c = assertInstanceOf(Stmt.Expect.class, one("expect coherent"));
        assertNull(c.body(), "a bare `expect coherent` checks now");

        Stmt.Expect dma = assertInstanceOf(Stmt.Expect.class, one("expect dma gpu A 0x400000 +8K write invalid"));
        assertEquals(List.of("gpu", "A", "write", "invalid"), dma.names().stream().map(Name::text).toList());
        assertInstanceOf(RangeExpr.Sized.class, dma.range());
    }

    @Test
    void exploreThreadsAndVerdict() {
        Stmt.Explore e = assertInstanceOf(Stmt.Explore.class,
                one("explore { munmap A 0x400000 +4K } with { dma gpu A 0x400000 read } with { flush gpu all } expect violation stale-translation"));
        assertEquals(1, e.ops().body().size());
        assertEquals(2, e.threads().size());
        assertFalse(e.expect().coherent());
        assertEquals("stale-translation", e.expect().kind().text());
        assertTrue(((Stmt.Explore) one("explore { fork A B } with { dma gpu A 0 read } expect coherent")).expect().coherent());
        assertNull(((Stmt.Explore) one("explore { fork A B } with { dma gpu A 0 read }")).expect());
    }

    @Test
    void elseIfChainsNestAsTheOtherwiseBranch() {
        Stmt.If i = assertInstanceOf(Stmt.If.class, one("if x < 1 { print 1 } else if x >= 2 { print 2 } else { print 3 }"));
        assertEquals("<", i.cond().op());
        Stmt.If inner = assertInstanceOf(Stmt.If.class, i.otherwise());
        assertEquals(">=", inner.cond().op());
        assertInstanceOf(Stmt.Block.class, inner.otherwise());
        assertNull(((Stmt.If) one("if 1 == 1 { print 1 }")).otherwise());
    }

    @Test
    void loopsAndInclude() {
        Stmt.For f = assertInstanceOf(Stmt.For.class, one("for i in 0..n * 2 { touch A i write }"));
        assertEquals("i", f.var().text());
        assertEquals(0, lit(f.from()));
        assertEquals('*', assertInstanceOf(Expr.Binary.class, f.to()).op());
        Stmt.Repeat r = assertInstanceOf(Stmt.Repeat.class, one("repeat 3 { }"));
        assertEquals(3, lit(r.count()));
        assertTrue(r.body().body().isEmpty());
        assertEquals("lib/common.mmn", ((Stmt.Include) one("include \"lib/common.mmn\"")).path().value());
    }

    // ---------------------------------------------------------------- errors

    @Test
    void aTypoInAKeywordSuggestsTheKeywordAndItsUsage() {
        Diagnostic d = first("space A\n  munmp A 0x400000 +4K\n");
        assertEquals("expected a statement, found 'munmp'", d.message());
        at(d.pos(), 2, 2, 5);
        assertEquals("did you mean 'munmap'? " + Usage.of("munmap"), d.hint());
        // a word nothing like a keyword lists them all
        assertTrue(first("zzzzzzzz").hint().startsWith("statements: profile, memory, set"), first("zzzzzzzz").hint());
    }

    @Test
    void aMissingWordIsReportedAtWhatCameInsteadWithTheStatementsUsage() {
        Diagnostic d = first("bind gpu\nspace A");
        assertEquals("unexpected end of line: expected a name", d.message());
        at(d.pos(), 1, 8, 1);
        assertEquals(Usage.of("bind"), d.hint());
    }

    @Test
    void badNumbersNameTheValidSuffixes() {
        Diagnostic d = first("memory 4KB");
        assertEquals("'4KB' is not a number or a size", d.message());
        at(d.pos(), 1, 7, 3);
        assertTrue(d.hint().startsWith("sizes end in K, M or G"), d.hint());
    }

    @Test
    void badCharactersAndControlBytes() {
        Diagnostic d = first("space A @");
        assertEquals("unexpected character '@'", d.message());
        at(d.pos(), 1, 8, 1);
        Diagnostic c = first("space A\u0001");
        assertEquals("unexpected control character U+0001", c.message());
        Diagnostic s = first("print \"abc");
        assertEquals("unterminated string", s.message());
        at(s.pos(), 1, 6, 1);
    }

    @Test
    void everyErrorIsCollectedInSourceOrder() {
        ParseError e = error("space A\nbind gpu\nlet = 1\nspace A @\n");
        List<Integer> lines = e.diagnostics().stream().map(d -> d.pos().line()).toList();
        assertEquals(List.of(2, 3, 4), lines, e.diagnostics().toString());
        assertEquals(e.diagnostics().get(0).message(), e.getMessage());
    }

    // ---------------------------------------------------------------- the REPL's "keep typing" rule

    @Test
    void anOpenBlockAtTheEndIsIncompleteAndPointsAfterTheLastCharacter() {
        ParseError e = error("space A\nmunmap A 0x400000 +4K {\n  after clear {\n\n\n");
        assertTrue(e.incomplete(), "the next line may close the block");
        Diagnostic d = e.diagnostics().get(0);
        assertEquals("unexpected end of input: a '{' is still open", d.message());
        at(d.pos(), 3, "  after clear {".length(), 1); // trailing blank lines skipped
        assertEquals(Usage.of("munmap"), d.hint());

        assertTrue(error("device gpu ats {").incomplete());
        assertTrue(error("notifier n on A {\n on start(r) {").incomplete());
        ParseError inIf = error("if 1 == 1 {");
        assertTrue(inIf.incomplete());
        // inside a block's statements too many tokens could come next to list: the open brace is what is said
        assertEquals("unexpected end of input: a '{' is still open", inIf.diagnostics().get(0).message());
    }

    @Test
    void aStatementMissingAWordOrAnUnfinishedExpressionIsAnErrorAtOnce() {
        assertFalse(error("bind gpu").incomplete());
        assertFalse(error("let x = (1 +").incomplete(), "an expression ends with its line");
        assertFalse(error("munmap A").incomplete());
    }

    @Test
    void anOpenBlockAfterAnErrorElsewhereIsNotIncomplete() {
        ParseError e = error("bind gpu\nmunmap A 0x400000 +4K {");
        assertFalse(e.incomplete(), "the error on line 1 will not go away with more lines");
        assertEquals(List.of(1, 2), e.diagnostics().stream().map(d -> d.pos().line()).toList());
    }

    @Test
    void aStrayClosingBraceIsAnErrorNotIncomplete() {
        ParseError e = error("space A }");
        assertFalse(e.incomplete());
        at(e.diagnostics().get(0).pos(), 1, 8, 1);
    }

    @Test
    void nestingDeeperThanTheLimitIsRefusedAtTheBracketThatOpensOneTooMany() {
        String text = "let x = " + "(".repeat(ScriptParser.MAX_NESTING + 1) + "1" + ")".repeat(ScriptParser.MAX_NESTING + 1);
        Diagnostic d = first(text);
        assertTrue(d.message().startsWith("the script nests too deeply"), d.message());
        at(d.pos(), 1, 8 + ScriptParser.MAX_NESTING, 1);
        // at the limit it parses
        String ok = "let x = " + "(".repeat(ScriptParser.MAX_NESTING) + "1" + ")".repeat(ScriptParser.MAX_NESTING);
        assertEquals(1, lit(((Stmt.Let) one(ok)).value()));
    }
}
