package mmn.engine.ops;

import mmn.engine.mem.StateHasher;
import java.util.List;
import java.util.function.Function;

/**
 * The operations of one explore block, run one after another, as one step program. Each
 * operation's frame is made when the one before it returns, in the world as that one
 * left it (a script runs the block's statements that way), and is stepped in place: the
 * step in which an operation returns runs on into the next one's first phase point, as
 * a replay of the block does. The frame factories are shared by every copy (they look
 * names up in the kernel they are given); the running frame is copied with the world.
 */
public final class Sequence extends OpFrame {
    private final List<Function<Kernel, OpFrame>> ops;
    /** The operation whose frame is made next. */
    private int next;
    /** The running operation's frame, or null between two (and before the first). */
    private OpFrame current;

    public Sequence(List<Function<Kernel, OpFrame>> ops) {
        if (ops.isEmpty()) throw new IllegalArgumentException("a sequence of no operations");
        this.ops = List.copyOf(ops);
    }

    private Sequence(Sequence o, Kernel k) {
        this.ops = o.ops;
        this.next = o.next;
        this.current = o.current == null ? null : o.current.copyFor(k);
        this.pc = o.pc;
    }

    @Override
    public String step(Kernel k) {
        if (pc == RETURNED) throw returned();
        while (true) {
            if (current == null) {
                current = ops.get(next).apply(k);
                if (current == null) {
                    throw new IllegalStateException("operation " + (next + 1) + " of the block cannot run step by step here");
                }
                next++;
            }
            current.listener = listener; // a scripted run's (Kernel.runOp), for parts that are not steps yet; null when stepped
            String p = current.step(k);
            if (p != null) return p;
            current = null; // it returned (its own returnOp ended it)
            if (next == ops.size()) {
                pc = RETURNED;
                return null;
            }
        }
    }

    @Override
    public String name() {
        return current != null ? current.name() : "explore block";
    }

    @Override
    protected OpFrame copyFor(Kernel k) {
        return new Sequence(this, k);
    }

    @Override
    protected void hashInto(StateHasher h) {
        h.put(next).put(pc);
        if (current == null) h.put(-1);
        else current.hashInto(h);
    }
}
