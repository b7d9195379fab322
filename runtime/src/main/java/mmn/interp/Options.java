package mmn.interp;

import java.nio.file.Path;

/** Command-line settings a session starts with. */
public final class Options {
    /** Profile to use unless the script declares one; null = the engine's default. */
    public String profile;
    public long seed;
    public boolean quiet;
    public Path traceFile;
}
