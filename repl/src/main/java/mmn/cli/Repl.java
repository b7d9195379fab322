package mmn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import mmn.ast.Source;
import mmn.interp.Options;
import mmn.interp.Session;
import mmn.parse.ParseError;
import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.terminal.impl.DumbTerminal;

/**
 * The interactive session: statements run as they are entered against one world; an
 * entry whose text ends inside an open block continues on the next line;
 * any error is reported and the session goes on. The colon commands live in
 * {@link ReplCommands}, completion in {@link ReplCompleter}, colours in {@link ReplHighlighter}.
 */
final class Repl {
    private final ReplCommands commands;

    private Repl(ReplCommands commands) {
        this.commands = commands;
    }

    static int start(Options opts, PrintStream out, PrintStream err) {
        try (Terminal terminal = systemTerminal()) {
            return run(terminal, opts, out, err, true);
        } catch (IOException e) {
            err.println("mmn: cannot open the terminal: " + e.getMessage());
            return 2;
        }
    }

    /**
     * The system terminal through JLine's JNI provider alone. JLine's default search also
     * tries its FFM, Jansi and JNA providers (not on the class path) and probes the exec
     * one, which forks {@code test -t 1}: ~0.1 s of CPU (docs/performance.md). Only
     * when that gives a dumb terminal although stdin and stdout are terminals (the JNI
     * library did not load) is the default search made, so the terminal is the one it
     * would have chosen.
     */
    static Terminal systemTerminal() throws IOException {
        Terminal t = null;
        try {
            t = TerminalBuilder.builder().system(true).provider("jni").dumb(true).build();
        } catch (RuntimeException | IOException e) {
            // the default search below
        }
        if (t != null && !(t instanceof DumbTerminal && System.console() != null)) return t;
        if (t != null) t.close();
        return TerminalBuilder.builder().system(true).dumb(true).build();
    }

    /** A session over given streams (tests, embeddings): no system terminal, no history file. */
    static int run(InputStream in, OutputStream echo, Options opts, PrintStream out, PrintStream err) throws IOException {
        try (Terminal terminal = new DumbTerminal("mmn", Terminal.TYPE_DUMB, in, echo, StandardCharsets.UTF_8)) {
            return run(terminal, opts, out, err, false);
        }
    }

    static int run(Terminal terminal, Options opts, PrintStream out, PrintStream err, boolean history) {
        ReplCommands commands = new ReplCommands(opts, out, err);
        // Ctrl-C while a statement runs cancels a running explore (readLine has its own handler while reading)
        terminal.handle(Terminal.Signal.INT, sig -> commands.session().cancelFlag().set(true));
        out.println(Main.VERSION + " — " + commands.profileName() + "; :help for help, :quit to leave");
        LineReader reader = reader(terminal, commands, history);
        // the world and the parser warm up on the other core while the prompt is drawn and the first line typed
        commands.warmUp();
        return new Repl(commands).loop(reader);
    }

    static LineReader reader(Terminal terminal, ReplCommands commands, boolean history) {
        LineReaderBuilder b = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("mmn")
                .parser(new EntryParser())
                .completer(new ReplCompleter(commands::session))
                .highlighter(new ReplHighlighter())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P ...> ")
                .variable(LineReader.INDENTATION, 2)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true);
        if (history)
            b.variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".mmn_history"));
        return b.build();
    }

    private int loop(LineReader reader) {
        while (true) {
            String entry;
            try {
                entry = reader.readLine("mmn> ");
            } catch (UserInterruptException e) {
                continue; // Ctrl-C drops the line being typed
            } catch (EndOfFileException e) {
                return 0;
            }
            if (entry == null) return 0;
            String t = entry.trim();
            if (t.isEmpty()) continue;
            if (t.startsWith(":")) {
                if (!commands.command(t)) return 0;
                continue;
            }
            commands.entry(entry);
        }
    }

    /**
     * Asks for another line only while the entry ends inside an open block; a statement
     * missing a word is sent at once (and reported). Words are split on blanks only:
     * quotes belong to the word (include "FILE" completes with them).
     */
    static final class EntryParser extends DefaultParser {
        EntryParser() {
            setQuoteChars(new char[0]);
            setEscapeChars(new char[0]);
        }

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && !line.trim().startsWith(":") && !line.endsWith("\n\n")) {
                try {
                    Session.parse(Source.ofText("<repl>", line));
                } catch (ParseError e) {
                    if (e.incomplete()) throw new EOFError(-1, -1, "statement continues", "}");
                }
            }
            return super.parse(line, cursor, context);
        }
    }
}
