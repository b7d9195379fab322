package mmn.engine;

import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PhysMem's arrays grow with use: copies stay cheap, the configured size still bounds allocation. */
class PhysMemGrowthTest {
    @Test
    void growsPastItsFirstCapacityAndCopiesExactly() {
        PhysMem m = new PhysMem(1L << 20); // 256 frames
        for (int i = 0; i < 200; i++) m.setValue(m.alloc(FrameKind.USER), i);
        PhysMem c = m.copy();
        assertEquals(m.highWater(), c.highWater());
        for (int pfn = 2; pfn < m.highWater(); pfn++) {
            assertEquals(m.value(pfn), c.value(pfn));
            assertEquals(m.gen(pfn), c.gen(pfn));
        }
        assertEquals(FrameKind.FREE, c.kind(255));
        assertTrue(!c.alive(255, 0));
    }

    @Test
    void stillRunsOutAtTheConfiguredSize() {
        PhysMem m = new PhysMem(64 * 4096);
        assertThrows(EngineException.class, () -> {
            for (int i = 0; i < 64; i++) m.alloc(FrameKind.USER);
        });
    }
}
