package mmn.polyglot;

import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.SourceSection;
import org.graalvm.polyglot.Value;

/**
 * Where in the guest's file a host method was called from: the host cannot see the guest
 * stack, so a one-line guest function that raises is called, and the stack of that error
 * is read past the host frames to the first guest frame of the caller.
 */
final class CallSite {
    private static final String HELPER = "<mmn call site>";

    private Value thrower;
    private boolean unavailable;

    /** "file:line" of the guest code running the current host call, or null when unknown. */
    String find() {
        Value t = thrower();
        if (t == null) return null;
        try {
            t.executeVoid();
        } catch (PolyglotException e) {
            for (PolyglotException.StackFrame f : e.getPolyglotStackTrace()) {
                if (!f.isGuestFrame()) continue;
                SourceSection s = f.getSourceLocation();
                if (s == null || s.getSource().getName().equals(HELPER)) continue;
                return s.getSource().getName() + ":" + s.getStartLine();
            }
        }
        return null;
    }

    private Value thrower() {
        if (thrower != null || unavailable) return thrower;
        Context ctx;
        try {
            ctx = Context.getCurrent();
        } catch (IllegalStateException e) {
            unavailable = true; // called from Java, not from a guest
            return null;
        }
        String[][] byLanguage = {
                {"js", "(function () { throw new Error('call site'); })"},
                {"python", "lambda: (_ for _ in ()).throw(RuntimeError('call site'))"}};
        for (String[] l : byLanguage) {
            try {
                thrower = ctx.eval(Source.newBuilder(l[0], l[1], HELPER).buildLiteral());
                return thrower;
            } catch (IllegalArgumentException | IllegalStateException | PolyglotException e) {
                // not this context's language
            }
        }
        unavailable = true;
        return null;
    }
}
