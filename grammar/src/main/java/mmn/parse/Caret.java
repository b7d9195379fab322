package mmn.parse;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.antlr.v4.runtime.tree.ParseTree;

/**
 * What the grammar admits at the caret: the text before it is parsed and the parser is
 * stopped where it meets the end of that text. The ATN's expected tokens there give the
 * keywords that may come next; the rule being parsed and what it has already read name
 * the slot a word fills ("the phase of munmap", "a space bound to gpu"), which the REPL
 * fills from the live world. Nothing here is a hand list of the grammar's positions
 * beyond which ident of a rule is which.
 */
public final class Caret {
    /** The kinds of word a name slot takes. */
    public enum Slot {
        NONE, STATEMENT, PROFILE, KNOB, KNOB_VALUE, DEVICE_KIND, DEVICE_OPTION, DEVICE, SPACE, SPACE_OF_DEVICE,
        NEW_NAME, NOTIFIER, STRATEGY, ACCESS, DMA_RESULT, MAP_ATTR, PROT, PHASE, EVENT, VIOLATION_KIND, SHOW,
        ROOT, VARIABLE, FILE
    }

    /**
     * The slot at the caret, with its qualifier: the operation for {@link Slot#PHASE}, the
     * device for {@link Slot#STRATEGY} and {@link Slot#SPACE_OF_DEVICE} (null when unknown);
     * {@code keywords} are the keyword tokens the grammar expects there (besides names).
     */
    public record Position(Slot slot, String qualifier, List<String> keywords) {
        static final Position NOTHING = new Position(Slot.NONE, null, List.of());
    }

    private Caret() {}

    /** Thrown from the error listener to stop the parse at the first error. */
    private static final class Stopped extends RuntimeException {
        final Position at;

        Stopped(Position at) {
            super(null, null, false, false);
            this.at = at;
        }
    }

    /** What may be typed after {@code before} (the entry's text up to the start of the word at the caret). */
    public static Position at(String before) {
        Position p = parse(before);
        if (p.slot() == Slot.NONE && p.keywords().isEmpty() && before.replaceAll("[ \\t]+$", "").matches("(?s)(.*[\\n;{])?")) {
            // after a separator the parser cannot choose between "more separators" and "a
            // statement" without the next word: ask whether a statement would be read here
            if (parse(before + "show ").slot() == Slot.SHOW) return parse("");
        }
        return p;
    }

    private static Position parse(String before) {
        // a character no token accepts stands for the caret: the parser stops there, in the
        // rule and decision the next word belongs to; twice, so that error recovery cannot
        // read the caret as one stray token and delete it
        MmnLexer lexer = new MmnLexer(CharStreams.fromString(before + CARET + CARET));
        lexer.removeErrorListeners();
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        MmnParser parser = new MmnParser(tokens);
        parser.removeErrorListeners();
        OptionalSlots optional = new OptionalSlots();
        parser.setErrorHandler(optional);
        parser.addErrorListener(new BaseErrorListener() {
            @Override
            public void syntaxError(Recognizer<?, ?> r, Object offending, int line, int col, String msg, RecognitionException e) {
                Token t = (Token) offending;
                // an error before the caret: the text is already wrong, nothing to complete
                if (t.getType() != MmnLexer.BAD_CHAR || t.getStartIndex() != before.length()) throw new Stopped(Position.NOTHING);
                // the optional parts the parser passed at the caret (innermost first), then where it stopped
                List<ParserRuleContext> where = new ArrayList<>();
                IntervalSet expected;
                try {
                    if (optional.token == t.getTokenIndex() && !optional.contexts.isEmpty()) {
                        where.addAll(optional.contexts);
                        expected = parser.getATN().getExpectedTokens(optional.firstState, optional.contexts.get(0));
                    } else {
                        expected = parser.getExpectedTokens();
                    }
                } catch (IllegalArgumentException ex) {
                    throw new Stopped(Position.NOTHING);
                }
                where.add(parser.getContext());
                throw new Stopped(position(parser.getVocabulary(), where, expected, tokens, t.getTokenIndex()));
            }
        });
        try {
            parser.script();
        } catch (Stopped s) {
            return s.at;
        }
        return Position.NOTHING;
    }

    /**
     * Remembers the first optional part (a `?` or `*`) the parser skipped at the current
     * token: ANTLR keeps it to report an error there, and the caret's word belongs to it.
     */
    private static final class OptionalSlots extends DefaultErrorStrategy {
        final List<ParserRuleContext> contexts = new ArrayList<>();
        int firstState;
        int token = -1;

        @Override
        public void sync(Parser recognizer) throws RecognitionException {
            int at = recognizer.getInputStream().index();
            if (token != at) {
                // a new token: what was passed before it is not the caret's
                contexts.clear();
                token = at;
            }
            nextTokensContext = null;
            super.sync(recognizer);
            if (nextTokensContext != null) {
                if (contexts.isEmpty()) firstState = nextTokensState;
                contexts.add(nextTokensContext);
            }
        }
    }

    private static final char CARET = '\u0001';

    private static Position position(org.antlr.v4.runtime.Vocabulary vocabulary, List<ParserRuleContext> where, IntervalSet expected,
            CommonTokenStream tokens, int caret) {
        List<String> keywords = new ArrayList<>();
        boolean name = false;
        boolean string = false;
        for (int type : expected.toList()) {
            if (type == MmnLexer.NAME) name = true;
            else if (type == MmnLexer.STRING) string = true;
            String lit = vocabulary.getLiteralName(type);
            if (lit != null && Character.isLetter(lit.charAt(1))) keywords.add(lit.substring(1, lit.length() - 1));
        }
        for (ParserRuleContext ctx : where) {
            if (string && (ctx instanceof MmnParser.IncludeStmtContext || ctx instanceof MmnParser.MapAttrContext))
                return new Position(Slot.FILE, null, List.of());
            if (!name) continue;
            // a name slot admits every keyword too: the slot, not the keyword list, says what fits
            Position p = ctx instanceof MmnParser.IdentContext
                    ? slot(ctx.getParent(), identIndex(ctx.getParent(), ctx), previousWord(tokens, caret))
                    : slot(ctx, identIndex(ctx, null), previousWord(tokens, caret));
            if (p.slot() != Slot.NONE) return p;
        }
        if (name) return new Position(Slot.VARIABLE, null, keywords);
        boolean statementStart = keywords.contains("space") && keywords.contains("munmap");
        return new Position(statementStart ? Slot.STATEMENT : Slot.NONE, null, keywords);
    }

    /** How many idents the parent has read before this one (all of them when it is null). */
    private static int identIndex(ParserRuleContext parent, ParserRuleContext ident) {
        int n = 0;
        if (parent.children == null) return 0;
        for (ParseTree c : parent.children) {
            if (c == ident) break;
            if (c instanceof MmnParser.IdentContext) n++;
        }
        return n;
    }

    /** The text of the last token before token {@code index}. */
    private static String previousWord(CommonTokenStream tokens, int index) {
        int i = index - 1;
        while (i >= 0 && tokens.get(i).getChannel() != Token.DEFAULT_CHANNEL) i--;
        return i < 0 ? "" : tokens.get(i).getText();
    }

    private static String identText(ParserRuleContext p, int index) {
        int n = 0;
        for (ParseTree c : p.children) {
            if (c instanceof MmnParser.IdentContext) {
                if (n++ == index) return c.getText();
            }
        }
        return null;
    }

    private static Position of(Slot s) {
        return new Position(s, null, List.of());
    }

    private static Position slot(ParserRuleContext p, int i, String prev) {
        if (p instanceof MmnParser.ProfileStmtContext) return of(Slot.PROFILE);
        if (p instanceof MmnParser.SetStmtContext) return i == 0 ? of(Slot.KNOB) : new Position(Slot.KNOB_VALUE, identText(p, 0), List.of());
        if (p instanceof MmnParser.SpaceStmtContext) return of(Slot.NEW_NAME);
        if (p instanceof MmnParser.MapStmtContext) return of(((MmnParser.MapStmtContext) p).range() == null ? Slot.SPACE : Slot.MAP_ATTR);
        if (p instanceof MmnParser.MapAttrContext) return of(Slot.MAP_ATTR);
        if (p instanceof MmnParser.DeviceStmtContext) return of(i == 0 ? Slot.NEW_NAME : Slot.DEVICE_KIND);
        if (p instanceof MmnParser.DeviceOptionContext) return of(Slot.DEVICE_OPTION);
        if (p instanceof MmnParser.BindStmtContext) return of(i == 0 ? Slot.DEVICE : Slot.SPACE);
        if (p instanceof MmnParser.NotifierStmtContext) {
            switch (prev) {
                case "on": return of(Slot.SPACE);
                case "for": return of(Slot.DEVICE);
                case "uses": {
                    MmnParser.NotifierStmtContext n = (MmnParser.NotifierStmtContext) p;
                    return new Position(Slot.STRATEGY, n.dev == null ? null : n.dev.getText(), List.of());
                }
                default: return of(Slot.NEW_NAME);
            }
        }
        if (p instanceof MmnParser.UnregisterStmtContext) return of(Slot.NOTIFIER);
        if (p instanceof MmnParser.TouchStmtContext) return of(i == 0 ? Slot.SPACE : Slot.ACCESS);
        if (p instanceof MmnParser.DmaStmtContext || p instanceof MmnParser.ExpectDmaContext) {
            if (i == 0) return of(Slot.DEVICE);
            if (i == 1) return new Position(Slot.SPACE_OF_DEVICE, identText(p, 0), List.of());
            return of(i == 2 ? Slot.ACCESS : Slot.DMA_RESULT);
        }
        if (p instanceof MmnParser.OperationContext) {
            String op = ((MmnParser.OperationContext) p).op.getText();
            if (op.equals("mprotect") && i == 1) return of(Slot.PROT);
            if (op.equals("fork") && i == 1) return of(Slot.NEW_NAME);
            return of(Slot.SPACE);
        }
        if (p instanceof MmnParser.PhaseHookContext) {
            for (ParserRuleContext c = p; c != null; c = c.getParent()) {
                if (c instanceof MmnParser.OperationStmtContext)
                    return new Position(Slot.PHASE, ((MmnParser.OperationStmtContext) c).operation().op.getText(), List.of());
            }
            return of(Slot.PHASE);
        }
        if (p instanceof MmnParser.HandlerContext) return of(Slot.EVENT);
        if (p instanceof MmnParser.ExpectViolationContext || p instanceof MmnParser.VerdictContext) return of(Slot.VIOLATION_KIND);
        if (p instanceof MmnParser.ExpectFailedContext || p instanceof MmnParser.ExpectHealthyContext
                || p instanceof MmnParser.ExpectFaultsContext) return of(Slot.DEVICE);
        if (p instanceof MmnParser.ExpectSameFrameContext || p instanceof MmnParser.ExpectMappedContext
                || p instanceof MmnParser.ExpectUnmappedContext) return of(Slot.SPACE);
        if (p instanceof MmnParser.ShowStmtContext) return of(Slot.SHOW);
        if (p instanceof MmnParser.FlushStmtContext || p instanceof MmnParser.BlockStmtContext
                || p instanceof MmnParser.UnblockStmtContext || p instanceof MmnParser.DetachStmtContext) return of(Slot.DEVICE);
        if (p instanceof MmnParser.SetRootStmtContext) return of(i == 0 ? Slot.DEVICE : Slot.ROOT);
        return Position.NOTHING;
    }

    /** Whether a token type is a keyword (for highlighting). */
    public static boolean isKeyword(int tokenType) {
        String lit = MmnLexer.VOCABULARY.getLiteralName(tokenType);
        return lit != null && Character.isLetter(lit.charAt(1));
    }
}
