package mmn.interp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The run budget counted from several threads at once, as an explore's workers count it: exact, and spent for good. */
class RunBudgetTest {
    @Test
    void twoThreadsTogetherGetExactlyTheBudgetAndNoStepMore() throws Exception {
        // an unsynchronised counter loses increments only when both threads run at once:
        // a few rounds of two million steps each see that on a loaded 2-core machine too
        long max = 2_000_000;
        for (int round = 0; round < 5; round++) {
            RunBudget b = new RunBudget(max, null, null);
            assertEquals(max, stepBothUntilSpent(b), "steps granted across both threads, round " + round);
            // once spent, every further step is refused: a worker still running stops at its next step
            assertThrows(RunBudget.Exhausted.class, b::step);
            b.start();
            b.step(); // a new run starts from zero
        }
    }

    /** Two threads step {@code b} until it refuses; the steps it granted them together. */
    private static long stepBothUntilSpent(RunBudget b) throws InterruptedException {
        AtomicLong granted = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        Runnable worker = () -> {
            long mine = 0;
            try {
                go.await();
                while (true) {
                    b.step();
                    mine++;
                }
            } catch (RunBudget.Exhausted e) {
                granted.addAndGet(mine);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Thread t1 = new Thread(worker);
        Thread t2 = new Thread(worker);
        t1.start();
        t2.start();
        go.countDown();
        t1.join();
        t2.join();
        return granted.get();
    }

    @Test
    void theStopNamesTheBudgetAndTheStatementsRun() {
        RunBudget b = new RunBudget(10, null, null);
        RunBudget.Exhausted e = assertThrows(RunBudget.Exhausted.class, () -> {
            for (int i = 0; i < 11; i++) b.statement(null, true);
        });
        assertTrue(e.getMessage().startsWith("stopped after 10 steps (the --max-steps budget; 11 statements run)"), e.getMessage());
    }
}
