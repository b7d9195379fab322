package mmn.interp;

import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import mmn.ast.Expr;
import mmn.ast.Pos;
import mmn.ast.RangeExpr;
import mmn.parse.Suggest;

/**
 * Values of expressions and ranges in the current scope: 64-bit integers with checked
 * arithmetic, and address ranges whose ends must be page aligned (the error names the
 * aligned neighbours).
 */
final class Evaluator {
    private final Supplier<Env> env;

    Evaluator(Supplier<Env> env) {
        this.env = env;
    }

    /** A range as written; its start and end must be page aligned, a lone address means its page. */
    Range range(RangeExpr r) {
        if (r instanceof RangeExpr.Point p) {
            Object v = eval(p.addr());
            if (v instanceof Range rr) return rr;
            return Range.page(asLong(v, p.pos()));
        }
        long start, end;
        Expr startExpr, endExpr;
        if (r instanceof RangeExpr.Sized s) {
            startExpr = s.start();
            endExpr = s.size();
            start = integer(s.start());
            long size = integer(s.size());
            if (size <= 0) throw new ScriptError(s.size().pos(), "range size must be positive, got " + size);
            aligned(s.size(), size, "a range size");
            end = start + size;
        } else {
            RangeExpr.Span s = (RangeExpr.Span) r;
            startExpr = s.start();
            endExpr = s.end();
            start = integer(s.start());
            end = integer(s.end());
            aligned(endExpr, end, "a range end");
            if (end <= start) throw new ScriptError(r.pos(), "empty range: " + Addr.hex(end) + " is not above " + Addr.hex(start));
        }
        aligned(startExpr, start, "a range start");
        if (start < 0 || end > Addr.TASK_SIZE)
            throw new ScriptError(r.pos(), "range leaves the user address space [0, " + Addr.hex(Addr.TASK_SIZE) + ")");
        return new Range(start, end);
    }

    private static void aligned(Expr e, long v, String what) {
        if (!Addr.pageAligned(v)) {
            throw new ScriptError(e.pos(), what + " must be page aligned: " + Addr.hex(v) + " is not",
                    "did you mean " + Addr.hex(Addr.pageDown(v)) + " (or " + Addr.hex(Addr.pageUp(v)) + ")?");
        }
    }

    long integer(Expr e) {
        return asLong(eval(e), e.pos());
    }

    static long asLong(Object v, Pos pos) {
        if (v instanceof Long l) return l;
        throw new ScriptError(pos, "expected an integer, got " + Value.typeName(v));
    }

    Object eval(Expr e) {
        if (e instanceof Expr.Int i) return i.value();
        if (e instanceof Expr.Str s) return s.value();
        if (e instanceof Expr.Var v) {
            Object val = env.get().get(v.name());
            if (val == null) {
                String near = Suggest.closest(v.name(), env.get().names());
                throw new ScriptError(v.pos(), "undefined variable '" + v.name() + "'",
                        near != null ? "did you mean '" + near + "'?" : "define it first: let " + v.name() + " = ...");
            }
            return val;
        }
        if (e instanceof Expr.Pages p) {
            return arith(p.pos(), '*', integer(p.count()), Addr.PAGE_SIZE);
        }
        if (e instanceof Expr.Neg n) return arith(n.pos(), '-', 0, integer(n.operand()));
        Expr.Binary b = (Expr.Binary) e;
        return arith(b.pos(), b.op(), integer(b.left()), integer(b.right()));
    }

    private static long arith(Pos pos, char op, long a, long b) {
        try {
            switch (op) {
                case '+': return Math.addExact(a, b);
                case '-': return Math.subtractExact(a, b);
                case '*': return Math.multiplyExact(a, b);
                case '/':
                    if (b == 0) throw new ScriptError(pos, "division by zero");
                    return a / b;
                default:
                    if (b == 0) throw new ScriptError(pos, "division by zero");
                    return a % b;
            }
        } catch (ArithmeticException x) {
            throw new ScriptError(pos, "integer overflow");
        }
    }

    /** The accessed addresses: a lone address as written, a range page by page. */
    List<Long> addresses(RangeExpr r) {
        List<Long> out = new ArrayList<>();
        if (r instanceof RangeExpr.Point p) {
            Object v = eval(p.addr());
            if (v instanceof Range rr) return addresses(rr);
            out.add(asLong(v, p.addr().pos()));
            return out;
        }
        return addresses(range(r));
    }

    private static List<Long> addresses(Range r) {
        List<Long> out = new ArrayList<>();
        for (long va = r.start(); va < r.end(); va += Addr.PAGE_SIZE) out.add(va);
        return out;
    }
}
