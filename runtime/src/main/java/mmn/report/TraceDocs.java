package mmn.report;

import mmn.engine.check.Trace;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import java.util.ArrayList;
import java.util.List;
import mmn.engine.explore.Result;
import mmn.interp.Outcome;
import mmn.interp.Session;

/** Builds the typed trace ({@link TraceDoc}) from the engine's events and a session's results. */
public final class TraceDocs {
    public static final String TOOL = "mmn 0.1.0";

    private TraceDocs() {}

    /** One document over the files run, with their summary. */
    public static TraceDoc of(List<TraceDoc.FileRun> files) {
        return new TraceDoc(TraceDoc.VERSION, TOOL, List.copyOf(files), summary(files));
    }

    /** A file's run: every event of its world, its explores, the violations it stopped on. */
    public static TraceDoc.FileRun fileRun(String file, Session s, Outcome o) {
        List<TraceDoc.Event> events = new ArrayList<>();
        for (Trace.Event e : s.world().trace().events()) events.add(event(e, null));
        List<TraceDoc.Explore> explores = new ArrayList<>();
        for (Session.ExploreRun x : s.explores()) {
            explores.add(explore(x));
        }
        List<TraceDoc.Failure> failures = new ArrayList<>();
        for (Session.Unexpected u : s.unexpected()) {
            for (mmn.engine.check.Violation v : u.violations()) failures.add(new TraceDoc.Failure(at(u.at()), violation(v)));
        }
        String outcome = switch (o) {
            case OK -> "ok";
            case VIOLATION -> "violation";
            case INCONCLUSIVE -> "inconclusive";
            case ERROR -> "error";
            case INTERNAL -> "internal-error";
        };
        boolean failed = o == Outcome.ERROR || o == Outcome.INTERNAL;
        return new TraceDoc.FileRun(file, s.world().profile().name(), s.world().seed(), outcome, o.exitCode(),
                failed ? s.error() : null, events, explores, failures);
    }

    static boolean isInconclusive(Result r) {
        return r.verdict() != mmn.engine.explore.Verdict.COHERENT && r.verdict() != mmn.engine.explore.Verdict.VIOLATION;
    }

    private static TraceDoc.Explore explore(Session.ExploreRun x) {
        Result r = x.result();
        TraceDoc.Counterexample cx = null;
        if (r.counterexample() != null) {
            List<TraceDoc.Step> steps = new ArrayList<>();
            for (mmn.engine.explore.Counterexample.Step st : r.counterexample().steps()) {
                List<TraceDoc.Event> evs = new ArrayList<>();
                for (Trace.Event e : st.events()) evs.add(event(e, x.at()));
                steps.add(new TraceDoc.Step(st.n(), st.thread(), st.phase(), st.label(), evs));
            }
            cx = new TraceDoc.Counterexample(violation(r.counterexample().violation()), steps);
        }
        String result = x.expected() == null ? (isInconclusive(r) || r.counterexample() != null ? "failed" : "none")
                : x.held() ? "held" : "failed";
        var st = r.stats();
        return new TraceDoc.Explore(at(x.at()), x.text(), verdict(r), r.bound() == null ? null : r.bound().label(), x.expected(),
                result, new TraceDoc.Stats(st.statesVisited(), st.distinctStates(), st.transitions(), st.maxDepth()), cx);
    }

    private static String verdict(Result r) {
        return r.verdict().name().toLowerCase().replace('_', '-');
    }

    /** An engine event as the typed trace has it; {@code where} stands in for events without a place (explore replays). */
    static TraceDoc.Event event(Trace.Event e, Trace.Where where) {
        Trace.Fields f = e.fields();
        TraceDoc.AddrRange range = null;
        if (f.start != null) {
            boolean whole = new Range(f.start, f.end).wholeMm();
            range = new TraceDoc.AddrRange(Addr.hex(f.start), whole ? "0xffffffffffffffff" : Addr.hex(f.end), whole ? Boolean.TRUE : null);
        }
        return new TraceDoc.Event(e.seq(), e.type(), e.statement() == 0 ? null : e.statement(), at(e.at() != null ? e.at() : where),
                e.operation(), e.phase(), f.hook, f.site, f.cite, f.device, f.space, range, f.address == null ? null : Addr.hex(f.address),
                f.write, f.pfn, f.gen, f.level, f.result, f.entry, f.why, f.count, f.pfns, e.text());
    }

    static TraceDoc.Violation violation(mmn.engine.check.Violation v) {
        return new TraceDoc.Violation(v.kind().label(), v.statement(), v.operation(), v.phase(), v.device(), v.entry(),
                v.pfn() >= 0 ? v.pfn() : null, v.pfn() >= 0 ? v.gen() : null, v.why());
    }

    static TraceDoc.At at(Trace.Where w) {
        return w == null ? null : new TraceDoc.At(w.file(), w.line(), w.col());
    }

    /** The summary line's numbers, counted from the documents' own events (so a trace file alone gives them). */
    public static TraceDoc.Summary summary(List<TraceDoc.FileRun> files) {
        int held = 0, failed = 0, violations = 0, inconclusive = 0, errors = 0;
        for (TraceDoc.FileRun f : files) {
            if (f.error() != null) errors++;
            for (TraceDoc.Event e : f.events()) {
                if (!e.kind().equals("expect")) continue;
                if ("held".equals(e.result())) held++;
                else failed++;
            }
            int cutExplores = 0;
            for (TraceDoc.Explore x : f.explores()) {
                if (x.expected() != null && x.verdict().matches("coherent|violation")) {
                    if ("held".equals(x.result())) held++;
                    else failed++;
                }
                if (!x.verdict().matches("coherent|violation")) cutExplores++;
            }
            // a run stopped by --max-steps or --timeout outside any explore is inconclusive too
            inconclusive += cutExplores > 0 || !"inconclusive".equals(f.outcome()) ? cutExplores : 1;
            violations += f.failures().size();
        }
        return new TraceDoc.Summary(files.size(), held, failed, violations, inconclusive, errors);
    }

    /** {@code 3 files, 12 expectations held, 1 failed, 1 violations, 0 inconclusive, 0.8 s} (errors only when there were some). */
    public static String summaryLine(TraceDoc.Summary s, double seconds) {
        return s.files() + (s.files() == 1 ? " file, " : " files, ") + s.expectationsHeld() + " expectations held, "
                + s.expectationsFailed() + " failed, " + s.violations() + " violations, " + s.inconclusive() + " inconclusive, "
                + (s.errors() > 0 ? s.errors() + " errors, " : "") + String.format(java.util.Locale.ROOT, "%.1f s", seconds);
    }
}
