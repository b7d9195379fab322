package mmn.engine.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeySetTest {
    /** Against a HashSet of the same keys, through many growths, with colliding slots and the all-zero key. */
    @Test
    void agreesWithAHashSetThroughGrowth() {
        KeySet ks = new KeySet();
        Set<Replayer.Key> ref = new HashSet<>();
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            // few distinct high halves: many keys share a home slot and probe past each other
            long h = r.nextInt(64) == 0 ? 0 : r.nextLong(5000) << 32;
            long l = r.nextInt(1000) == 0 ? 0 : r.nextLong(60_000);
            Replayer.Key k = new Replayer.Key(h, l);
            assertEquals(ref.add(k), ks.add(k), "key " + k);
        }
        assertEquals(ref.size(), ks.size());
        for (Replayer.Key k : ref) assertFalse(ks.add(k), "still there after growth: " + k);
    }

    @Test
    void theAllZeroKeyIsAKeyLikeAnyOther() {
        KeySet ks = new KeySet();
        assertTrue(ks.add(new Replayer.Key(0, 0)));
        assertFalse(ks.add(new Replayer.Key(0, 0)));
        assertTrue(ks.add(new Replayer.Key(0, 1)));
        assertEquals(2, ks.size());
    }
}
