package mmn.tests;

import mmn.engine.check.Violation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;
import mmn.report.TraceDoc;
import mmn.report.TraceDocs;

/** A script run in-process: its outcome, what it printed, the violation kinds it raised, and its typed trace. */
record Run(Outcome outcome, String out, String err, Set<String> kinds, TraceDoc.FileRun trace) {
    static final Path SCRIPTS = Path.of(System.getProperty("mmn.scripts", "../scripts")).toAbsolutePath().normalize();

    static Run file(Path file) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        Session s = new Session(new Options(), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        Outcome outcome = s.runFile(file);
        Set<String> kinds = new TreeSet<>();
        for (Violation v : s.findings()) kinds.add(v.kind().label());
        return new Run(outcome, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8), kinds,
                TraceDocs.fileRun(SCRIPTS.getParent().relativize(file.toAbsolutePath().normalize()).toString(), s, outcome));
    }

    /** Runs text written to a temporary file named {@code name} (so diagnostics carry a file name). */
    static Run text(Path dir, String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, text);
        return file(f);
    }
}
