package mmn.engine.explore;

import mmn.engine.check.Trace;
import mmn.engine.check.Violation;
import java.util.List;

/**
 * A shortest interleaving that breaks coherence (or, in a {@link BoundReport}, one that
 * reached the bound: then {@code violation} is null), as numbered steps a person can
 * follow: who moved (the operation, "op", or a device thread "T1".."Tn"), the phase
 * the operation was at, what ran, the hooks it fired and the violations it raised.
 * The violation names the device, the cache entry, the frame and its generation.
 */
public record Counterexample(List<Step> steps, Violation violation) {

    /**
     * One step. {@code thread} is "op", "T1".."Tn", or "end" for the statement-end
     * coherence check; {@code phase} is the operation's phase after the step (null
     * before the operation starts); {@code events} everything the engine recorded in it.
     */
    public record Step(int n, String thread, String phase, String label, List<String> hooks, List<Violation> violations,
                       List<Trace.Event> events) {}

    /** Who moved at each step, in order: the schedule in short. */
    public List<String> schedule() {
        return steps.stream().map(Step::thread).toList();
    }

    public String render() {
        return render("counterexample");
    }

    /** The steps under a title ("counterexample", or "one schedule that reached the bound"). */
    public String render(String title) {
        StringBuilder b = new StringBuilder(title).append(", ").append(steps.size()).append(" steps:\n");
        for (Step s : steps) {
            b.append(String.format("  %2d. %-4s %-28s %s%n", s.n(), s.thread(),
                    s.phase() == null ? "(before the operation)" : "[phase " + s.phase() + "]", s.label()));
            for (String h : s.hooks()) b.append("        hook: ").append(h).append('\n');
            for (Violation v : s.violations()) {
                b.append("        ").append(v.headline()).append('\n');
                if (v.entry() != null) b.append("          entry: ").append(v.entry()).append('\n');
                if (v.pfn() >= 0) b.append("          frame: pfn ").append(v.pfn()).append(" gen ").append(v.gen()).append('\n');
                b.append("          why:   ").append(v.why()).append('\n');
            }
        }
        return b.toString();
    }
}
