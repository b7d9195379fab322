package mmn.cli;

/**
 * The exit codes, one meaning each, as `mmn --help` lists them (picocli's
 * "key:description" form); the numbers are {@link mmn.interp.Outcome}'s.
 */
final class ExitCodes {
    static final String HEADING = "%nExit codes:%n";
    static final String OK = "0:ok: every expectation held, no violation";
    static final String VIOLATION = "1:a violation, or a failed expectation";
    static final String ERROR = "2:a script error or a usage error";
    static final String INCONCLUSIVE = "3:inconclusive: a bound, budget or timeout cut the work short and nothing was found";
    static final String INTERNAL = "4:internal error (a bug in mmn: please report it; --debug shows the Java stack trace)";

    private ExitCodes() {}
}
