package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import mmn.report.TraceDoc;
import mmn.report.TraceJson;

/** The typed trace's JSON Schema (runtime's mmn/report/trace.schema.json), checked with networknt json-schema-validator. */
final class TraceSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Schema SCHEMA = load();

    private TraceSchema() {}

    private static Schema load() {
        try (InputStream in = TraceDoc.class.getResourceAsStream("trace.schema.json")) {
            return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Problems with a JSON text (empty when valid). */
    static List<Error> problems(String json) {
        try {
            return SCHEMA.validate(JSON.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serialises the document as --trace does and validates the text. */
    static void assertValid(TraceDoc doc) {
        List<Error> p = problems(TraceJson.write(doc));
        assertTrue(p.isEmpty(), "trace does not match its schema: " + p.stream().limit(5).map(Error::toString).toList());
    }
}
