package mmn.parse;

import java.util.List;
import mmn.ast.Diagnostic;
import mmn.ast.Pos;

/** Integer and size literals: 4096, 0x40_0000, 4K, 2M, 1G (binary units). */
final class Literals {
    private Literals() {}

    static long integer(String text, Pos pos) {
        String digits = text.replace("_", "");
        try {
            // signed 64-bit: 0xffffffffffffffff is refused, never read as -1 (it would wrap an address silently)
            if (digits.startsWith("0x") || digits.startsWith("0X")) return Long.parseLong(digits.substring(2), 16);
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new ParseError(List.of(new Diagnostic(pos, "integer literal " + text + " is too large",
                    "values are signed 64-bit: at most 0x7fffffffffffffff (9223372036854775807)")));
        }
    }

    static long size(String text, Pos pos) {
        char unit = text.charAt(text.length() - 1);
        int shift = unit == 'K' ? 10 : unit == 'M' ? 20 : 30;
        long n = integer(text.substring(0, text.length() - 1), pos);
        if (n > (Long.MAX_VALUE >> shift))
            throw new ParseError(List.of(new Diagnostic(pos, "size " + text + " is too large",
                    "values are signed 64-bit: at most " + (Long.MAX_VALUE >> shift) + unit)));
        return n << shift;
    }
}
