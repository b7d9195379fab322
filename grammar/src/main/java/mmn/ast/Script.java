package mmn.ast;

import java.util.List;

/** A parsed script: its source and its top-level statements. */
public record Script(Source source, List<Stmt> body) {}
