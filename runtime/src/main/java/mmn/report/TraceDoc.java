package mmn.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The typed trace, version {@link #VERSION} (docs/trace-format.md, the JSON Schema in
 * mmn/report/trace.schema.json): one document for one {@code mmn run}, any number of
 * files. Records only, written and read by Jackson ({@link TraceJson}); the HTML and
 * JUnit reports are drawn from this model, so they work from a trace file alone.
 * Deterministic: no wall-clock times (the same scripts and seed give the same bytes).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TraceDoc(int version, String tool, List<FileRun> files, Summary summary) {
    /** Bumped on any change a reader would notice; additions of optional fields keep it. */
    public static final int VERSION = 1;

    /** A place in a script: file as given, 1-based line and column. */
    public record At(String file, int line, int col) {
        @Override
        public String toString() {
            return file + ":" + line + ":" + col;
        }
    }

    /** A virtual address range [start, end) in hex; wholeMm when the kernel's (0, ULONG_MAX). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AddrRange(String start, String end, Boolean wholeMm) {}

    /**
     * One script's run. outcome: ok (exit 0), violation (a violation or a failed
     * expectation, 1), error (the script could not run, 2), inconclusive (an explore cut
     * short by a bound, 3), internal-error (a bug in mmn, 4).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FileRun(String file, String profile, long seed, String outcome, int exitCode, String error,
                          List<Event> events, List<Explore> explores, List<Failure> failures) {}

    /**
     * One engine event. kind: hook, step, access, flush, fault, free, violation, expect,
     * decl, device, print, and the operation-specific ones (unlink, copy, reclaim, age,
     * ksm, khugepaged, oom, unshare). Unset fields are left out.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(int seq, String kind, Integer statement, At at, String operation, String phase,
                        String hook, String site, String cite, String device, String space, AddrRange range, String address,
                        Boolean write, Integer pfn, Integer gen, String level, String result, String entry, String why,
                        Integer count, List<Integer> pfns, String text) {}

    /** A violation: its kind, where in the operation, the stale thing, the frame and its generation, why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Violation(String kind, String statement, String operation, String phase, String device, String entry,
                            Integer pfn, Integer gen, String why) {}

    /** A violation no expectation asked for (or one that failed an expectation), where the run stopped on it. */
    public record Failure(At at, Violation violation) {}

    /**
     * An explore: its verdict (coherent, violation, bound-hit, timeout, cancelled), the
     * expected verdict if the script gave one, result (held, failed, or none when nothing
     * was expected), statistics, and the shortest counterexample when one was found.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Explore(At at, String text, String verdict, String bound, String expected, String result, Stats stats,
                          Counterexample counterexample) {}

    public record Stats(long states, long distinct, long transitions, int depth) {}

    public record Counterexample(Violation violation, List<Step> steps) {}

    /** One step of a counterexample: who moved (op, T1.., end), the operation's phase after it, what ran, its events. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(int n, String thread, String phase, String label, List<Event> events) {}

    /** Over all files: the numbers of the summary line (no times: the trace is deterministic). */
    public record Summary(int files, int expectationsHeld, int expectationsFailed, int violations, int inconclusive, int errors) {}
}
