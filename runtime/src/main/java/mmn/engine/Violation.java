package mmn.engine;

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
        StringBuilder b = new StringBuilder(headline()).append('\n');
        if (statement != null) b.append("  statement: ").append(statement).append('\n');
        if (entry != null) b.append("  entry:     ").append(entry).append('\n');
        if (pfn >= 0) b.append("  frame:     pfn ").append(pfn).append(" gen ").append(gen).append('\n');
        b.append("  why:       ").append(why).append('\n');
        if (!hooks.isEmpty()) {
            b.append("  hooks so far in this statement:\n");
            int i = 1;
            for (String h : hooks) b.append(String.format("    %2d. %s%n", i++, h));
        }
        return b.toString();
    }
}
