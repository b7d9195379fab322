package mmn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import mmn.interp.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bad script gets file:line:col, the line, a caret under the fault and a hint, and
 * exit status 2; never a Java stack trace.
 */
class ErrorMessagesTest {
    @TempDir
    Path dir;

    private Run bad(String text) throws Exception {
        Run r = Run.text(dir, "bad.mmn", text);
        assertEquals(Outcome.ERROR, r.outcome(), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "a stack trace leaked:\n" + r.err());
        return r;
    }

    /** The caret line: the column of '^' under the gutter "    N | ". */
    private static int caretColumn(String err) {
        for (String line : err.split("\n")) {
            int bar = line.indexOf("| ");
            if (bar >= 0 && line.substring(bar + 2).trim().startsWith("^") && line.substring(0, bar).isBlank()) {
                return line.indexOf('^') - (bar + 2);
            }
        }
        return -1;
    }

    @Test
    void typoInAStatementKeywordSuggestsTheKeyword() throws Exception {
        Run r = bad("space A\nmunmp A 0x400000 +4K\n");
        assertTrue(r.err().startsWith(dir.resolve("bad.mmn") + ":2:1: error: expected a statement, found 'munmp'"), r.err());
        assertTrue(r.err().contains("    2 | munmp A 0x400000 +4K"), r.err());
        assertEquals(0, caretColumn(r.err()));
        assertTrue(r.err().contains("hint: did you mean 'munmap'? usage: munmap SPACE RANGE"), r.err());
    }

    @Test
    void misalignedAddressNamesTheAlignedOne() throws Exception {
        Run r = bad("space A\nmap A 0x400100 +4K rw anon\n");
        assertTrue(r.err().contains(":2:7: error: a range start must be page aligned: 0x400100 is not"), r.err());
        assertEquals(6, caretColumn(r.err()));
        assertTrue(r.err().contains("hint: did you mean 0x400000"), r.err());
    }

    @Test
    void unknownPhaseListsTheValidPhases() throws Exception {
        Run r = bad("space A\nmap A 0x400000 +4K rw anon\nmunmap A 0x400000 +4K { after clr { print \"x\" } }\n");
        assertTrue(r.err().contains(":3:31: error: unknown phase 'clr'"), r.err());
        assertEquals(30, caretColumn(r.err()));
        assertTrue(r.err().contains("hint: did you mean 'clear'? munmap's phases: start, clear, end, unlink-tables, flush, free"), r.err());
    }

    @Test
    void unknownDeviceListsTheDeclaredOnes() throws Exception {
        Run r = bad("space A\ndevice gpu ats { atc 8 }\ndevice npu ats\ndma gpux A 0x400000 read\n");
        assertTrue(r.err().contains(":4:5: error: unknown device 'gpux'"), r.err());
        assertEquals(4, caretColumn(r.err()));
        assertTrue(r.err().contains("hint: declared devices: gpu, npu"), r.err());
    }

    @Test
    void staticChecksRunBeforeAnything() throws Exception {
        // the typo on line 3 is reported although line 2 would print
        Run r = bad("print \"first\"\nspace A\nexpect violation use-after-fre { munmap A 0x400000 }\n");
        assertFalse(r.out().contains("first"), r.out());
        assertTrue(r.err().contains(":3:18: error: unknown violation kind 'use-after-fre'"), r.err());
        assertTrue(r.err().contains("did you mean 'use-after-free'?"), r.err());
    }

    @Test
    void unclosedBlockPointsAtTheEndOfTheText() throws Exception {
        Run r = bad("space A\nmunmap A 0x400000 +4K {\n");
        assertTrue(r.err().contains(":2:24: error: unexpected end of input: a '{' is still open"), r.err());
    }

    @Test
    void rangeSizeWhereAnAdditionWasMeant() throws Exception {
        Run r = bad("let x = 3 +4K\n");
        assertTrue(r.err().contains(":1:11: error: a range size '+SIZE' is not allowed here"), r.err());
        assertTrue(r.err().contains("for an addition write 'a + b'"), r.err());
    }

    @Test
    void undefinedVariableSuggestsTheClosest() throws Exception {
        Run r = bad("let base = 0x400000\nspace A\nmap A bsae +4K rw anon\n");
        assertTrue(r.err().contains(":3:7: error: undefined variable 'bsae'"), r.err());
        assertTrue(r.err().contains("did you mean 'base'?"), r.err());
    }

    @Test
    void operationInsideAPhaseIsRefused() throws Exception {
        Run r = bad("space A\nmunmap A 0x400000 +4K { after start { munmap A 0x401000 } }\n");
        assertTrue(r.err().contains("cannot be injected into an operation's phase"), r.err());
    }

    @Test
    void reclaimInsideAPhaseRunsAsAnotherThread() throws Exception {
        // reclaim reaches the page through rmap without the mmap lock: allowed in a phase
        Run r = Run.text(dir, "ok.mmn", "profile linux-6.8\nspace A\nmap A 0x400000 +64K rw anon\ntouch A 0x400000 write\n"
                + "mremap A 0x400000 +4K to 0x900000 { after unlock { reclaim A 0x900000 } }\nexpect unmapped A 0x900000\n");
        assertEquals(Outcome.OK, r.outcome(), r.out() + r.err());
        // but not where the operation holds a page-table lock it would need
        Run bad = bad("profile linux-6.8\nspace A\nmap A 0x400000 +64K rw anon\ntouch A 0x400000 write\n"
                + "mremap A 0x400000 +4K to 0x900000 { after move { reclaim A 0x900000 } }\n");
        assertTrue(bad.err().contains("page-table lock is held at this phase"), bad.err());
        // an operation that needs the mmap lock stays refused
        Run mm = bad("space A\nmremap A 0x400000 +4K to 0x900000 { after unlock { dontneed A 0x900000 } }\n");
        assertTrue(mm.err().contains("cannot be injected into an operation's phase"), mm.err());
    }

    @Test
    void includeCycleIsAnError() throws Exception {
        Run.text(dir, "b.mmn", "include \"bad.mmn\"\n");
        Run r = bad("include \"b.mmn\"\n");
        assertTrue(r.err().contains("include cycle"), r.err());
    }

    @Test
    void unterminatedString() throws Exception {
        Run r = bad("print \"abc\n");
        assertTrue(r.err().contains(":1:7: error: unterminated string"), r.err());
    }

    @Test
    void engineRefusalIsReportedAtTheStatement() throws Exception {
        Run r = bad("space A\nmap A 0x400000 +64K rw anon\nmap A 0x408000 +64K rw anon\n");
        assertTrue(r.err().contains(":3:1: error: mapping [0x408000, 0x418000) overlaps [0x400000, 0x410000) in A"), r.err());
    }

    /**
     * The "never fires" warning knows every callback a handler answers: `on clear-young`
     * also runs for clear_flush_young (age, and reclaim's young test up to 4.15), which
     * every profile fires; `on page` (invalidate_page) is gone from 4.13.
     */
    @Test
    void neverFiresWarningKnowsWhatEachHandlerAnswers() throws Exception {
        for (String profile : java.util.List.of("linux-3.16", "linux-4.15", "linux-6.8")) {
            Run young = Run.text(dir, "young.mmn", "profile " + profile + "\nspace A\nmap A 0x400000 +64K rw anon\n"
                    + "device gpu ats\nbind gpu A\nnotifier n on A for gpu {\n  on clear-young(r) { flush gpu r }\n}\n"
                    + "touch A 0x400000 write\nage A 0x400000\n");
            assertEquals(Outcome.OK, young.outcome(), young.out() + young.err());
            assertFalse(young.err().contains("never fires"), profile + ": " + young.err());
        }
        Run page = Run.text(dir, "page.mmn", "profile linux-6.8\nspace A\ndevice gpu ats\nbind gpu A\n"
                + "notifier n on A for gpu {\n  on page(r) { flush gpu r }\n}\n");
        assertTrue(page.err().contains("linux-6.8 never fires 'page'"), page.err());
    }

    /** `expect different-frame`: holds for a COW-broken pair, fails (exit 1) for one frame mapped twice. */
    @Test
    void differentFrameHoldsAfterACowAndFailsForOneFrame() throws Exception {
        String setup = "space A\nmap A 0x400000 +64K rw anon\ntouch A 0x400000 write\nfork A B\n";
        Run shared = Run.text(dir, "shared.mmn", setup + "expect different-frame A 0x400000 B 0x400000\n");
        assertEquals(Outcome.VIOLATION, shared.outcome(), shared.out() + shared.err());
        assertTrue(shared.out().contains("both map pfn"), shared.out());
        Run cow = Run.text(dir, "cow.mmn", setup + "touch B 0x400000 write\nexpect different-frame A 0x400000 B 0x400000\n");
        assertEquals(Outcome.OK, cow.outcome(), cow.out() + cow.err());
    }
}
