package mmn.engine.check;

import java.util.List;

/**
 * A coherence violation: where it happened (statement, operation, phase), what
 * (device, cache entry, frame and generation), why, and the hooks that led there.
 */
public record Violation(
        ViolationKind kind,
        String statement,
        String operation,
        String phase,
        String device,
        String entry,
        int pfn,
        int gen,
        String why,
        List<String> hooks) {

    public String headline() {
        StringBuilder b = new StringBuilder();
        b.append("violation ").append(kind.label());
        if (device != null) b.append(" on ").append(device);
        if (operation != null) b.append(" during ").append(operation);
        if (phase != null) b.append(" at phase '").append(phase).append('\'');
        return b.toString();
    }

    /** Multi-line human report. */
    public String render() {
        return renderFacts() + renderHooks(hooks);
    }

    /** The headline and the facts, without the hook list. */
    private String renderFacts() {
        StringBuilder b = new StringBuilder(headline()).append('\n');
        if (statement != null) b.append("  statement: ").append(statement).append('\n');
        if (entry != null) b.append("  entry:     ").append(entry).append('\n');
        if (pfn >= 0) b.append("  frame:     pfn ").append(pfn).append(" gen ").append(gen).append('\n');
        b.append("  why:       ").append(why).append('\n');
        return b.toString();
    }

    private static String renderHooks(List<String> hooks) {
        if (hooks.isEmpty()) return "";
        StringBuilder b = new StringBuilder("  hooks so far in this statement:\n");
        int i = 1;
        for (String h : hooks) b.append(String.format("    %2d. %s%n", i++, h));
        return b.toString();
    }

    /**
     * Several violations: those of one statement are printed one after the other and share
     * one hook list (the last one's: each list is the statement's story so far, so the
     * last holds the others), instead of the same list again under each.
     */
    public static String renderAll(List<Violation> vs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < vs.size(); i++) {
            Violation v = vs.get(i);
            boolean lastOfStatement = i + 1 == vs.size() || !java.util.Objects.equals(vs.get(i + 1).statement, v.statement);
            b.append(v.renderFacts());
            if (lastOfStatement) {
                int group = 0;
                for (int j = i; j >= 0 && java.util.Objects.equals(vs.get(j).statement, v.statement); j--) group++;
                if (group > 1 && !v.hooks.isEmpty())
                    b.append("  (the ").append(group).append(" violations above share this statement's hooks)\n");
                b.append(renderHooks(v.hooks));
            }
        }
        return b.toString();
    }
}
