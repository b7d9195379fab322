package mmn.report;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * JUnit XML (the Ant/Jenkins/GitLab/GitHub reporters' format) from a typed trace: one
 * testsuite per file; one testcase per expectation and per explore, failed when it
 * failed; one failing testcase per violation no expectation asked for, with its file
 * and line; an error testcase for a script that could not run, and for an explore cut
 * short by a bound (inconclusive is not a pass). Written with StAX, never by hand.
 */
public final class JUnitXml {
    private JUnitXml() {}

    private record Case(String name, String file, int line, String outcome, String type, String message, String detail) {}

    public static String write(TraceDoc doc, double seconds) {
        StringWriter sw = new StringWriter();
        try {
            XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(sw);
            x.writeStartDocument("UTF-8", "1.0");
            x.writeCharacters("\n");
            List<List<Case>> suites = new ArrayList<>();
            int tests = 0, failures = 0, errors = 0;
            for (TraceDoc.FileRun f : doc.files()) {
                List<Case> cs = cases(f);
                suites.add(cs);
                tests += cs.size();
                failures += count(cs, "failure");
                errors += count(cs, "error");
            }
            x.writeStartElement("testsuites");
            x.writeAttribute("name", "mmn");
            x.writeAttribute("tests", String.valueOf(tests));
            x.writeAttribute("failures", String.valueOf(failures));
            x.writeAttribute("errors", String.valueOf(errors));
            x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", seconds));
            for (int i = 0; i < doc.files().size(); i++) suite(x, doc.files().get(i), suites.get(i));
            x.writeCharacters("\n");
            x.writeEndElement();
            x.writeCharacters("\n");
            x.writeEndDocument();
            x.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("JUnit XML", e);
        }
        return sw.toString();
    }

    private static int count(List<Case> cs, String outcome) {
        return (int) cs.stream().filter(c -> outcome.equals(c.outcome())).count();
    }

    private static void suite(XMLStreamWriter x, TraceDoc.FileRun f, List<Case> cs) throws XMLStreamException {
        x.writeCharacters("\n  ");
        x.writeStartElement("testsuite");
        x.writeAttribute("name", f.file());
        x.writeAttribute("tests", String.valueOf(cs.size()));
        x.writeAttribute("failures", String.valueOf(count(cs, "failure")));
        x.writeAttribute("errors", String.valueOf(count(cs, "error")));
        x.writeAttribute("skipped", "0");
        for (Case c : cs) {
            x.writeCharacters("\n    ");
            x.writeStartElement("testcase");
            x.writeAttribute("classname", className(f.file()));
            x.writeAttribute("name", c.name());
            x.writeAttribute("file", c.file());
            if (c.line() > 0) x.writeAttribute("line", String.valueOf(c.line()));
            x.writeAttribute("time", "0");
            if (c.outcome() != null) {
                x.writeStartElement(c.outcome());
                x.writeAttribute("type", c.type());
                x.writeAttribute("message", c.message());
                if (c.detail() != null) x.writeCharacters(c.detail());
                x.writeEndElement();
            }
            x.writeEndElement();
        }
        x.writeCharacters("\n  ");
        x.writeEndElement();
    }

    /** "scripts/claims/1-x.mmn" -> "scripts.claims.1-x": reporters group test classes by dots. */
    static String className(String file) {
        return file.replaceFirst("\\.mmn$", "").replaceAll("^[./]+", "").replace('/', '.');
    }

    private static List<Case> cases(TraceDoc.FileRun f) {
        List<Case> cs = new ArrayList<>();
        if (f.error() != null)
            cs.add(new Case("script", f.file(), 0, "error", "internal-error".equals(f.outcome()) ? "internal-error" : "script-error", f.error(), null));
        for (TraceDoc.Event e : f.events()) {
            if (!e.kind().equals("expect")) continue;
            boolean held = "held".equals(e.result());
            cs.add(new Case(name(e.at(), e.text()), file(e.at(), f), line(e.at()), held ? null : "failure", "expectation",
                    held ? null : e.why(), held ? null : e.at() + ": " + e.text() + "\n" + e.why()));
        }
        for (TraceDoc.Explore x : f.explores()) {
            String outcome = switch (x.result()) {
                case "failed" -> x.verdict().matches("coherent|violation") ? "failure" : "error";
                default -> null;
            };
            String msg = outcome == null ? null : "explore " + x.verdict() + (x.bound() != null ? " (" + x.bound() + ")" : "")
                    + (x.expected() != null ? ", expected " + x.expected() : "");
            cs.add(new Case(name(x.at(), x.text()), file(x.at(), f), line(x.at()), outcome,
                    outcome == null ? null : "error".equals(outcome) ? "inconclusive" : "explore", msg,
                    outcome == null ? null : x.at() + ": " + x.text() + "\n" + x.stats()));
        }
        for (TraceDoc.Failure v : f.failures()) {
            TraceDoc.Violation vi = v.violation();
            String head = "violation " + vi.kind() + (vi.device() != null ? " on " + vi.device() : "")
                    + (vi.operation() != null ? " during " + vi.operation() : "") + (vi.phase() != null ? " at phase '" + vi.phase() + "'" : "");
            StringBuilder d = new StringBuilder(v.at() + ": " + head + "\n");
            if (vi.entry() != null) d.append("entry: ").append(vi.entry()).append('\n');
            if (vi.pfn() != null) d.append("frame: pfn ").append(vi.pfn()).append(" gen ").append(vi.gen()).append('\n');
            d.append("why: ").append(vi.why());
            cs.add(new Case(head + " at " + v.at(), file(v.at(), f), line(v.at()), "failure", vi.kind(), head + ": " + vi.why(), d.toString()));
        }
        if (cs.isEmpty()) cs.add(new Case("run", f.file(), 0, null, null, null, null));
        return cs;
    }

    private static String name(TraceDoc.At at, String text) {
        return (at == null ? "" : "line " + at.line() + ": ") + text;
    }

    private static String file(TraceDoc.At at, TraceDoc.FileRun f) {
        return at == null ? f.file() : at.file();
    }

    private static int line(TraceDoc.At at) {
        return at == null ? 0 : at.line();
    }
}
