package mmn.interp;

import mmn.ast.Diagnostic;
import mmn.ast.Pos;

/** A script that cannot go on (unknown name, bad value, unsupported form): exit status 2. */
public final class ScriptError extends RuntimeException {
    private final transient Diagnostic diagnostic;

    public ScriptError(Pos pos, String message, String hint) {
        super(message);
        this.diagnostic = new Diagnostic(pos, message, hint);
    }

    public ScriptError(Pos pos, String message) {
        this(pos, message, null);
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
