package mmn.parse;

import java.util.ArrayList;
import java.util.List;
import mmn.ast.Diagnostic;
import mmn.ast.Pos;
import mmn.ast.Script;
import mmn.ast.Source;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Parses .mmn text into a {@link Script}, or throws {@link ParseError} with every
 * syntax error as a {@link Diagnostic}: the offending token's position, what was
 * found, what could come instead, and the usage of the statement being written.
 */
public final class ScriptParser {
    /** Every message about the end of the input starts so; the REPL reads it as "keep typing". */
    static final String AT_END = "unexpected end of input";

    private ScriptParser() {}

    /**
     * The most braces, parentheses and brackets open at once. Hand-written scripts stay
     * under ten; past a few thousand the recursive parser and interpreter run out of
     * stack, and an explore worker's stack is smaller than the main thread's.
     */
    public static final int MAX_NESTING = 256;

    public static Script parse(Source source) {
        MmnLexer lexer = new MmnLexer(CharStreams.fromString(source.text(), source.name()));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        checkNesting(source, tokens.getTokens());
        MmnParser parser = new MmnParser(tokens);
        parser.removeErrorListeners();
        Collector errors = new Collector(source);
        parser.addErrorListener(errors);
        MmnParser.ScriptContext tree;
        try {
            tree = parser.script();
        } catch (StackOverflowError e) { // a long chain without brackets (`- - - ... 1`): where the parser was
            throw tooDeep(pos(source, parser.getCurrentToken()), "the parser ran out of stack here");
        }
        if (!errors.found.isEmpty()) throw new ParseError(errors.found, errors.openAtEnd && !errors.elsewhere);
        AstBuilder builder = new AstBuilder(source);
        List<mmn.ast.Stmt> body = new ArrayList<>();
        for (MmnParser.StatementContext c : tree.statement()) {
            try {
                body.add(builder.stmt(c));
            } catch (StackOverflowError e) { // `1 + 1 + ...` thousands long: one left-leaning tree
                throw tooDeep(pos(source, c.getStart()), "this statement is too deep to build");
            }
        }
        return new Script(source, List.copyOf(body));
    }

    /** Refuses, at the bracket that opens one level too many, a script nested deeper than {@link #MAX_NESTING}. */
    private static void checkNesting(Source source, List<Token> tokens) {
        int depth = 0;
        for (Token t : tokens) {
            String s = t.getText();
            if (s == null || s.length() != 1) continue;
            switch (s.charAt(0)) {
                case '{': case '(': case '[':
                    if (++depth > MAX_NESTING)
                        throw tooDeep(pos(source, t), "more than " + MAX_NESTING + " braces, parentheses or brackets are open here");
                    break;
                case '}': case ')': case ']':
                    depth = Math.max(0, depth - 1);
                    break;
                default:
                    break;
            }
        }
    }

    private static Pos pos(Source source, Token t) {
        int len = t.getType() == Token.EOF || t.getText() == null ? 1 : Math.max(1, t.getText().length());
        return new Pos(source, Math.max(1, t.getLine()), Math.max(0, t.getCharPositionInLine()), len);
    }

    private static ParseError tooDeep(Pos at, String why) {
        return new ParseError(List.of(new Diagnostic(at, "the script nests too deeply: " + why,
                "split it: give inner parts a name with `let`, or move inner blocks out of the outer ones")));
    }

    /** Turns ANTLR's reports into diagnostics a person can act on. */
    private static final class Collector extends BaseErrorListener {
        final Source source;
        final List<Diagnostic> found = new ArrayList<>();
        /** The text ended inside an open brace, parenthesis or operator: the statement is still being typed. */
        boolean openAtEnd;
        /** Some error is not at the end of the text. */
        boolean elsewhere;

        Collector(Source source) {
            this.source = source;
        }

        @Override
        public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
            Parser parser = (Parser) r;
            Token t = (Token) offending;
            ParserRuleContext stmt = enclosingStatement(parser.getContext());
            String keyword = stmt == null || stmt.getStart() == t ? null : stmt.getStart().getText();
            Pos pos = t.getType() == Token.EOF ? endOfText() : new Pos(source, line, col, Math.max(1, t.getText().length()));
            if (t.getType() == Token.EOF) openAtEnd |= open(parser.getContext());
            else elsewhere = true;
            found.add(describe(parser, t, keyword, pos));
        }

        private Diagnostic describe(Parser parser, Token t, String keyword, Pos pos) {
            String usage = keyword == null ? null : Usage.of(keyword);
            String expected = expected(parser);
            if (t.getType() == Token.EOF) {
                // inside a block's statements the expected set is too long to list, but the open '{' is the news
                boolean braceOpen = open(parser.getContext()) || expected != null && expected.contains("'}'");
                String what = braceOpen ? ": a '{' is still open"
                        : expected != null ? ": expected " + expected : "";
                return new Diagnostic(pos, AT_END + what, usage);
            }
            String text = t.getText();
            if (t.getType() == MmnLexer.BAD_CHAR) {
                if (text.equals("\"")) return new Diagnostic(pos, "unterminated string", "a string ends with \" on the same line");
                if (text.codePointAt(0) < 0x20 || text.codePointAt(0) == 0x7f) // a control byte: show its code, not itself
                    return new Diagnostic(pos, String.format("unexpected control character U+%04X", text.codePointAt(0)),
                            "is this a text file? scripts are UTF-8 text");
                return new Diagnostic(pos, "unexpected character '" + text + "'", usage);
            }
            if (t.getType() == MmnLexer.BAD_NUMBER) {
                return new Diagnostic(pos, "'" + text + "' is not a number or a size",
                        "sizes end in K, M or G (binary: 4K = 4096, 2M, 1G), nothing else; hex numbers start with 0x");
            }
            if (t.getType() == MmnLexer.SIZE_PLUS) {
                int plus = text.indexOf('+');
                Pos p = new Pos(source, pos.line(), pos.col() + plus, 1);
                return new Diagnostic(p, "a range size '+SIZE' is not allowed here",
                        "a '+' with a space before it and none after starts a range's size (0x400000 +4K);"
                                + " for an addition write 'a + b'");
            }
            if (keyword == null && atStatementStart(parser)) {
                String near = Usage.closestKeyword(text);
                return new Diagnostic(pos, "expected a statement, found " + shown(t),
                        near != null ? "did you mean '" + near + "'? " + Usage.of(near) : "statements: " + Usage.keywords());
            }
            return new Diagnostic(pos, "unexpected " + shown(t) + (expected != null ? ": expected " + expected : ""), usage);
        }

        /** Just after the last character of the text, where an unfinished statement stops. */
        private Pos endOfText() {
            String[] lines = source.text().split("\\r?\\n", -1);
            int n = lines.length;
            while (n > 1 && lines[n - 1].isBlank()) n--;
            return new Pos(source, n, lines[n - 1].stripTrailing().length(), 1);
        }

        /**
         * Whether the parse stopped inside a block whose '{' was read: the next line can
         * still close it. A statement merely missing a word (`bind gpu`) is not open: it
         * is an error at once. Nor is an unfinished expression (`let x = (1 +`): in .mmn
         * an expression ends with its line, so another line could not finish it.
         */
        private static boolean open(ParserRuleContext c) {
            for (; c != null; c = c.getParent()) {
                boolean braced = c instanceof MmnParser.BlockContext || c instanceof MmnParser.PhaseBlockContext
                        || c instanceof MmnParser.HandlersContext || c instanceof MmnParser.DeviceBodyContext;
                if (braced && c.getChildCount() > 0 && c.getChild(0).getText().equals("{")
                        && !c.getChild(c.getChildCount() - 1).getText().equals("}")) return true;
            }
            return false;
        }

        private static boolean atStatementStart(Parser p) {
            return p.getContext() instanceof MmnParser.StatementContext
                    || p.getContext() instanceof MmnParser.ScriptContext
                    || p.getContext() instanceof MmnParser.BlockContext;
        }

        private static ParserRuleContext enclosingStatement(ParserRuleContext c) {
            for (; c != null; c = c.getParent()) {
                if (c instanceof MmnParser.StatementContext || c instanceof MmnParser.HandlerContext) return c;
            }
            return null;
        }

        private static String shown(Token t) {
            switch (t.getType()) {
                case MmnLexer.NL: return "end of line";
                case MmnLexer.STRING: return "string " + t.getText();
                default: return "'" + t.getText() + "'";
            }
        }

        /** A short list of what could come next, or null when it is too long to help. */
        private static String expected(Parser p) {
            IntervalSet set;
            try {
                set = p.getExpectedTokens();
            } catch (IllegalArgumentException e) {
                return null;
            }
            List<String> names = new ArrayList<>();
            boolean name = false;
            for (int type : set.toList()) {
                String n = tokenName(p, type);
                if (n == null) continue;
                if (n.equals("a name")) name = true;
                if (!names.contains(n)) names.add(n);
            }
            // a name slot also admits every keyword: don't list them one by one
            if (name) names.removeIf(n -> n.startsWith("'") && Character.isLetter(n.charAt(1)));
            if (names.isEmpty() || names.size() > 5) return null;
            if (names.size() == 1) return names.get(0);
            return String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
        }

        private static String tokenName(Parser p, int type) {
            switch (type) {
                case MmnLexer.NAME: return "a name";
                case MmnLexer.INT: case MmnLexer.SIZE: return "a number";
                case MmnLexer.STRING: return "a string";
                case MmnLexer.NL: return "end of line";
                case MmnLexer.SIZE_PLUS: return "'+SIZE'";
                case Token.EOF: return "end of input";
                case MmnLexer.BAD_CHAR: case MmnLexer.BAD_NUMBER: case MmnLexer.WS: case MmnLexer.COMMENT: return null;
                default: return p.getVocabulary().getLiteralName(type);
            }
        }
    }
}
