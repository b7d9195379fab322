package mmn.engine;

/**
 * A request the engine cannot carry out (an unknown space, an address outside every
 * VMA, an operation the profile does not have). The front ends turn it into an error
 * with a position; it is never a violation.
 */
public class EngineException extends RuntimeException {
    private final String hint;

    public EngineException(String message) {
        this(message, null);
    }

    public EngineException(String message, String hint) {
        super(message);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }

    /** The hint for an unknown name: what is declared, or that nothing is yet. */
    public static String declared(String what, java.util.Collection<String> names) {
        if (names.isEmpty()) return "no " + what + " are declared yet";
        return "declared " + what + ": " + String.join(", ", names);
    }
}
