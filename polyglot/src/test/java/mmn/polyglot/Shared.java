package mmn.polyglot;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.Value;

/** One Engine for every test class of the module (its warm-up is paid once). */
final class Shared {
    static final Engine ENGINE = Guests.newEngine();

    /** munmap of one page read by `dev` right after invalidate_range_start, as the examples do. */
    static final String SETUP = """
            space A
            map A 0x400000 +64K rw anon
            device gpu ats { atc 64; walk-cache on; pri retries 8 }
            bind gpu A
            for i in 0..4 { touch A 0x400000 + i * 4K write }
            dma gpu A 0x400000 +16K read
            """;
    static final String MUNMAP = """
            munmap A 0x400000 +4K {
              after start { dma gpu A 0x400000 read }
            }
            """;

    private Shared() {}

    /** A guest context with a fresh, capture-only {@code mmn} bound for each evaluation. */
    static final class Guest implements AutoCloseable {
        final String lang;
        final Context ctx;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        Mmn mmn;

        Guest(String lang) {
            this.lang = lang;
            this.ctx = Guests.newContext(ENGINE, lang, null, out, out);
            ctx.getBindings(lang).putMember("SETUP", SETUP);
            ctx.getBindings(lang).putMember("MUNMAP", MUNMAP);
        }

        /** Evaluates code with a new {@code mmn}; the value of its last expression. */
        Value eval(String code) {
            return eval(code, lang.equals("js") ? "test.js" : "test.py");
        }

        Value eval(String code, String name) {
            mmn = new Mmn();
            Guests.bind(ctx, lang, mmn);
            return ctx.eval(org.graalvm.polyglot.Source.newBuilder(lang, code, name).buildLiteral());
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    record Run(int exit, String out, String err) {}

    /** Runs an example file the way `./mmn js|py FILE` does (on the shared engine). */
    static Run runFile(String file) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = Main.runFile(ENGINE, Path.of(file), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A guest-readable list as Java strings. */
    static java.util.List<String> strings(Value list) {
        java.util.List<String> l = new java.util.ArrayList<>();
        for (long i = 0; i < list.getArraySize(); i++) l.add(list.getArrayElement(i).asString());
        return l;
    }
}
