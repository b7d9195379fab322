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

    /** The engine's refusal {@code e} as an error at {@code pos}; {@code e} stays its cause (a guest timeout is told apart by it). */
    static ScriptError at(Pos pos, mmn.engine.EngineException e) {
        ScriptError se = new ScriptError(pos, e.getMessage(), e.hint());
        se.initCause(e);
        return se;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
