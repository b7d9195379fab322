package mmn.ast;

/** An address range as written: {@code ADDR +SIZE}, {@code ADDR..ADDR}, or one page's {@code ADDR}. */
public sealed interface RangeExpr {
    Pos pos();

    record Sized(Pos pos, Expr start, Expr size) implements RangeExpr {}

    /** End exclusive. */
    record Span(Pos pos, Expr start, Expr end) implements RangeExpr {}

    /** A lone address: in a page-level operation, the page that contains it. */
    record Point(Pos pos, Expr addr) implements RangeExpr {}
}
