package mmn.parse;

import java.util.LinkedHashMap;
import java.util.Map;

/** The usage line of every statement, for syntax-error hints and the REPL's :help. */
public final class Usage {
    private Usage() {}

    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        put("profile", "profile NAME                      (linux-3.16, linux-3.19, linux-4.15, linux-6.5, linux-6.8)");
        put("memory", "memory SIZE                       (e.g. memory 64M)");
        put("set", "set KNOB VALUE                    (gather-batch N, storm-threshold N, arch x86|arm64)");
        put("space", "space NAME");
        put("map", "map SPACE RANGE PROT (anon | file \"NAME\") [shared] [huge] [hugetlb]");
        put("device", "device NAME KIND [{ atc N; walk-cache on; pri retries N }]   (kinds: ats, mirror, kvm)");
        put("bind", "bind DEVICE SPACE");
        put("notifier", "notifier NAME on SPACE [for DEVICE] (uses STRATEGY | { on EVENT(r) { ... } ... })");
        put("unregister", "unregister NOTIFIER");
        put("touch", "touch SPACE RANGE read|write");
        put("dma", "dma DEVICE SPACE RANGE read|write");
        put("munmap", "munmap SPACE RANGE [{ after PHASE { ... } }]");
        put("dontneed", "dontneed SPACE RANGE [{ after PHASE { ... } }]");
        put("mprotect", "mprotect SPACE RANGE PROT [{ after PHASE { ... } }]");
        put("migrate", "migrate SPACE RANGE [{ after PHASE { ... } }]");
        put("ksm", "ksm SPACE ADDR SPACE ADDR [{ after PHASE { ... } }]");
        put("split", "split SPACE ADDR");
        put("collapse", "collapse SPACE ADDR");
        put("fork", "fork PARENT CHILD [{ after PHASE { ... } }]");
        put("cow", "cow SPACE ADDR [{ after PHASE { ... } }]");
        put("reclaim", "reclaim SPACE RANGE");
        put("uprobe", "uprobe SPACE ADDR");
        put("remap", "remap SPACE RANGE");
        put("mremap", "mremap SPACE RANGE to ADDR");
        put("age", "age SPACE RANGE");
        put("oom-reap", "oom-reap SPACE");
        put("exit", "exit SPACE");
        put("expect", "expect coherent [{ ... }] | expect violation KIND { ... } | expect failed|healthy DEVICE"
                + " | expect faults DEVICE OP N | expect same-frame|different-frame SPACE ADDR SPACE ADDR | expect mapped|unmapped SPACE ADDR"
                + " | expect dma DEVICE SPACE RANGE read|write ok|invalid|failed|stalled|abandoned");
        put("explore", "explore { OPERATIONS } with { DEVICE ACTIONS } [with { ... }]... [expect coherent | expect violation KIND]");
        put("show", "show SPACE | show DEVICE | show frames | show trace");
        put("let", "let NAME = EXPR");
        put("for", "for NAME in FROM..TO { ... }     (TO excluded)");
        put("repeat", "repeat N { ... }");
        put("include", "include \"FILE\"                    (relative to the including file)");
        put("print", "print \"TEXT\" EXPR ...");
        put("if", "if EXPR OP EXPR { ... } [else { ... }]");
        put("flush", "flush DEVICE RANGE | flush DEVICE all");
        put("block", "block DEVICE");
        put("unblock", "unblock DEVICE");
        put("detach", "detach DEVICE");
        put("set-root", "set-root DEVICE empty | set-root DEVICE SPACE");
        put("on", "on EVENT(r) { ... }   (events: start, end, range, page, change-pte, clear-young, release)");
    }

    private static void put(String k, String u) {
        USAGE.put(k, u);
    }

    /** "usage: ..." for a statement keyword, or null. */
    public static String of(String keyword) {
        String u = USAGE.get(keyword);
        return u == null ? null : "usage: " + u;
    }

    public static String keywords() {
        return String.join(", ", USAGE.keySet()).replace(", on", "");
    }

    public static Map<String, String> all() {
        return Map.copyOf(USAGE);
    }

    /** The statement keyword a typo most likely meant (edit distance at most 2), or null. */
    public static String closestKeyword(String word) {
        return Suggest.closest(word, USAGE.keySet());
    }
}
