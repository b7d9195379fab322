package mmn.cli;

import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.device.Device;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.Subscriber;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mmn.ast.Source;
import mmn.ast.Stmt;
import mmn.parse.Caret;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.parse.ParseError;
import mmn.parse.Usage;

/**
 * The REPL's session and its colon commands, the ones a jshell user reaches for:
 * :undo, :load, :save, :reset, :vars/:list, :trace, :profile. Every entry that ran is
 * kept (its text, the world before it, where the trace stood) so :undo can take it
 * back, :save can write the session as a script, and :trace can show its events.
 */
final class ReplCommands {
    static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put(":help", ":help [STATEMENT]  this help, or a statement's usage");
        HELP.put(":undo", ":undo              take back the last entry (the world as it was before it)");
        HELP.put(":load", ":load FILE         run a script file in this session");
        HELP.put(":save", ":save FILE         write the session's entries as a script that reproduces it");
        HELP.put(":reset", ":reset [PROFILE]   a new, empty world (under PROFILE)");
        HELP.put(":vars", ":vars              what is declared: spaces, mappings, devices, notifiers, variables");
        HELP.put(":list", ":list              the same as :vars");
        HELP.put(":trace", ":trace [N]          the last entry's engine events (or the last N events)");
        HELP.put(":profile", ":profile [NAME]    the profile, or choose one while nothing is declared");
        HELP.put(":quit", ":quit              leave (or Ctrl-D)");
    }

    /** One entry that ran: what :save writes for it, the state before it, the trace length before it. */
    private record Entry(String script, Session.Checkpoint before, int traceBefore) {}

    private final Options opts;
    private final PrintStream out;
    private final PrintStream err;
    private Session session;
    /** The profile the world started with: the saved script's first line. */
    private String startProfile;
    private final Deque<Entry> entries = new ArrayDeque<>();
    private int lastTraceFrom;

    /** The first session, built on another thread once the line reader is ready ({@link #warmUp}). */
    private java.util.concurrent.CompletableFuture<Session> first;

    ReplCommands(Options opts, PrintStream out, PrintStream err) {
        this.opts = opts;
        this.out = out;
        this.err = err;
    }

    /**
     * Builds the first world and parses one entry (ANTLR's ATN, the first prediction DFA)
     * on another thread; the first use of the session waits for it. Started after the
     * terminal and the line reader are up: before, it competed with them (and the JIT) for
     * the two cores on the way to the first prompt (docs/performance.md).
     */
    synchronized void warmUp() {
        if (session != null || first != null) return;
        java.util.concurrent.CompletableFuture<Session> f = new java.util.concurrent.CompletableFuture<>();
        first = f;
        Thread t = new Thread(() -> {
            try {
                Session s = newSessionFor(opts.profile);
                Caret.at("munmap A 0x400000 +4K { after ");
                f.complete(s);
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "mmn-repl-start");
        t.setDaemon(true);
        t.start();
    }

    synchronized Session session() {
        if (session == null) {
            warmUp();
            try {
                session = first.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw e;
            }
            startProfile = session.world().profile().name();
            first = null;
        }
        return session;
    }

    /** The profile the session starts under, without waiting for it. */
    String profileName() {
        Profile p = opts.profile == null ? Profiles.defaultProfile() : Profiles.byName(opts.profile);
        return p == null ? opts.profile : p.name();
    }

    private void newSession(String profile) {
        session = newSessionFor(profile);
        startProfile = session.world().profile().name();
        entries.clear();
        lastTraceFrom = 0;
    }

    private Session newSessionFor(String profile) {
        Options o = new Options();
        o.profile = profile;
        o.seed = opts.seed;
        o.quiet = opts.quiet;
        o.maxStates = opts.maxStates;
        o.maxDepth = opts.maxDepth;
        o.noPor = opts.noPor;
        o.timeout = opts.timeout;
        o.maxSteps = opts.maxSteps;
        o.progress = opts.progress;
        o.threads = opts.threads;
        o.debug = opts.debug;
        return new Session(o, out, err);
    }

    /** Runs a statement entry; an error takes nothing half-done along. */
    void entry(String text) {
        record(text, () -> session().runText("<repl>", text));
    }

    private void record(String script, java.util.function.Supplier<Outcome> run) {
        Session.Checkpoint before = session().checkpoint();
        int traceBefore = session().world().trace().size();
        Outcome o = run.get();
        if (o == Outcome.ERROR || o == Outcome.INTERNAL) {
            session().restore(before);
            return;
        }
        entries.push(new Entry(script, before, traceBefore));
        lastTraceFrom = traceBefore;
        if (o == Outcome.INCONCLUSIVE && session().stoppedPartWay())
            err.println("  hint: the world is as this entry left it, part-way through; :undo takes it back to before the entry");
    }

    /** A colon command; false to leave. */
    boolean command(String t) {
        String[] w = t.split("\\s+", 2);
        String arg = w.length > 1 ? w[1].trim() : null;
        switch (w[0]) {
            case ":q": case ":quit": case ":exit":
                return false;
            case ":help": case ":h": help(arg); break;
            case ":undo": undo(); break;
            case ":load":
                if (arg == null) out.println("usage: :load FILE");
                else load(Path.of(arg));
                break;
            case ":save":
                if (arg == null) out.println("usage: :save FILE");
                else save(Path.of(arg));
                break;
            case ":reset": reset(arg); break;
            case ":vars": case ":list": list(); break;
            case ":trace": trace(arg); break;
            case ":profile": profile(arg); break;
            default:
                out.println("unknown command " + w[0] + " (" + String.join(", ", HELP.keySet()) + ")");
        }
        return true;
    }

    private void help(String arg) {
        if (arg != null) {
            String u = Usage.of(arg);
            out.println(u != null ? u : "no statement '" + arg + "'; statements: " + Usage.keywords());
            return;
        }
        out.println("Type statements as in a script; an open { continues on the next line; Tab completes.");
        HELP.values().forEach(h -> out.println("  " + h));
        out.println("Statements: " + Usage.keywords());
    }

    private void undo() {
        if (entries.isEmpty()) {
            out.println("nothing to undo");
            return;
        }
        session().restore(entries.pop().before());
        lastTraceFrom = Math.min(lastTraceFrom, session().world().trace().size());
        out.println("undone");
    }

    private void reset(String profile) {
        if (profile != null && !known(profile)) return;
        newSession(profile != null ? profile : opts.profile);
        out.println("a new world under " + session().world().profile().name());
    }

    private boolean known(String profile) {
        if (Profiles.byName(profile) != null) return true;
        out.println("no profile '" + profile + "'; profiles: " + Profiles.names());
        return false;
    }

    private void profile(String name) {
        World w = session().world();
        if (name == null) {
            out.println(w.profile().name() + ": " + w.profile().summary());
            return;
        }
        if (!known(name)) return;
        if (declared(w)) {
            out.println("the world already has spaces or devices, and a profile is chosen before them;"
                    + " :reset " + name + " starts a new world under " + name);
            return;
        }
        record("profile " + name, () -> session().runText("<repl>", "profile " + name));
        out.println("profile " + w.profile().name());
    }

    private static boolean declared(World w) {
        return !w.spaces().isEmpty() || !w.devices().isEmpty();
    }

    /**
     * Runs a script file in this world. A file that chooses a profile can still be loaded
     * once things are declared when it chooses this world's profile (its profile line is
     * then already true and is skipped); another profile cannot apply to this world, which
     * is said, with the :reset that would let the file run.
     */
    private void load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            err.println("mmn: no such file: " + file);
            return;
        } catch (IOException e) {
            err.println("mmn: cannot read " + file + ": " + e.getMessage());
            return;
        }
        String run = text;
        World w = session().world();
        if (declared(w)) {
            for (Stmt.Profile p : profileStatements(file, text)) {
                String name = p.name().text();
                if (!name.equals(w.profile().name())) {
                    out.println(file + " chooses profile " + name + ", but this world is " + w.profile().name()
                            + " and already has declarations; :reset " + name + " then :load " + file + " runs it in a new world");
                    return;
                }
                run = blank(run, p);
            }
        }
        String body = run;
        if (run.equals(text)) {
            String script = "include " + quoted(file);
            record(script, () -> session().runFile(file, body));
            loaded.put(script, file.toAbsolutePath().normalize());
        } else {
            // what ran is the file without its profile line: that is what a saved script repeats
            record("# :load " + file + " (its profile line already held)\n" + body.strip(), () -> session().runFile(file, body));
        }
    }

    /** Loaded files by their include line: :save writes the include relative to the saved file. */
    private final Map<String, Path> loaded = new LinkedHashMap<>();

    private static List<Stmt.Profile> profileStatements(Path file, String text) {
        List<Stmt.Profile> out = new ArrayList<>();
        try {
            for (Stmt s : Session.parse(new Source(file.toString(), file.toAbsolutePath(), text)).body())
                if (s instanceof Stmt.Profile) out.add((Stmt.Profile) s);
        } catch (ParseError e) {
            // the run reports it
        }
        return out;
    }

    /** The text with a profile statement replaced by blanks: every other position stays where it was. */
    private static String blank(String text, Stmt.Profile p) {
        String[] lines = text.split("\n", -1);
        String line = lines[p.pos().line() - 1];
        int from = p.pos().col();
        int to = p.name().pos().col() + p.name().text().length();
        lines[p.pos().line() - 1] = line.substring(0, from) + " ".repeat(to - from) + line.substring(to);
        return String.join("\n", lines);
    }

    private static String quoted(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Writes the entries that ran (not the ones that failed or were undone) as a script. */
    private void save(Path file) {
        StringBuilder b = new StringBuilder("# saved from an mmn REPL session\n");
        if (opts.seed != 0) b.append("# recorded with --seed ").append(opts.seed).append('\n');
        b.append("profile ").append(startProfile).append('\n');
        List<Entry> inOrder = new ArrayList<>(entries);
        java.util.Collections.reverse(inOrder);
        Path dir = file.toAbsolutePath().normalize().getParent();
        for (Entry e : inOrder) {
            Path included = loaded.get(e.script());
            if (included != null) b.append("include ").append(quoted(dir.relativize(included))).append('\n');
            else b.append(e.script().strip()).append('\n');
        }
        try {
            Files.writeString(file, b.toString(), StandardCharsets.UTF_8);
            out.println("saved " + inOrder.size() + (inOrder.size() == 1 ? " entry" : " entries") + " to " + file);
        } catch (IOException e) {
            err.println("mmn: cannot write " + file + ": " + e.getMessage());
        }
    }

    private void list() {
        World w = session().world();
        out.println("profile " + w.profile().name());
        for (Space s : w.spaces().values()) {
            out.println("space " + s.name() + (s.vmas().isEmpty() ? " (nothing mapped)" : ""));
            for (Vma v : s.vmas()) out.println("  map " + v);
        }
        for (Device d : w.devices().values()) {
            out.println("device " + d.name() + " " + d.kind() + (d.space() == null ? " (not bound)" : " bound to " + d.space().name())
                    + (d.failed() ? ", FAILED" : "") + (d.blocked() ? ", blocked" : ""));
        }
        for (Space s : w.spaces().values())
            for (Subscriber sub : w.subscribers(s)) out.println("notifier " + sub);
        session().variables().forEach((k, v) -> out.println("let " + k + " = " + v));
    }

    private void trace(String arg) {
        List<Trace.Event> all = session().world().trace().events();
        List<Trace.Event> shown;
        if (arg != null) {
            int n;
            try {
                n = Integer.parseInt(arg);
            } catch (NumberFormatException e) {
                out.println("usage: :trace [N]");
                return;
            }
            shown = all.subList(Math.max(0, all.size() - n), all.size());
        } else {
            shown = all.subList(Math.min(lastTraceFrom, all.size()), all.size());
        }
        if (shown.isEmpty()) out.println("no events");
        for (Trace.Event e : shown) {
            String where = e.operation() == null ? "" : e.operation() + (e.phase() == null ? "" : "/" + e.phase()) + " ";
            out.printf("%5d  %s%-6s %s%n", e.seq(), where, e.type(), e.text());
        }
    }
}
