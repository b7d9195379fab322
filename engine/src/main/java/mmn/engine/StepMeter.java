package mmn.engine;

/**
 * Counts the engine's micro-steps (every hook fired, phase step, access, declaration,
 * print: each trace event) against a front end's budget; it may stop the run by throwing.
 * A world's copies (explore, snapshots) carry none: explores have bounds of their own.
 */
@FunctionalInterface
public interface StepMeter {
    StepMeter NONE = () -> {};

    void step();
}
