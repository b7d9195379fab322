package mmn.engine.profile;

import mmn.engine.EngineException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Renders profile tables for people: an operation's outline with the hooks each call
 * site fires under a profile, or two profiles side by side.
 */
public final class ProfileReport {
    private ProfileReport() {}

    /** Hook names as the kernel of that profile spells them. */
    static String hookNames(Profile p, List<Hook> hooks) {
        if (hooks.isEmpty()) return "-";
        List<String> out = new ArrayList<>();
        for (Hook h : hooks) {
            switch (h) {
                case INVALIDATE_RANGE_START: out.add("invalidate_range_start"); break;
                case INVALIDATE_RANGE_END:
                    out.add(p.endCallsRange ? "invalidate_range_end (+" + p.rangeHookName + " first)" : "invalidate_range_end");
                    break;
                case INVALIDATE_RANGE_ONLY_END: out.add("invalidate_range_only_end"); break;
                case INVALIDATE_RANGE: out.add(p.rangeHookName); break;
                case INVALIDATE_PAGE: out.add("invalidate_page"); break;
                case CHANGE_PTE: out.add("change_pte"); break;
                case RELEASE: out.add("release"); break;
                case CLEAR_FLUSH_YOUNG: out.add("clear_flush_young"); break;
                case CLEAR_YOUNG: out.add("clear_young"); break;
                case TEST_YOUNG: out.add("test_young"); break;
                default: out.add(h.name());
            }
        }
        return String.join(", ", out);
    }

    /** The whole profile: summary, flags, and every operation's outline. */
    public static String describe(Profile p) {
        StringBuilder b = new StringBuilder();
        b.append(p.name).append(": ").append(p.summary).append('\n');
        b.append("  secondary-TLB hook: ").append(p.rangeHookName)
                .append(p.endCallsRange ? " (also first thing in invalidate_range_end)" : "").append('\n');
        b.append("  invalidate_page: ").append(p.hasInvalidatePage ? "yes" : "no").append('\n');
        b.append("  start may fail (non-blocking): ").append(p.startMayFail ? "yes" : "no").append('\n');
        for (String op : Operations.names()) b.append('\n').append(describe(p, op));
        return b.toString();
    }

    /** One operation under one profile: each step, the hooks at its site, the lock, the source. */
    public static String describe(Profile p, String op) {
        if (!Operations.exists(op)) throw new EngineException("unknown operation '" + op + "'", "operations: " + String.join(", ", Operations.names()));
        StringBuilder b = new StringBuilder();
        b.append(op).append(" under ").append(p.name);
        List<String> phases = Operations.phases(op);
        if (!phases.isEmpty()) b.append("  (phases: ").append(String.join(", ", phases)).append(')');
        b.append('\n');
        if (!Operations.availableIn(op, p)) b.append("  (not in this kernel: the operation is an error under ").append(p.name).append(")\n");
        int i = 1;
        for (Operations.Step s : Operations.outline(op)) {
            b.append(String.format("  %2d. %s%n", i++, s.what()));
            if (s.site() != null && p.hasSite(s.site())) {
                SiteRow r = p.row(s.site());
                b.append(String.format("      hooks: %s   [lock %s]%n", hookNames(p, r.hooks()), r.lock().label()));
                b.append(String.format("      source: %s%n", r.cite()));
                for (Arch arch : Arch.values()) {
                    SiteRow ar = p.row(s.site(), arch);
                    if (ar != r) {
                        b.append(String.format("      on %s: %s   [lock %s]%n", arch.name().toLowerCase(), hookNames(p, ar.hooks()), ar.lock().label()));
                        b.append(String.format("      source: %s%n", ar.cite()));
                    }
                }
            }
            if (s.phase() != null) b.append(String.format("      phase: %s%n", s.phase()));
        }
        return b.toString();
    }

    /**
     * Profile flags that change the order of an operation's steps rather than its hooks,
     * so a diff shows them too (the CPU flush of mremap under the PTL, reclaim's batched
     * flush, ...). Operation, what the flag decides, its value under a profile.
     */
    private record Flag(String op, String what, Function<Profile, String> value) {}

    private static final List<Flag> FLAGS = List.of(
            new Flag("mremap", "move_ptes flushes the CPU TLB under the PTL (force_flush)", p -> switch (p.mremapFlush()) {
                case AFTER_UNLOCK -> "never (after the loop)";
                case DIRTY_UNDER_PTL -> "for a present dirty PTE";
                case PRESENT_UNDER_PTL -> "for every present PTE";
            }),
            new Flag("mprotect", "the flush is an mmu_gather's (tlb_finish_mmu, queued PTEs only)", p -> yesNo(p.mprotectGathers())),
            new Flag("remap", "remap_file_pages is an mmap(MAP_FIXED|MAP_POPULATE) emulation", p -> yesNo(p.remapEmulated())),
            new Flag("reclaim", "the CPU flush is batched (TTU_BATCH_FLUSH)", p -> yesNo(p.batchedUnmapFlush())),
            new Flag("oom-reap", "an mm with subscribers is skipped", p -> yesNo(p.oomReaperSkipsSubscribed())),
            new Flag("munmap", "hugetlb: notifier range widened for PMD sharing", p -> yesNo(p.hugetlbPmdShareWidening())),
            new Flag("munmap", "hugetlb: PUD span flushed after huge_pmd_unshare", p -> yesNo(p.hugetlbUnshareFlush())),
            new Flag("dontneed", "hugetlb VMAs accepted", p -> yesNo(p.hugetlbDontneed())));

    private static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }

    /** Two profiles side by side for one operation; rows that differ are marked with '*'. */
    public static String diff(Profile a, Profile b, String op) {
        if (!Operations.exists(op)) throw new EngineException("unknown operation '" + op + "'", "operations: " + String.join(", ", Operations.names()));
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "step", a.name, b.name});
        int i = 1;
        for (Operations.Step s : Operations.outline(op)) {
            String ha = s.site() != null && a.hasSite(s.site()) ? hookNames(a, a.row(s.site()).hooks()) : "-";
            String hb = s.site() != null && b.hasSite(s.site()) ? hookNames(b, b.row(s.site()).hooks()) : "-";
            rows.add(new String[] {ha.equals(hb) ? " " : "*", i++ + ". " + s.what(), ha, hb});
        }
        int w1 = 0, w2 = 0, w3 = 0;
        for (String[] r : rows) {
            w1 = Math.max(w1, Math.min(60, r[1].length()));
            w2 = Math.max(w2, r[2].length());
            w3 = Math.max(w3, r[3].length());
        }
        StringBuilder out = new StringBuilder(op + ": " + a.name + " vs " + b.name + "\n");
        for (String[] r : rows) {
            String step = r[1].length() > 60 ? r[1].substring(0, 57) + "..." : r[1];
            out.append(String.format("%s %-" + w1 + "s | %-" + w2 + "s | %s%n", r[0], step, r[2], r[3]));
        }
        for (Flag f : FLAGS) {
            if (!f.op().equals(op)) continue;
            String va = f.value().apply(a), vb = f.value().apply(b);
            out.append(String.format("%s flag: %s: %s | %s%n", va.equals(vb) ? " " : "*", f.what(), va, vb));
        }
        return out.toString();
    }
}
