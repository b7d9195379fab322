package mmn.polyglot;

import java.io.OutputStream;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.io.IOAccess;

/**
 * Guest contexts for mmn: JavaScript ("js") or Python ("python") with {@code mmn} bound,
 * host access limited to {@link HostAccess.Export}ed members, no I/O, no threads, no
 * native access, no host class lookup. Contexts share one {@link Engine}, created with
 * engine.WarnInterpreterOnly=false since on stock OpenJDK 17 the languages run in the
 * interpreter (no JVMCI).
 */
public final class Guests {
    private Guests() {}

    public static Engine newEngine() {
        return Engine.newBuilder()
                .option("engine.WarnInterpreterOnly", "false")
                .build();
    }

    /** The language id for a file name: js for .js/.mjs, python for .py; null otherwise. */
    public static String languageOf(String file) {
        if (file.endsWith(".js") || file.endsWith(".mjs")) return "js";
        if (file.endsWith(".py")) return "python";
        return null;
    }

    /** A context for {@code language} on {@code engine} with {@code mmn} bound in its global scope. */
    public static Context newContext(Engine engine, String language, Mmn mmn) {
        return newContext(engine, language, mmn, System.out, System.err);
    }

    /** The same, with the guest's own output (console.log, print) going to {@code out} and {@code err}. */
    public static Context newContext(Engine engine, String language, Mmn mmn, OutputStream out, OutputStream err) {
        Context ctx = Context.newBuilder(language)
                .engine(engine)
                .out(out)
                .err(err)
                .allowHostAccess(HostAccess.EXPLICIT)
                .allowHostClassLookup(c -> false)
                .allowIO(IOAccess.NONE)
                .allowCreateThread(false)
                .allowNativeAccess(false)
                .build();
        if (mmn != null) bind(ctx, language, mmn);
        return ctx;
    }

    /** Binds (or rebinds) {@code mmn} in the context's global scope. */
    public static void bind(Context ctx, String language, Mmn mmn) {
        ctx.getBindings(language).putMember("mmn", mmn);
        mmn.attach(ctx); // the builder's handle: the only one allowed to interrupt a runaway callback
    }
}
