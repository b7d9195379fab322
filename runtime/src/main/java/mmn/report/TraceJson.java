package mmn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** The typed trace to and from JSON (Jackson; field order as the records declare it, so output is stable). */
public final class TraceJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // a newer minor version may add optional fields: an older reader ignores them
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private TraceJson() {}

    public static String write(TraceDoc doc) {
        try {
            return MAPPER.writeValueAsString(doc) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("trace not serialisable", e);
        }
    }

    /** Reads a trace file; refuses other major versions with a message a person can act on. */
    public static TraceDoc read(Path file) throws IOException {
        TraceDoc doc = MAPPER.readValue(file.toFile(), TraceDoc.class);
        if (doc.version() != TraceDoc.VERSION)
            throw new IOException(file + " is a version " + doc.version() + " trace; this mmn reads version " + TraceDoc.VERSION);
        return doc;
    }
}
