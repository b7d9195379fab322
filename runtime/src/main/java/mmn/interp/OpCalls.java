package mmn.interp;

import mmn.engine.EngineException;
import mmn.engine.PhaseListener;
import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import java.util.List;
import java.util.function.Function;
import mmn.ast.Expr;
import mmn.ast.Name;
import mmn.ast.RangeExpr;
import mmn.ast.Stmt;

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

        /** The operation as a step program not yet begun in w (World.munmapFrame and the like); null only for a bare run. */
        default mmn.engine.ops.OpFrame frame(World w) {
            return null;
        }
    }

    private final Evaluator ev;
    /** Resolves a space name in the script's world (an unknown one is an error at the name). */
    private final Function<Name, Space> spaces;

    OpCalls(Evaluator ev, Function<Name, Space> spaces) {
        this.ev = ev;
        this.spaces = spaces;
    }

    /** An operation on one space's range, one address, or the whole space: the usual shapes. */
    @FunctionalInterface
    interface RangeOp {
        void run(World w, Space s, Range r, PhaseListener l);
    }

    @FunctionalInterface
    interface AddressOp {
        void run(World w, Space s, long va, PhaseListener l);
    }

    OpCall of(Stmt.Operation s) {
        List<Stmt.Operand> a = s.args();
        switch (s.op()) {
            case "munmap": return onRange(a, World::munmap, World::munmapFrame);
            case "dontneed": return onRange(a, World::dontneed, World::dontneedFrame);
            case "migrate": return onRange(a, World::migrate, World::migrateFrame);
            case "reclaim": return onRange(a, World::reclaim, World::reclaimFrame);
            case "age": return onRange(a, World::age, World::ageFrame);
            case "remap": return onRange(a, World::remap, World::remapFrame);
            case "cow": return onAddress(a, World::cow, World::cowFrame);
            case "uprobe": return onAddress(a, World::uprobe, World::uprobeFrame);
            case "split": return onAddress(a, World::split, World::splitFrame);
            case "collapse": return onAddress(a, World::collapse, World::collapseFrame);
            case "exit": {
                String sp = space(a, 0).name();
                return withFrame((w, l) -> w.exit(w.space(sp), l), w -> w.exitFrame(w.space(sp)));
            }
            case "oom-reap": {
                String sp = space(a, 0).name();
                return withFrame((w, l) -> w.oomReap(w.space(sp), l), w -> w.oomReapFrame(w.space(sp)));
            }
            case "mprotect": { // the range is checked before the protection, in source order
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                Name pn = ((Stmt.NameArg) a.get(2)).name();
                int prot;
                try {
                    prot = Vma.parseProt(pn.text());
                } catch (EngineException e) {
                    throw new ScriptError(pn.pos(), e.getMessage(), e.hint());
                }
                return withFrame((w, l) -> w.mprotect(w.space(sp), r, prot, l), w -> w.mprotectFrame(w.space(sp), r, prot));
            }
            case "fork": {
                String parent = space(a, 0).name();
                String child = ((Stmt.NameArg) a.get(1)).name().text();
                return withFrame((w, l) -> w.fork(w.space(parent), child, l), w -> w.forkFrame(w.space(parent), child));
            }
            case "ksm": { // operands in source order, so the first bad one is the one reported
                String sa = space(a, 0).name();
                long va = address(a, 1);
                String sb = space(a, 2).name();
                long vb = address(a, 3);
                return withFrame((w, l) -> w.ksm(w.space(sa), va, w.space(sb), vb, l), w -> w.ksmFrame(w.space(sa), va, w.space(sb), vb));
            }
            case "mremap": {
                String sp = space(a, 0).name();
                Range r = range(a, 1);
                long to = address(a, 2);
                if (!Addr.pageAligned(to))
                    throw new ScriptError(a.get(2).pos(), "mremap's new address must be page aligned: " + Addr.hex(to) + " is not",
                            "did you mean " + Addr.hex(Addr.pageDown(to)) + "?");
                return withFrame((w, l) -> w.mremap(w.space(sp), r, to, l), w -> w.mremapFrame(w.space(sp), r, to));
            }
            default:
                throw Checks.notSupported(s.pos(), "operation '" + s.op() + "'", "available: " + String.join(", ", Interpreter.operations()));
        }
    }

    /** An operation that is also a step program: {@code frame} makes its frame, not begun, in the world it is given. */
    private static OpCall withFrame(OpCall call, java.util.function.Function<World, mmn.engine.ops.OpFrame> frame) {
        return new OpCall() {
            @Override
            public void run(World w, PhaseListener l) {
                call.run(w, l);
            }

            @Override
            public mmn.engine.ops.OpFrame frame(World w) {
                return frame.apply(w);
            }
        };
    }

    /** A range operation that is a step program ({@code frame} makes its frame, not begun, in a world). */
    @FunctionalInterface
    interface RangeFrame {
        mmn.engine.ops.OpFrame make(World w, Space s, Range r);
    }

    /** SPACE RANGE: the range is evaluated now, the space looked up in the world the call runs in. */
    private OpCall onRange(List<Stmt.Operand> a, RangeOp op, RangeFrame frame) {
        String sp = space(a, 0).name();
        Range r = range(a, 1);
        return withFrame((w, l) -> op.run(w, w.space(sp), r, l), w -> frame.make(w, w.space(sp), r));
    }

    /** An operation at one address that is a step program ({@code frame} makes its frame, not begun, in a world). */
    @FunctionalInterface
    interface AddressFrame {
        mmn.engine.ops.OpFrame make(World w, Space s, long va);
    }

    private OpCall onAddress(List<Stmt.Operand> a, AddressOp op, AddressFrame frame) {
        String sp = space(a, 0).name();
        long va = address(a, 1);
        return withFrame((w, l) -> op.run(w, w.space(sp), va, l), w -> frame.make(w, w.space(sp), va));
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
