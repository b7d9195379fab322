package mmn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import mmn.ast.Source;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.parse.ParseError;
import mmn.parse.Usage;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
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
 * The interactive session: statements run as they are entered against one world; a
 * statement left open (an unclosed brace) continues on the next line; any error is
 * reported and the session goes on. {@code :undo} brings back the world as it was
 * before the last entry.
 */
final class Repl {
    private static final String HELP = String.join("\n",
            "Type statements as in a script; an open { continues on the next line.",
            "  :help [STATEMENT]  this help, or a statement's usage",
            "  :undo              take back the last entry (the world as it was before it)",
            "  :load FILE         run a script file in this session",
            "  :quit              leave (or Ctrl-D)",
            "Statements: " + Usage.keywords());

    private final Session session;
    private final PrintStream out;
    private final Deque<Session.Checkpoint> undo = new ArrayDeque<>();

    private Repl(Session session, PrintStream out) {
        this.session = session;
        this.out = out;
    }

    static int start(Options opts, PrintStream out, PrintStream err) {
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            return run(terminal, opts, out, err, true);
        } catch (IOException e) {
            err.println("mmn: cannot open the terminal: " + e.getMessage());
            return 2;
        }
    }

    /** A session over given streams (tests, embeddings): no system terminal, no history file. */
    static int run(InputStream in, OutputStream echo, Options opts, PrintStream out, PrintStream err) throws IOException {
        try (Terminal terminal = new DumbTerminal("mmn", Terminal.TYPE_DUMB, in, echo, StandardCharsets.UTF_8)) {
            return run(terminal, opts, out, err, false);
        }
    }

    private static int run(Terminal terminal, Options opts, PrintStream out, PrintStream err, boolean history) {
        Repl r = new Repl(new Session(opts, out, err), out);
        // Ctrl-C while a statement runs cancels a running explore (readLine has its own handler while reading)
        terminal.handle(Terminal.Signal.INT, sig -> r.session.cancelFlag().set(true));
        LineReaderBuilder b = LineReaderBuilder.builder()
                .terminal(terminal)
                .appName("mmn")
                .parser(new EntryParser())
                .completer(r.completer())
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, "%P ...> ")
                .variable(LineReader.INDENTATION, 2)
                .option(LineReader.Option.HISTORY_IGNORE_DUPS, true);
        if (history)
            b.variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".mmn_history"));
        out.println(Main.VERSION + " — " + r.session.world().profile().name() + "; :help for help, :quit to leave");
        return r.loop(b.build());
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
                if (!command(t)) return 0;
                continue;
            }
            Session.Checkpoint before = session.checkpoint();
            Outcome o = session.runText("<repl>", entry);
            if (o == Outcome.ERROR) session.restore(before); // an error takes nothing half-done along
            else undo.push(before);
        }
    }

    /** A REPL command; false to leave. */
    private boolean command(String t) {
        String[] w = t.split("\\s+", 2);
        switch (w[0]) {
            case ":q": case ":quit": case ":exit":
                return false;
            case ":help": case ":h":
                if (w.length > 1) {
                    String u = Usage.of(w[1]);
                    out.println(u != null ? u : "no statement '" + w[1] + "'; statements: " + Usage.keywords());
                } else {
                    out.println(HELP);
                }
                return true;
            case ":undo":
                if (undo.isEmpty()) out.println("nothing to undo");
                else {
                    session.restore(undo.pop());
                    out.println("undone");
                }
                return true;
            case ":load":
                if (w.length < 2) out.println("usage: :load FILE");
                else {
                    Session.Checkpoint before = session.checkpoint();
                    if (session.runFile(Path.of(w[1])) == Outcome.ERROR) session.restore(before);
                    else undo.push(before);
                }
                return true;
            default:
                out.println("unknown command " + w[0] + " (:help, :undo, :load, :quit)");
                return true;
        }
    }

    private Completer completer() {
        return (reader, line, candidates) -> {
            List<String> words = new ArrayList<>(Usage.all().keySet());
            words.addAll(session.world().spaceNames());
            words.addAll(session.world().deviceNames());
            for (String s : words) candidates.add(new Candidate(s));
        };
    }

    /** Asks for another line while the entry is an unfinished statement (every syntax error at its end). */
    static final class EntryParser extends DefaultParser {
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
