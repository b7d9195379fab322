package mmn.parse;

import java.util.ArrayList;
import java.util.List;
import mmn.ast.Expr;
import mmn.ast.Name;
import mmn.ast.Pos;
import mmn.ast.RangeExpr;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.parse.MmnParser.*;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/** Turns ANTLR's parse tree into the immutable AST; nothing downstream sees ANTLR classes. */
final class AstBuilder extends MmnBaseVisitor<Object> {
    private final Source source;

    AstBuilder(Source source) {
        this.source = source;
    }

    // ---------------------------------------------------------------- positions

    Pos pos(Token t) {
        return new Pos(source, t.getLine(), t.getCharPositionInLine(), Math.max(1, t.getText().length()));
    }

    /** From the first token to the last one if it is on the same line, else to the end of the first line. */
    Pos pos(ParserRuleContext c) {
        Token a = c.getStart();
        Token b = c.getStop() == null ? a : c.getStop();
        int len;
        if (b.getLine() == a.getLine()) {
            len = b.getCharPositionInLine() + b.getText().length() - a.getCharPositionInLine();
            // a SIZE_PLUS token carries the blanks before its '+'
        } else {
            len = source.line(a.getLine()).length() - a.getCharPositionInLine();
        }
        return new Pos(source, a.getLine(), a.getCharPositionInLine(), Math.max(1, len));
    }

    Name name(IdentContext c) {
        return c == null ? null : new Name(pos(c), c.getText());
    }

    Name name(Token t) {
        return t == null ? null : new Name(pos(t), t.getText());
    }

    // ---------------------------------------------------------------- script and blocks

    List<Stmt> statements(List<StatementContext> cs) {
        List<Stmt> out = new ArrayList<>(cs.size());
        for (StatementContext c : cs) out.add(stmt(c));
        return List.copyOf(out);
    }

    Stmt stmt(StatementContext c) {
        return (Stmt) visit(c);
    }

    Stmt.Block block(BlockContext c) {
        return c == null ? null : new Stmt.Block(pos(c.getStart()), statements(c.statement()));
    }

    @Override
    public Object visitBlockStmtGroup(BlockStmtGroupContext c) {
        return block(c.block());
    }

    // ---------------------------------------------------------------- declarations

    @Override
    public Object visitProfileStmt(ProfileStmtContext c) {
        return new Stmt.Profile(pos(c), name(c.ident()));
    }

    @Override
    public Object visitMemoryStmt(MemoryStmtContext c) {
        return new Stmt.Memory(pos(c), expr(c.expr()));
    }

    @Override
    public Object visitSetStmt(SetStmtContext c) {
        Expr value = c.expr() == null ? null : expr(c.expr());
        Name word = c.ident().size() > 1 ? name(c.ident(1)) : null;
        // `set arch arm64` parses its value as a variable: keep the word too.
        if (value instanceof Expr.Var v) word = new Name(v.pos(), v.name());
        return new Stmt.Set(pos(c), name(c.ident(0)), value, word);
    }

    @Override
    public Object visitSpaceStmt(SpaceStmtContext c) {
        return new Stmt.SpaceDecl(pos(c), name(c.ident()));
    }

    @Override
    public Object visitMapStmt(MapStmtContext c) {
        List<Name> attrs = new ArrayList<>();
        Expr.Str file = null;
        for (MapAttrContext a : c.mapAttr()) {
            if (a.STRING() != null) {
                file = string(a.STRING().getSymbol());
                attrs.add(new Name(pos(a.getStart()), "file"));
            } else {
                attrs.add(name(a.ident()));
            }
        }
        return new Stmt.MapDecl(pos(c), name(c.ident()), range(c.range()), List.copyOf(attrs), file);
    }

    @Override
    public Object visitDeviceStmt(DeviceStmtContext c) {
        List<Stmt.DeviceOption> opts = new ArrayList<>();
        if (c.deviceBody() != null) {
            for (DeviceOptionContext o : c.deviceBody().deviceOption()) {
                opts.add(new Stmt.DeviceOption(pos(o), name(o.key), o.retries != null,
                        o.expr() == null ? null : expr(o.expr()), o.onOff == null ? null : o.onOff.getText()));
            }
        }
        return new Stmt.DeviceDecl(pos(c), name(c.ident(0)), name(c.kind), List.copyOf(opts));
    }

    @Override
    public Object visitBindStmt(BindStmtContext c) {
        return new Stmt.Bind(pos(c), name(c.dev), name(c.space));
    }

    @Override
    public Object visitNotifierStmt(NotifierStmtContext c) {
        List<Stmt.Handler> hs = new ArrayList<>();
        if (c.handlers() != null) {
            for (HandlerContext h : c.handlers().handler()) {
                hs.add(new Stmt.Handler(pos(h), name(h.event), name(h.param), block(h.block())));
            }
        }
        return new Stmt.NotifierDecl(pos(c), name(c.name), name(c.space), name(c.dev), name(c.strategy),
                c.handlers() == null ? null : List.copyOf(hs));
    }

    @Override
    public Object visitUnregisterStmt(UnregisterStmtContext c) {
        return new Stmt.Unregister(pos(c), name(c.ident()));
    }

    // ---------------------------------------------------------------- actions and operations

    @Override
    public Object visitTouchStmt(TouchStmtContext c) {
        return new Stmt.Touch(pos(c), name(c.space), range(c.range()), name(c.access));
    }

    @Override
    public Object visitDmaStmt(DmaStmtContext c) {
        return new Stmt.Dma(pos(c), name(c.dev), name(c.space), range(c.range()), name(c.access));
    }

    @Override
    public Object visitOperationStmt(OperationStmtContext c) {
        OperationContext o = c.operation();
        List<Stmt.Operand> args = new ArrayList<>();
        for (int i = 1; i < o.getChildCount(); i++) {
            Object child = o.getChild(i);
            if (child instanceof IdentContext id) args.add(new Stmt.NameArg(name(id)));
            else if (child instanceof RangeContext r) args.add(new Stmt.RangeArg(range(r)));
            else if (child instanceof ExprContext e) args.add(new Stmt.AddrArg(expr(e)));
            // the keyword `to` of mremap carries no value
        }
        List<Stmt.PhaseHook> hooks = new ArrayList<>();
        if (c.phaseBlock() != null) {
            for (PhaseHookContext h : c.phaseBlock().phaseHook()) {
                hooks.add(new Stmt.PhaseHook(pos(h), name(h.ident()), block(h.block())));
            }
        }
        return new Stmt.Operation(pos(c), o.op.getText(), List.copyOf(args), List.copyOf(hooks));
    }

    // ---------------------------------------------------------------- checking

    @Override
    public Object visitExpectStmt(ExpectStmtContext c) {
        Pos p = pos(c);
        ExpectationContext e = c.expectation();
        if (e instanceof ExpectCoherentContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.COHERENT, null, List.of(), List.of(), null, null, block(x.block()));
        if (e instanceof ExpectViolationContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.VIOLATION, name(x.kind), List.of(), List.of(), null, null, block(x.block()));
        if (e instanceof ExpectFailedContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.FAILED, null, List.of(name(x.ident())), List.of(), null, null, null);
        if (e instanceof ExpectHealthyContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.HEALTHY, null, List.of(name(x.ident())), List.of(), null, null, null);
        if (e instanceof ExpectFaultsContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.FAULTS, null, List.of(name(x.ident())), List.of(), x.cmpOp().getText(),
                    expr(x.expr()), null);
        if (e instanceof ExpectSameFrameContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.SAME_FRAME, null, List.of(name(x.space), name(x.space2)),
                    List.of(expr(x.expr(0)), expr(x.expr(1))), null, null, null);
        if (e instanceof ExpectDifferentFrameContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.DIFFERENT_FRAME, null, List.of(name(x.space), name(x.space2)),
                    List.of(expr(x.expr(0)), expr(x.expr(1))), null, null, null);
        if (e instanceof ExpectMappedContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.MAPPED, null, List.of(name(x.ident())), List.of(expr(x.expr())), null, null, null);
        if (e instanceof ExpectDmaContext x)
            return new Stmt.Expect(p, Stmt.ExpectKind.DMA, null, List.of(name(x.dev), name(x.space), name(x.access), name(x.result)),
                    List.of(), null, null, null, range(x.range()));
        ExpectUnmappedContext x = (ExpectUnmappedContext) e;
        return new Stmt.Expect(p, Stmt.ExpectKind.UNMAPPED, null, List.of(name(x.ident())), List.of(expr(x.expr())), null, null, null);
    }

    @Override
    public Object visitExploreStmt(ExploreStmtContext c) {
        List<Stmt.Block> threads = new ArrayList<>();
        for (int i = 1; i < c.block().size(); i++) threads.add(block(c.block(i)));
        Stmt.Verdict v = null;
        if (c.verdict() != null) v = new Stmt.Verdict(pos(c.verdict()), name(c.verdict().ident()));
        return new Stmt.Explore(pos(c), block(c.block(0)), List.copyOf(threads), v);
    }

    // ---------------------------------------------------------------- inspection and structure

    @Override
    public Object visitShowStmt(ShowStmtContext c) {
        return new Stmt.Show(pos(c), name(c.ident()));
    }

    @Override
    public Object visitLetStmt(LetStmtContext c) {
        return new Stmt.Let(pos(c), name(c.NAME().getSymbol()), expr(c.expr()));
    }

    @Override
    public Object visitForStmt(ForStmtContext c) {
        return new Stmt.For(pos(c), name(c.NAME().getSymbol()), expr(c.from), expr(c.to), block(c.block()));
    }

    @Override
    public Object visitRepeatStmt(RepeatStmtContext c) {
        return new Stmt.Repeat(pos(c), expr(c.expr()), block(c.block()));
    }

    @Override
    public Object visitIncludeStmt(IncludeStmtContext c) {
        return new Stmt.Include(pos(c), string(c.STRING().getSymbol()));
    }

    @Override
    public Object visitPrintStmt(PrintStmtContext c) {
        List<Expr> args = new ArrayList<>();
        for (PrintArgContext a : c.printArg()) args.add(a.STRING() != null ? string(a.STRING().getSymbol()) : expr(a.expr()));
        return new Stmt.Print(pos(c), List.copyOf(args));
    }

    @Override
    public Object visitIfStmt(IfStmtContext c) {
        CondContext k = c.cond();
        Stmt.Cond cond = new Stmt.Cond(pos(k), expr(k.expr(0)), k.cmpOp().getText(), expr(k.expr(1)));
        Stmt otherwise = null;
        if (c.block().size() > 1) otherwise = block(c.block(1));
        else if (c.elseIf != null) otherwise = stmt(c.elseIf);
        return new Stmt.If(pos(c), cond, block(c.block(0)), otherwise);
    }

    @Override
    public Object visitFlushStmt(FlushStmtContext c) {
        return new Stmt.Flush(pos(c), name(c.dev), c.all != null ? null : range(c.range()));
    }

    @Override
    public Object visitBlockStmt(BlockStmtContext c) {
        return new Stmt.DeviceControl(pos(c), "block", name(c.ident()));
    }

    @Override
    public Object visitUnblockStmt(UnblockStmtContext c) {
        return new Stmt.DeviceControl(pos(c), "unblock", name(c.ident()));
    }

    @Override
    public Object visitDetachStmt(DetachStmtContext c) {
        return new Stmt.DeviceControl(pos(c), "detach", name(c.ident()));
    }

    @Override
    public Object visitSetRootStmt(SetRootStmtContext c) {
        return new Stmt.SetRoot(pos(c), name(c.dev), name(c.root));
    }

    // ---------------------------------------------------------------- ranges and expressions

    RangeExpr range(RangeContext c) {
        if (c instanceof SizedRangeContext s) return new RangeExpr.Sized(pos(c), expr(s.expr(0)), expr(s.expr(1)));
        if (c instanceof SpanRangeContext s) return new RangeExpr.Span(pos(c), expr(s.expr(0)), expr(s.expr(1)));
        return new RangeExpr.Point(pos(c), expr(((PointRangeContext) c).expr()));
    }

    Expr expr(ExprContext c) {
        return (Expr) visit(c);
    }

    @Override
    public Object visitUnitExpr(UnitExprContext c) {
        return new Expr.Pages(pos(c), expr(c.expr()));
    }

    @Override
    public Object visitNegExpr(NegExprContext c) {
        return new Expr.Neg(pos(c), expr(c.expr()));
    }

    @Override
    public Object visitMulExpr(MulExprContext c) {
        return new Expr.Binary(pos(c), c.op.getText().charAt(0), expr(c.expr(0)), expr(c.expr(1)));
    }

    @Override
    public Object visitAddExpr(AddExprContext c) {
        return new Expr.Binary(pos(c), c.op.getText().charAt(0), expr(c.expr(0)), expr(c.expr(1)));
    }

    @Override
    public Object visitParenExpr(ParenExprContext c) {
        return expr(c.expr());
    }

    @Override
    public Object visitIntExpr(IntExprContext c) {
        return new Expr.Int(pos(c), Literals.integer(c.getText(), pos(c)));
    }

    @Override
    public Object visitSizeExpr(SizeExprContext c) {
        return new Expr.Int(pos(c), Literals.size(c.getText(), pos(c)));
    }

    @Override
    public Object visitVarExpr(VarExprContext c) {
        return new Expr.Var(pos(c), c.getText());
    }

    Expr.Str string(Token t) {
        String raw = t.getText();
        return new Expr.Str(pos(t), raw.substring(1, raw.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
}
