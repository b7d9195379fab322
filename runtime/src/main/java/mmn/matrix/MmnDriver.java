package mmn.matrix;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import mmn.ast.Script;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.parse.ScriptParser;

/**
 * A .mmn driver file: `device ...` and `notifier N [for DEV] uses S` (or handlers) with
 * no `on SPACE`. Parsed once here for its device's name; each cell runs it again in its
 * own world (Session.runDriver checks it as a driver and binds the notifier).
 */
public final class MmnDriver implements Driver {
    private final Source source;
    private final String label;
    private final String device;
    private final Script script;

    private MmnDriver(Source source, String label) {
        this.source = source;
        this.label = label;
        this.script = ScriptParser.parse(source); // a syntax error is the caller's to report (ParseError)
        String dev = null;
        for (Stmt s : script.body()) if (s instanceof Stmt.DeviceDecl d && dev == null) dev = d.name().text();
        this.device = dev;
    }

    /** Reads a driver file; IOException if it cannot be read, ParseError for a syntax error. */
    public static MmnDriver read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        return new MmnDriver(new Source(file.toString(), file.toAbsolutePath().normalize(), text), file.toString());
    }

    /** A driver given as text (tests, the atlas's built-in strategies). */
    public static MmnDriver of(String label, String text) {
        return new MmnDriver(Source.ofText(label, text), label);
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String device() {
        return device;
    }

    @Override
    public Outcome install(Session session, String space) {
        return session.runDriver(source, space);
    }

    /** The driver's text with `on SPACE` after each notifier's name: an ordinary script's declarations. */
    @Override
    public String inline(String space) {
        String[] lines = source.text().split("\n", -1);
        for (Stmt s : script.body()) {
            if (!(s instanceof Stmt.NotifierDecl n) || n.space() != null) continue;
            int li = n.name().pos().line() - 1;
            String line = lines[li];
            int at = indexOfWord(line, n.name().text(), line.indexOf("notifier") + "notifier".length());
            if (at < 0) continue;
            int end = at + n.name().text().length();
            lines[li] = line.substring(0, end) + " on " + space + line.substring(end);
        }
        return String.join("\n", lines);
    }

    private static int indexOfWord(String line, String word, int from) {
        int i = line.indexOf(word, Math.max(0, from));
        return i;
    }
}
