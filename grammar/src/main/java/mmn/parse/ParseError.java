package mmn.parse;

import java.util.List;
import mmn.ast.Diagnostic;

/** A script that could not be parsed: every syntax error found, in source order. */
public final class ParseError extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    private final boolean incomplete;

    public ParseError(List<Diagnostic> diagnostics) {
        this(diagnostics, false);
    }

    public ParseError(List<Diagnostic> diagnostics, boolean incomplete) {
        super(diagnostics.isEmpty() ? "syntax error" : diagnostics.get(0).message());
        this.diagnostics = List.copyOf(diagnostics);
        this.incomplete = incomplete;
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /**
     * True when the text ended inside an open block and nothing else is wrong: a statement still being typed, so the REPL asks for more. A statement
     * that merely lacks a word (`bind gpu`) is not incomplete: it is an error at once.
     */
    public boolean incomplete() {
        return incomplete;
    }
}
