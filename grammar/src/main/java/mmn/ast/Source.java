package mmn.ast;

import java.nio.file.Path;

/** A script's text and where it came from (a file, or a REPL entry); lines are kept for carets. */
public final class Source {
    private final String name;
    private final Path path;
    private final String text;
    private final String[] lines;

    public Source(String name, Path path, String text) {
        this.name = name;
        this.path = path;
        this.text = text;
        this.lines = text.split("\r?\n", -1);
    }

    public static Source ofText(String name, String text) {
        return new Source(name, null, text);
    }

    public String name() { return name; }

    /** The file, or null for text typed at the REPL. */
    public Path path() { return path; }

    public String text() { return text; }

    /** Line {@code n} (1-based) without its newline, or "" past the end. */
    public String line(int n) {
        return n >= 1 && n <= lines.length ? lines[n - 1] : "";
    }
}
