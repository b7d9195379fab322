package mmn.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import mmn.interp.Options;
import mmn.interp.Outcome;
import mmn.interp.Session;

/**
 * {@code mmn run FILE|DIR...}: every script (a directory: every .mmn under it, sorted),
 * each in a session of its own; then the outputs over all of them: the typed trace
 * (--trace), JUnit XML (--junit), the HTML report (--report) and the summary line.
 * Front-end independent: the CLI only parses flags and calls {@link #run}.
 */
public final class Batch {
    private Batch() {}

    /** The scripts named: files as given, directories walked for .mmn files in path order. */
    public static List<Path> expand(List<String> args) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String a : args) {
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(f -> f.toString().endsWith(".mmn") && Files.isRegularFile(f)).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    /** Runs the scripts; returns the exit code of the worst outcome (Outcome.worst; an output that cannot be written: 2). */
    public static int run(List<String> args, Options opts, PrintStream out, PrintStream err) {
        long t0 = System.nanoTime();
        List<Path> files;
        try {
            files = expand(args);
        } catch (IOException e) {
            err.println("mmn: cannot list " + e.getMessage());
            return 2;
        }
        if (files.isEmpty()) {
            err.println("mmn: no .mmn scripts under " + String.join(", ", args));
            return 2;
        }
        Outcome worst = Outcome.OK;
        List<TraceDoc.FileRun> runs = new ArrayList<>();
        for (Path f : files) {
            Session s = new Session(opts, out, err);
            Outcome o = s.runFile(f);
            runs.add(TraceDocs.fileRun(f.toString(), s, o));
            worst = worst.worst(o);
        }
        TraceDoc doc = TraceDocs.of(runs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        try {
            if (opts.traceFile != null) write(opts.traceFile, TraceJson.write(doc));
            if (opts.junitFile != null) write(opts.junitFile, JUnitXml.write(doc, seconds));
            if (opts.reportFile != null) write(opts.reportFile, opts.reportFile.toString().endsWith(".svg")
                    ? HtmlReport.svg(doc) : HtmlReport.html(doc));
        } catch (IOException e) {
            err.println("mmn: cannot write " + e.getMessage());
            return 2;
        }
        if (!opts.quiet) out.println(TraceDocs.summaryLine(doc.summary(), seconds));
        return worst.exitCode();
    }

    static void write(Path file, String text) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) Files.createDirectories(dir);
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** {@code mmn report TRACE.json -o FILE.html|FILE.svg}: the report from a trace file alone. */
    public static int report(Path trace, Path output, PrintStream err) {
        try {
            TraceDoc doc = TraceJson.read(trace);
            write(output, output.toString().endsWith(".svg") ? HtmlReport.svg(doc) : HtmlReport.html(doc));
            return 0;
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            err.println("mmn: " + trace + " is not an mmn trace: " + e.getOriginalMessage());
            return 2;
        } catch (IOException e) {
            err.println("mmn: " + e.getMessage());
            return 2;
        }
    }
}
