package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mmn.report.TraceDocs;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every script in scripts/ (its typed trace validated against the JSON Schema) and holds it to its header: "# Exit status: N" and
 * "# Kinds: a, b" (the violation kinds the run raises, expected or not; "none" for a
 * coherent run). A script without both lines fails: every scenario says what it shows.
 * scripts/drivers/ holds driver files for `mmn matrix`, not scripts (AtlasTest runs them).
 */
class ScriptConformanceTest {
    private static final Pattern EXIT = Pattern.compile("(?m)^# Exit status: (\\d)");
    private static final Pattern KINDS = Pattern.compile("(?m)^# Kinds: (.+)$");

    @TestFactory
    Stream<DynamicTest> everyScriptExitsAsItsHeaderSays() throws IOException {
        List<Path> scripts;
        try (Stream<Path> walk = Files.walk(Run.SCRIPTS)) {
            scripts = walk.filter(p -> p.toString().endsWith(".mmn") && !p.toString().contains("/lib/")
                    && !p.toString().contains("/drivers/")).sorted().toList();
        }
        assertFalse(scripts.isEmpty(), "no scripts under " + Run.SCRIPTS);
        return scripts.stream().map(p -> DynamicTest.dynamicTest(Run.SCRIPTS.relativize(p).toString(), () -> check(p)));
    }

    private static void check(Path script) throws IOException {
        String text = Files.readString(script);
        Matcher exit = EXIT.matcher(text);
        Matcher kinds = KINDS.matcher(text);
        assertTrue(exit.find(), script + " has no '# Exit status: N' header line");
        assertTrue(kinds.find(), script + " has no '# Kinds: ...' header line");
        Set<String> want = new TreeSet<>();
        for (String k : kinds.group(1).split(",")) if (!k.isBlank() && !k.trim().equals("none")) want.add(k.trim());

        Run run = Run.file(script);
        String shown = "\n--- stdout\n" + run.out() + "--- stderr\n" + run.err();
        assertEquals(Integer.parseInt(exit.group(1)), run.outcome().exitCode(), "exit status of " + script + shown);
        assertEquals(want, run.kinds(), "violation kinds raised by " + script + shown);
        // its typed trace is valid against the schema, and says what the run said
        TraceSchema.assertValid(TraceDocs.of(List.of(run.trace())));
        assertEquals(run.outcome().exitCode(), run.trace().exitCode());
    }
}
