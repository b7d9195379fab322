package mmn.parse;

import java.util.List;
import mmn.ast.Diagnostic;

/** A script that could not be parsed: every syntax error found, in source order. */
public final class ParseError extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public ParseError(List<Diagnostic> diagnostics) {
        super(diagnostics.isEmpty() ? "syntax error" : diagnostics.get(0).message());
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }

    /**
     * True when every error is at the end of the input: the text is a statement still
     * being typed (an open brace, an unfinished string), so the REPL asks for more.
     */
    public boolean incomplete() {
        return !diagnostics.isEmpty() && diagnostics.stream().allMatch(d -> d.message().startsWith(ScriptParser.AT_END));
    }
}
