package mmn.ast;

import java.util.List;

/** Statements: declarations, CPU and device actions, VMM operations, checks and structure. */
public sealed interface Stmt {
    Pos pos();

    <R> R accept(Visitor<R> v);

    interface Visitor<R> {
        R visitProfile(Profile s);
        R visitMemory(Memory s);
        R visitSet(Set s);
        R visitSpace(SpaceDecl s);
        R visitMap(MapDecl s);
        R visitDevice(DeviceDecl s);
        R visitBind(Bind s);
        R visitNotifier(NotifierDecl s);
        R visitUnregister(Unregister s);
        R visitTouch(Touch s);
        R visitDma(Dma s);
        R visitOperation(Operation s);
        R visitExpect(Expect s);
        R visitExplore(Explore s);
        R visitShow(Show s);
        R visitLet(Let s);
        R visitFor(For s);
        R visitRepeat(Repeat s);
        R visitInclude(Include s);
        R visitPrint(Print s);
        R visitIf(If s);
        R visitFlush(Flush s);
        R visitDeviceControl(DeviceControl s);
        R visitSetRoot(SetRoot s);
        R visitBlock(Block s);
    }

    record Profile(Pos pos, Name name) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitProfile(this); }
    }

    record Memory(Pos pos, Expr size) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitMemory(this); }
    }

    /** {@code set KNOB VALUE}; {@code word} is the value when it is a bare name (set arch arm64). */
    record Set(Pos pos, Name knob, Expr value, Name word) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitSet(this); }
    }

    record SpaceDecl(Pos pos, Name name) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitSpace(this); }
    }

    /** {@code map SPACE RANGE ATTR...}; attributes are checked by the interpreter. */
    record MapDecl(Pos pos, Name space, RangeExpr range, List<Name> attrs, Expr.Str file) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitMap(this); }
    }

    record DeviceOption(Pos pos, Name key, boolean retries, Expr value, String flag) {}

    record DeviceDecl(Pos pos, Name name, Name kind, List<DeviceOption> options) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitDevice(this); }
    }

    record Bind(Pos pos, Name device, Name space) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitBind(this); }
    }

    record Handler(Pos pos, Name event, Name param, Block body) {}

    /** Either {@code strategy} (uses NAME) or {@code handlers} (written in the language). */
    record NotifierDecl(Pos pos, Name name, Name space, Name device, Name strategy, List<Handler> handlers)
            implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitNotifier(this); }
    }

    record Unregister(Pos pos, Name name) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitUnregister(this); }
    }

    record Touch(Pos pos, Name space, RangeExpr range, Name access) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitTouch(this); }
    }

    record Dma(Pos pos, Name device, Name space, RangeExpr range, Name access) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitDma(this); }
    }

    /** An operand of a VMM operation: a name, a range or an address. */
    sealed interface Operand {
        Pos pos();
    }

    record NameArg(Name name) implements Operand {
        public Pos pos() { return name.pos(); }
    }

    record RangeArg(RangeExpr range) implements Operand {
        public Pos pos() { return range.pos(); }
    }

    record AddrArg(Expr addr) implements Operand {
        public Pos pos() { return addr.pos(); }
    }

    record PhaseHook(Pos pos, Name phase, Block body) {}

    /** A VMM operation ({@code munmap A 0x400000 +4K}) with actions injected after its phases. */
    record Operation(Pos pos, String op, List<Operand> args, List<PhaseHook> hooks) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitOperation(this); }
    }

    enum ExpectKind { COHERENT, VIOLATION, FAILED, HEALTHY, FAULTS, SAME_FRAME, DIFFERENT_FRAME, MAPPED, UNMAPPED, DMA }

    /**
     * An expectation. Which fields are set depends on the kind: {@code kind} names the
     * violation, {@code names}/{@code addrs} the device or spaces and addresses,
     * {@code cmp}/{@code value} the fault bound, {@code body} the statements checked;
     * for DMA, {@code names} are device, space, access and expected result, {@code range} the pages.
     */
    record Expect(Pos pos, ExpectKind what, Name kind, List<Name> names, List<Expr> addrs, String cmp, Expr value,
            Block body, RangeExpr range) implements Stmt {
        public Expect(Pos pos, ExpectKind what, Name kind, List<Name> names, List<Expr> addrs, String cmp, Expr value, Block body) {
            this(pos, what, kind, names, addrs, cmp, value, body, null);
        }

        public <R> R accept(Visitor<R> v) { return v.visitExpect(this); }
    }

    /** The verdict an explore expects: coherent, or a violation of {@code kind}. */
    record Verdict(Pos pos, Name kind) {
        public boolean coherent() { return kind == null; }
    }

    record Explore(Pos pos, Block ops, List<Block> threads, Verdict expect) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitExplore(this); }
    }

    record Show(Pos pos, Name what) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitShow(this); }
    }

    record Let(Pos pos, Name var, Expr value) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitLet(this); }
    }

    /** {@code for VAR in FROM..TO BLOCK}, end exclusive. */
    record For(Pos pos, Name var, Expr from, Expr to, Block body) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitFor(this); }
    }

    record Repeat(Pos pos, Expr count, Block body) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitRepeat(this); }
    }

    record Include(Pos pos, Expr.Str path) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitInclude(this); }
    }

    record Print(Pos pos, List<Expr> args) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitPrint(this); }
    }

    record Cond(Pos pos, Expr left, String op, Expr right) {}

    record If(Pos pos, Cond cond, Block then, Stmt otherwise) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitIf(this); }
    }

    /** {@code flush DEV RANGE}; a null range is {@code flush DEV all}. */
    record Flush(Pos pos, Name device, RangeExpr range) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitFlush(this); }
    }

    /** {@code block DEV}, {@code unblock DEV}, {@code detach DEV}. */
    record DeviceControl(Pos pos, String action, Name device) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitDeviceControl(this); }
    }

    /** {@code set-root DEV empty} or {@code set-root DEV SPACE}. */
    record SetRoot(Pos pos, Name device, Name root) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitSetRoot(this); }
    }

    record Block(Pos pos, List<Stmt> body) implements Stmt {
        public <R> R accept(Visitor<R> v) { return v.visitBlock(this); }
    }
}
