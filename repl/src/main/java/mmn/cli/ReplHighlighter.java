package mmn.cli;

import java.util.regex.Pattern;
import mmn.parse.Caret;
import mmn.parse.MmnLexer;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.Token;
import org.jline.reader.Highlighter;
import org.jline.reader.LineReader;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Colours an entry as it is typed, from the language's own lexer: keywords bold blue,
 * numbers and sizes cyan, strings green, comments faint, a character the lexer cannot
 * read red. Names stay plain. Colon commands are shown as typed.
 */
final class ReplHighlighter implements Highlighter {
    static final AttributedStyle KEYWORD = AttributedStyle.BOLD.foreground(AttributedStyle.BLUE);
    static final AttributedStyle NUMBER = AttributedStyle.DEFAULT.foreground(AttributedStyle.CYAN);
    static final AttributedStyle STRING = AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
    static final AttributedStyle COMMENT = AttributedStyle.DEFAULT.faint();
    static final AttributedStyle BAD = AttributedStyle.DEFAULT.foreground(AttributedStyle.RED);

    @Override
    public AttributedString highlight(LineReader reader, String buffer) {
        return highlight(buffer);
    }

    static AttributedString highlight(String buffer) {
        AttributedStringBuilder b = new AttributedStringBuilder();
        if (buffer.stripLeading().startsWith(":")) return b.append(buffer).toAttributedString();
        MmnLexer lexer = new MmnLexer(CharStreams.fromString(buffer));
        lexer.removeErrorListeners();
        int at = 0;
        // hidden tokens (blanks, comments) are skipped by the lexer: the gaps between tokens are copied as they are
        for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
            int start = t.getStartIndex();
            int stop = t.getStopIndex() + 1;
            if (start > at) gap(b, buffer.substring(at, start));
            b.styled(style(t), buffer.substring(start, stop));
            at = stop;
        }
        if (at < buffer.length()) gap(b, buffer.substring(at));
        return b.toAttributedString();
    }

    /** Text the lexer skipped: blanks, and comments from '#' or '//' to the end of the line. */
    private static void gap(AttributedStringBuilder b, String text) {
        int c = commentStart(text);
        if (c < 0) {
            b.append(text);
            return;
        }
        b.append(text.substring(0, c));
        int nl = text.indexOf('\n', c);
        int end = nl < 0 ? text.length() : nl;
        b.styled(COMMENT, text.substring(c, end));
        if (end < text.length()) gap(b, text.substring(end));
    }

    private static int commentStart(String text) {
        int hash = text.indexOf('#');
        int slashes = text.indexOf("//");
        if (hash < 0) return slashes;
        if (slashes < 0) return hash;
        return Math.min(hash, slashes);
    }

    private static AttributedStyle style(Token t) {
        switch (t.getType()) {
            case MmnLexer.INT: case MmnLexer.SIZE: return NUMBER;
            case MmnLexer.STRING: return STRING;
            case MmnLexer.BAD_CHAR: return BAD;
            default: return Caret.isKeyword(t.getType()) ? KEYWORD : AttributedStyle.DEFAULT;
        }
    }

    @Override
    public void setErrorPattern(Pattern errorPattern) {
        // errors are reported when the entry runs
    }

    @Override
    public void setErrorIndex(int errorIndex) {
        // errors are reported when the entry runs
    }
}
