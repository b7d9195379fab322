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
}
