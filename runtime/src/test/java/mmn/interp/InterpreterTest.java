package mmn.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import mmn.engine.check.ViolationKind;
import org.junit.jupiter.api.Test;

/**
 * The interpreter's behaviour through a {@link Session}: values of expressions and
 * variables and their scopes, loops and their budget, handlers written in the language
 * acting on the device inside the kernel's callbacks, expectations and the outcome
 * (exit code) each ends in, and errors placed at the expression that caused them.
 */
class InterpreterTest {
    /** A session run: its outcome and what it printed. */
    record Ran(Session session, Outcome outcome, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    static Ran run(String text) {
        return run(new Options(), text);
    }

    static Ran run(Options o, String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        Session s = new Session(o, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Outcome r = s.runText("t.mmn", text);
        return new Ran(s, r, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Ran ok(String text) {
        Ran r = run(text);
        assertEquals(Outcome.OK, r.outcome(), r.out() + r.err());
        return r;
    }

    /** A script error: exit 2, and its first line names this place and message. */
    static Ran error(String text, String firstLine) {
        Ran r = run(text);
        assertEquals(Outcome.ERROR, r.outcome(), r.out() + r.err());
        assertEquals(2, r.outcome().exitCode());
        assertEquals(firstLine, r.err().lines().findFirst().orElse(""), r.err());
        assertEquals(firstLine, r.session().error());
        return r;
    }

    static final String SETUP = "profile linux-3.19\nspace A\nmap A 0x400000 +64K rw anon\ndevice gpu ats\nbind gpu A\n";

    /**
     * Every operation the engine has as a step program reaches the explorer as one from a
     * script (OpCalls gives its frame): the explore's successors are stepped from states,
     * not replayed from the root. Each explore must also hold its verdict.
     */
    @Test
    void exploresOfStepProgramsAreSteppedFromStates() {
        String setup = "profile linux-6.8\nspace A\nmap A 0x400000 +64K rw anon\ndevice gpu ats { atc 64; pri retries 8 }\nbind gpu A\n"
                + "notifier n on A for gpu uses range\ntouch A 0x400000 +8K write\n";
        List<String> ops = List.of("munmap A 0x400000 +8K", "dontneed A 0x400000 +8K", "mprotect A 0x400000 +8K r", "migrate A 0x400000 +8K",
                "reclaim A 0x400000 +8K", "age A 0x400000 +8K", "exit A", "oom-reap A", "ksm A 0x400000 A 0x401000",
                "mremap A 0x400000 +8K to 0x900000", "fork A B");
        for (String op : ops) {
            long before = mmn.engine.explore.Explorer.steppedSuccessors();
            ok(setup + "explore { " + op + " } with { dma gpu A 0x400000 read } with { dma gpu A 0x401000 write } expect coherent\n");
            assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, op + ": the explore replayed instead of stepping");
        }
        long before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(setup + "fork A B\nexplore { cow A 0x400000 } with { dma gpu A 0x400000 read } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "cow: the explore replayed instead of stepping");
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(setup + "map A 0x500000 +8K rx file \"libc.so\"\ntouch A 0x500000 read\n"
                + "explore { uprobe A 0x500000 } with { dma gpu A 0x500000 read } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "uprobe: the explore replayed instead of stepping");
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(setup + "map A 0x600000 +8K rw file \"data.bin\" shared\ntouch A 0x600000 write\n"
                + "explore { remap A 0x600000 +8K } with { dma gpu A 0x600000 read } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "remap: the explore replayed instead of stepping");
        String thp = setup + "map A 0x800000 +2M rw anon huge\ntouch A 0x800000 write\ntouch A 0x801000 write\n";
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(thp + "explore { collapse A 0x800000 } with { dma gpu A 0x800000 read } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "collapse: the explore replayed instead of stepping");
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(thp + "collapse A 0x800000\nexplore { split A 0x800000 } with { dma gpu A 0x800000 write } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "split: the explore replayed instead of stepping");
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(setup + "explore {\n  mprotect A 0x400000 +8K r\n  munmap A 0x400000 +8K\n} with { dma gpu A 0x400000 read } with { dma gpu A 0x401000 write }"
                + " expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "a block of two operations: the explore replayed instead of stepping");
        String huge = setup + "map A 0x40000000 +4M rw anon hugetlb\ntouch A 0x40000000 write\n";
        for (String op : List.of("munmap A 0x40000000 +4M", "mprotect A 0x40000000 +4M r", "fork A B", "exit A")) {
            before = mmn.engine.explore.Explorer.steppedSuccessors();
            ok(huge + "explore { " + op + " } with { dma gpu A 0x40000000 read } with { dma gpu A 0x40001000 write } expect coherent\n");
            assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, op + " (hugetlb): the explore replayed instead of stepping");
        }
        before = mmn.engine.explore.Explorer.steppedSuccessors();
        ok(huge + "fork A B\nexplore { cow A 0x40000000 } with { dma gpu A 0x40000000 read } expect coherent\n");
        assertTrue(mmn.engine.explore.Explorer.steppedSuccessors() > before, "cow (hugetlb): the explore replayed instead of stepping");
    }

    // ---------------------------------------------------------------- expressions and variables

    @Test
    void arithmeticFollowsPrecedenceAndPrintsAddressesInHex() {
        Ran r = ok("print 1 + 2 * 3\nprint (1 + 2) * 3\nprint 10 - 4 - 3\nprint -7 / 2\nprint -7 % 2\nprint 2 -1\nprint 2 * 3 pages\nprint 4K - 1\n");
        // division truncates toward zero; `2 -1` is a subtraction, not two arguments;
        // page-aligned values from 4096 up are shown as addresses
        assertEquals(List.of("7", "9", "3", "-3", "-1", "1", "0x6000", "4095"), r.lines());
    }

    @Test
    void variablesAreLookedUpOutwardsAndABlocksLetEndsWithIt() {
        Ran r = ok("let x = 1\n{ let x = 2; let y = x + 40; print x y }\nprint x\n");
        assertEquals(List.of("2 42", "1"), r.lines());
        Ran leak = error("{ let y = 1 }\nprint y\n", "t.mmn:2:7: error: undefined variable 'y'");
        assertTrue(leak.err().contains("hint: define it first: let y = ..."), leak.err());
        Ran typo = error("let base = 1\nprint bsae\n", "t.mmn:2:7: error: undefined variable 'bsae'");
        assertTrue(typo.err().contains("hint: did you mean 'base'?"), typo.err());
    }

    @Test
    void aLetMayRedefineAVariableAndUseItsOldValue() {
        assertEquals(List.of("3"), ok("let x = 1\nlet x = x + 2\nprint x\n").lines());
    }

    @Test
    void arithmeticErrorsArePlacedAtTheirOperator() {
        error("let a = 1\nlet b = a / (a - 1)\n", "t.mmn:2:9: error: division by zero");
        error("let a = 1\nlet b = 5 % (a - 1)\n", "t.mmn:2:9: error: division by zero");
        error("let big = 0x7fffffffffffffff\nprint 1 big + 1\n", "t.mmn:2:9: error: integer overflow");
        error("print 2 * 0x4000000000000000\n", "t.mmn:1:7: error: integer overflow");
    }

    @Test
    void ifComparesAndElseIfChains() {
        String prog = "let x = %d\nif x < 1 { print \"low\" } else if x == 1 { print \"one\" } else { print \"high\" }\n";
        assertEquals(List.of("low"), ok(String.format(prog, 0)).lines());
        assertEquals(List.of("one"), ok(String.format(prog, 1)).lines());
        assertEquals(List.of("high"), ok(String.format(prog, 5)).lines());
    }

    @Test
    void forRunsFromItsStartToBeforeItsEndEachIterationInItsOwnScope() {
        assertEquals(List.of("0", "1", "2"), ok("for i in 0..3 { print i }\n").lines());
        assertEquals(List.of(), ok("for i in 3..3 { print i }\n").lines());
        error("for i in 0..2 { let j = i }\nprint i\n", "t.mmn:2:7: error: undefined variable 'i'");
    }

    @Test
    void rangesMustBeAlignedNonEmptyAndInsideTheUserAddressSpace() {
        Ran r = error("space A\nmap A 0x400100 +4K rw anon\n", "t.mmn:2:7: error: a range start must be page aligned: 0x400100 is not");
        assertTrue(r.err().contains("hint: did you mean 0x400000 (or 0x401000)?"), r.err());
        error("space A\nmap A 0x400000 +100 rw anon\n", "t.mmn:2:17: error: a range size must be page aligned: 0x64 is not");
        error("space A\nlet n = 0\nmap A 0x400000 +n pages rw anon\n", "t.mmn:3:17: error: range size must be positive, got 0");
        error("space A\nmap A 0x402000..0x401000 rw anon\n", "t.mmn:2:7: error: empty range: 0x401000 is not above 0x402000");
        Ran big = run("space A\nmap A 0x7ffffffff000 +8K rw anon\n");
        assertEquals(Outcome.ERROR, big.outcome());
        assertTrue(big.err().startsWith("t.mmn:2:7: error: range leaves the user address space"), big.err());
    }

    // ---------------------------------------------------------------- repeat and the budget

    @Test
    void repeatRunsItsBodyTheGivenNumberOfTimes() {
        Ran r = ok(SETUP + "touch A 0x400000 write\nrepeat 3 { migrate A 0x400000; print \"moved\" }\nexpect mapped A 0x400000\n");
        assertEquals(List.of("moved", "moved", "moved"), r.lines().subList(0, 3));
        assertEquals(3, r.session().world().trace().events().stream().filter(e -> "migrate".equals(e.operation())).map(e -> e.statement()).distinct().count());
        assertEquals(List.of(), ok("repeat 0 { print 1 }\n").lines());
        error("let n = 0 - 2\nrepeat n { }\n", "t.mmn:2:8: error: repeat count is negative: -2");
    }

    @Test
    void aLoopPastTheStepBudgetStopsInconclusiveNamingTheBudget() {
        Options o = new Options();
        o.maxSteps = 1000;
        Ran r = run(o, "repeat 1000000000000 { }\nprint \"never\"\n");
        assertEquals(Outcome.INCONCLUSIVE, r.outcome());
        assertEquals(3, r.outcome().exitCode());
        assertTrue(r.err().startsWith("t.mmn:1:1: inconclusive: stopped after 1000 steps (the --max-steps budget"), r.err());
        assertFalse(r.out().contains("never"));
        assertTrue(r.session().stoppedPartWay());
        // an empty for loop costs steps too
        Ran f = run(o, "for i in 0..1000000000000 { }\n");
        assertEquals(Outcome.INCONCLUSIVE, f.outcome(), f.err());
    }

    // ---------------------------------------------------------------- handlers

    @Test
    void aHandlerSeesTheInvalidatedRangeAsItsParameter() {
        Ran r = ok(SETUP + "notifier n on A for gpu {\n  on start(r) { print \"start\" r }\n  on end(r) { print \"end\" r }\n}\n"
                + "touch A 0x400000 +8K write\nmunmap A 0x401000 +4K\n");
        assertEquals(List.of("start [0x401000, 0x402000)", "end [0x401000, 0x402000)"), r.lines());
    }

    @Test
    void aRangeIsNoIntegerInsideAHandler() {
        Ran r = run(SETUP + "notifier n on A for gpu {\n  on start(r) { print r + 1 }\n}\ntouch A 0x400000 write\nmunmap A 0x400000\n");
        assertEquals(Outcome.ERROR, r.outcome());
        assertTrue(r.err().startsWith("t.mmn:7:23: error: expected an integer, got a range"), r.err());
    }

    @Test
    void aHandlerThatFlushesOnlyAtStartIsCaughtByARefillBeforeTheClear() {
        String script = SETUP + "notifier n on A for gpu {\n  on start(r) { flush gpu r }\n}\ntouch A 0x400000 write\n"
                + "expect violation use-after-free {\n  munmap A 0x400000 +4K { after start { dma gpu A 0x400000 read } }\n}\n";
        Ran r = ok(script);
        assertTrue(r.out().contains("ok    t.mmn:10: expect violation use-after-free  (use-after-free on gpu during munmap at phase 'free'"), r.out());
        assertTrue(r.session().findings().stream().anyMatch(v -> v.kind() == ViolationKind.USE_AFTER_FREE));
    }

    @Test
    void aHandlerThatFlushesTheRangeInInvalidateRangeIsCoherent() {
        Ran r = ok(SETUP + "notifier n on A for gpu {\n  on range(r) { flush gpu r }\n  on release { detach gpu }\n}\n"
                + "touch A 0x400000 +16K write\ndma gpu A 0x400000 +16K read\n"
                + "expect coherent {\n  munmap A 0x400000 +8K { after start { dma gpu A 0x400000 read } }\n  exit A\n}\n");
        assertTrue(r.session().findings().isEmpty(), r.out());
    }

    @Test
    void blockAndUnblockInHandlersStallTheDeviceInsideTheWindow() {
        Ran r = ok(SETUP + "notifier n on A for gpu {\n  on start(r) { block gpu; flush gpu r }\n  on end(r) { unblock gpu }\n}\n"
                + "touch A 0x400000 +8K write\n"
                + "munmap A 0x400000 +4K { after clear { expect dma gpu A 0x401000 read stalled } }\n"
                + "expect dma gpu A 0x401000 read ok\n");
        assertEquals(2, r.session().world().trace().events().stream().filter(e -> e.type().equals("expect")).count(), r.out());
    }

    @Test
    void aHandlerMayUseTheScriptsGlobalsButItsOwnLetsDie() {
        Ran r = ok(SETUP + "let tag = 7\nnotifier n on A for gpu {\n  on start(r) { let local = tag * 6; print local }\n}\n"
                + "touch A 0x400000 write\nmunmap A 0x400000\n");
        assertEquals(List.of("42"), r.lines());
        error(SETUP + "notifier n on A for gpu {\n  on start(r) { let local = 1 }\n}\ntouch A 0x400000 write\nmunmap A 0x400000\nprint local\n",
                "t.mmn:11:7: error: undefined variable 'local'");
    }

    // ---------------------------------------------------------------- expectations and outcomes

    @Test
    void anExpectedViolationThatDoesNotHappenFailsWithExitOne() {
        Ran r = run(SETUP + "notifier n on A for gpu uses range\ntouch A 0x400000 write\n"
                + "expect violation use-after-free {\n  munmap A 0x400000\n}\nprint \"after\"\n");
        assertEquals(Outcome.VIOLATION, r.outcome());
        assertEquals(1, r.outcome().exitCode());
        assertTrue(r.out().contains("FAILED t.mmn:8:1: expect violation use-after-free\n  expected use-after-free, the block was coherent"), r.out());
        assertFalse(r.lines().contains("after"), "a failed expectation stops the run");
    }

    @Test
    void anUnexpectedViolationStopsTheRunAfterItsStatement() {
        Ran r = run(SETUP + "notifier n on A for gpu uses start-only\ntouch A 0x400000 write\n"
                + "munmap A 0x400000 { after start { dma gpu A 0x400000 read } }\nprint \"after\"\n");
        assertEquals(Outcome.VIOLATION, r.outcome());
        assertTrue(r.out().contains("t.mmn:8:1: stopped after this statement: 1 violation"), r.out());
        assertFalse(r.lines().contains("after"));
        assertEquals(1, r.session().unexpected().size());
        assertEquals(8, r.session().unexpected().get(0).at().line());
        assertEquals(ViolationKind.USE_AFTER_FREE, r.session().unexpected().get(0).violations().get(0).kind());
    }

    @Test
    void faultCountsAndDeviceHealth() {
        String base = "profile linux-3.16\nspace A\nmap A 0x400000 +64K rw anon\ndevice gpu ats { pri retries 3 }\nbind gpu A\n"
                + "notifier n on A for gpu uses empty-pt\ntouch A 0x400000 +32K write\n"
                + "expect violation device-failed { munmap A 0x400000 { after start { dma gpu A 0x404000 read } } }\n";
        // the first fault and three retries
        Ran r = ok(base + "expect failed gpu\nexpect faults gpu == 4\n");
        assertTrue(r.out().contains("(gpu failed, 4 faults)"), r.out());
        Ran f = run(base + "expect faults gpu < 4\n");
        assertEquals(Outcome.VIOLATION, f.outcome());
        assertTrue(f.out().contains("gpu took 4 faults, expected < 4"), f.out());
        Ran h = run(base + "expect healthy gpu\n");
        assertEquals(Outcome.VIOLATION, h.outcome());
        assertTrue(h.out().contains("gpu is in its failure state (4 faults)"), h.out());
    }

    @Test
    void frameExpectationsAfterForkAndCow() {
        ok(SETUP + "touch A 0x400000 write\nfork A B\nexpect same-frame A 0x400000 B 0x400000\n"
                + "cow B 0x400000\nexpect different-frame A 0x400000 B 0x400000\nexpect mapped B 0x400000\nexpect unmapped B 0x410000\n");
        Ran r = run(SETUP + "touch A 0x400000 write\nfork A B\nexpect different-frame A 0x400000 B 0x400000\n");
        assertEquals(Outcome.VIOLATION, r.outcome());
        assertTrue(r.out().contains("both map pfn"), r.out());
    }

    @Test
    void aBareExpectCoherentChecksNowAndCountsAsHeld() {
        Ran r = ok(SETUP + "expect coherent\nexpect coherent\n");
        assertEquals(2, r.session().world().trace().events().stream().filter(e -> e.type().equals("expect")).count());
    }

    @Test
    void anUnknownNameIsAnErrorAtTheNameWithTheDeclaredOnesAsHint() {
        Ran r = error(SETUP + "dma gpux A 0x400000 read\n", "t.mmn:6:5: error: unknown device 'gpux'");
        assertTrue(r.err().contains("hint: "), r.err());
        error(SETUP + "touch B 0x400000 read\n", "t.mmn:6:7: error: unknown space 'B'");
    }

    @Test
    void theEnginesRefusalIsAnErrorAtTheStatement() {
        error(SETUP + "map A 0x408000 +64K rw anon\n", "t.mmn:6:1: error: mapping [0x408000, 0x418000) overlaps [0x400000, 0x410000) in A");
    }

    @Test
    void aCheckpointTakesBackTheWorldAndTheVariables() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream p = new PrintStream(out, true, StandardCharsets.UTF_8);
        Session s = new Session(new Options(), p, p);
        assertEquals(Outcome.OK, s.runText("e1", SETUP + "let x = 1\ntouch A 0x400000 write\n"));
        Session.Checkpoint c = s.checkpoint();
        assertEquals(Outcome.OK, s.runText("e2", "let x = 2\nmunmap A 0x400000\n"));
        assertEquals(2L, s.variables().get("x"));
        s.restore(c);
        assertEquals(1L, s.variables().get("x"));
        assertEquals(Outcome.OK, s.runText("e3", "expect mapped A 0x400000\n"), out.toString(StandardCharsets.UTF_8));
    }
}
