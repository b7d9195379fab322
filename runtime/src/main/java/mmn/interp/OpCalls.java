package mmn.interp;

import java.util.List;
import java.util.function.Function;
import mmn.ast.Expr;
import mmn.ast.Name;
import mmn.ast.RangeExpr;
import mmn.ast.Stmt;
import mmn.engine.Addr;
import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.Range;
import mmn.engine.Space;
import mmn.engine.Vma;
import mmn.engine.World;

/**
 * The VMM operations of the language, each bound to its engine call: operands are
 * evaluated once, where the statement stands, and the call is kept as a closure over
 * names so the same operation runs against the script's world or an explorer's copy.
 */
final class OpCalls {
    /**
     * An operation with its operands evaluated, ready to run against a world. Names are
     * looked up in the world it is given, so the explorer can replay it on copies.
     */
    @FunctionalInterface
    interface OpCall {
        void run(World w, PhaseListener l);
    }

    private final Evaluator ev;
    /** Resolves a space name in the script's world (an unknown one is an error at the name). */
    private final Function<Name, Space> spaces;

    OpCalls(Evaluator ev, Function<Name, Space> spaces) {
        this.ev = ev;
        this.spaces = spaces;
    }

    OpCall of(Stmt.Operation s) {
        List<Stmt.Operand> a = s.args();
        switch (s.op()) {
            case "munmap": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.munmap(w.space(sp), r, l);
            }
            case "dontneed": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.dontneed(w.space(sp), r, l);
            }
            case "mprotect": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                Name pn = ((Stmt.NameArg) a.get(2)).name();
                int prot;
                try {
                    prot = Vma.parseProt(pn.text());
                } catch (EngineException e) {
                    throw new ScriptError(pn.pos(), e.getMessage(), e.hint());
                }
                return (w, l) -> w.mprotect(w.space(sp), r, prot, l);
            }
            case "exit": {
                String sp = space(a, 0).name();
                return (w, l) -> w.exit(w.space(sp), l);
            }
            case "cow": {
                String sp = space(a, 0).name();
                long va = address(a, 1);
                return (w, l) -> w.cow(w.space(sp), va, l);
            }
            case "fork": {
                String parent = space(a, 0).name();
                String child = ((Stmt.NameArg) a.get(1)).name().text();
                return (w, l) -> w.fork(w.space(parent), child, l);
            }
            case "migrate": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.migrate(w.space(sp), r, l);
            }
            case "reclaim": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.reclaim(w.space(sp), r, l);
            }
            case "ksm": {
                String sa = space(a, 0).name();
                long va = address(a, 1);
                String sb = space(a, 2).name();
                long vb = address(a, 3);
                return (w, l) -> w.ksm(w.space(sa), va, w.space(sb), vb, l);
            }
            case "age": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.age(w.space(sp), r, l);
            }
            case "oom-reap": {
                String sp = space(a, 0).name();
                return (w, l) -> w.oomReap(w.space(sp), l);
            }
            case "mremap": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                long to = address(a, 2);
                if (!Addr.pageAligned(to))
                    throw new ScriptError(a.get(2).pos(), "mremap's new address must be page aligned: " + Addr.hex(to) + " is not",
                            "did you mean " + Addr.hex(Addr.pageDown(to)) + "?");
                return (w, l) -> w.mremap(w.space(sp), r, to, l);
            }
            case "uprobe": {
                String sp = space(a, 0).name();
                long va = address(a, 1);
                return (w, l) -> w.uprobe(w.space(sp), va, l);
            }
            case "remap": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                return (w, l) -> w.remap(w.space(sp), r, l);
            }
            case "split": {
                String sp = space(a, 0).name();
                long va = address(a, 1);
                return (w, l) -> w.split(w.space(sp), va, l);
            }
            case "collapse": {
                String sp = space(a, 0).name();
                long va = address(a, 1);
                return (w, l) -> w.collapse(w.space(sp), va, l);
            }
            default:
                throw Checks.notSupported(s.pos(), "operation '" + s.op() + "'", "available: " + String.join(", ", Interpreter.operations()));
        }
    }

    private Space space(List<Stmt.Operand> a, int i) {
        return spaces.apply(((Stmt.NameArg) a.get(i)).name());
    }

    private Range range(List<Stmt.Operand> a, int i) {
        Stmt.Operand o = a.get(i);
        if (o instanceof Stmt.RangeArg r) return ev.range(r.range());
        Expr e = ((Stmt.AddrArg) o).addr();
        return Range.page(ev.integer(e));
    }

    private long address(List<Stmt.Operand> a, int i) {
        Stmt.Operand o = a.get(i);
        Expr e = o instanceof Stmt.AddrArg x ? x.addr() : ((RangeExpr.Point) ((Stmt.RangeArg) o).range()).addr();
        return ev.integer(e);
    }
}
