package mmn.ast;

/** Integer expressions over sizes and variables; strings appear only as print arguments. */
public sealed interface Expr {
    Pos pos();

    /** An integer literal; sizes ({@code 4K}, {@code 2M}) are folded to bytes by the parser. */
    record Int(Pos pos, long value) implements Expr {}

    /** {@code 16 pages}: the operand times 4 KiB. */
    record Pages(Pos pos, Expr count) implements Expr {}

    record Var(Pos pos, String name) implements Expr {}

    record Neg(Pos pos, Expr operand) implements Expr {}

    /** {@code op} is one of + - * / %. */
    record Binary(Pos pos, char op, Expr left, Expr right) implements Expr {}

    record Str(Pos pos, String value) implements Expr {}
}
