package mmn.ast;

/** An identifier as written (a space, device, notifier, phase, kind...), with its position. */
public record Name(Pos pos, String text) {
    @Override
    public String toString() {
        return text;
    }
}
