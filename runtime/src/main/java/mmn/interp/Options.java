package mmn.interp;

import java.nio.file.Path;

/** Command-line settings a session starts with. */
public final class Options {
    /** Profile to use unless the script declares one; null = the engine's default. */
    public String profile;
    public long seed;
    public boolean quiet;
    public Path traceFile;
    /** --junit FILE: JUnit XML over every file run. */
    public Path junitFile;
    /** --report FILE: the HTML (or .svg) report over every file run. */
    public Path reportFile;
    /** Explore bounds: distinct states, schedule length, wall time; workers (0 = one a core). */
    public long maxStates = mmn.engine.explore.Bounds.DEFAULT_MAX_STATES;
    public int maxDepth = mmn.engine.explore.Bounds.DEFAULT_MAX_DEPTH;
    /** --no-por: explores without the sleep-set reduction (docs/explore.md). */
    public boolean noPor;
    public java.time.Duration timeout;
    /**
     * Run budget: engine micro-steps plus statements and loop iterations (0 = no limit); --timeout bounds the run too.
     * 10^7 is 500 times what the largest script in scripts/ takes (under 2*10^4), and runs out in seconds, not minutes.
     */
    public long maxSteps = DEFAULT_MAX_STEPS;
    public static final long DEFAULT_MAX_STEPS = 10_000_000L;
    /** Draw a progress line on standard error about once a second (a terminal, not --quiet). */
    public boolean progress;
    public int threads;
    /** `mmn check`: only explores report; other output is quiet. */
    public boolean checkOnly;
    /** An internal error prints the Java stack trace (--debug, or MMN_DEBUG set). */
    public boolean debug = System.getenv("MMN_DEBUG") != null;
}
