package mmn.engine;

/** Runs injected actions right after an operation's micro-step (its phase). */
@FunctionalInterface
public interface PhaseListener {
    PhaseListener NONE = phase -> {};

    void after(String phase);
}
