package mmn.engine;

import mmn.engine.check.ViolationKind;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Space;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import static mmn.engine.Rig.BASE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** fork's write-protect and the COW that follows, across profiles. */
class ForkCowTest {
    private static Rig forked(Profile p, String strategy) {
        Rig t = new Rig(p, strategy, 8);
        t.touchAll(BASE, 2);
        t.dmaAll(BASE, 2, true);
        t.stmt("fork", () -> t.w.fork(t.a, "B", PhaseListener.NONE));
        return t;
    }

    @Test
    void forkWriteProtectReachesTheDeviceFrom319() {
        // 3.16: the range strategy hears nothing (no invalidate_range); its writable entry outlives the write-protect
        Rig old = forked(Profiles.LINUX_3_16, "range");
        assertEquals(2, old.of(ViolationKind.STALE_TRANSLATION).size(), old.found.toString());
        assertTrue(old.of(ViolationKind.STALE_TRANSLATION).get(0).why().contains("read-only"));
        for (Profile p : List.of(Profiles.LINUX_3_19, Profiles.LINUX_4_15, Profiles.LINUX_6_5, Profiles.LINUX_6_8)) {
            Rig t = forked(p, "range");
            assertTrue(t.found.isEmpty(), p.name() + ": " + t.found);
        }
    }

    @Test
    void forkSharesFramesAndCowSeparatesThem() {
        Rig t = forked(Profiles.LINUX_6_8, "arch-tlbs");
        Space b = t.w.space("B");
        long pa = t.a.pageTable().get(BASE), pb = b.pageTable().get(BASE);
        assertEquals(Pte.pfn(pa), Pte.pfn(pb));
        assertTrue(!Pte.writable(pa) && !Pte.writable(pb));
        List<String> phases = new ArrayList<>();
        t.stmt("cow", () -> t.w.cow(t.a, BASE, phases::add));
        assertEquals(List.of("copy", "start", "clear", "set", "unlock", "end", "put"), phases);
        assertNotEquals(Pte.pfn(t.a.pageTable().get(BASE)), Pte.pfn(b.pageTable().get(BASE)));
        assertTrue(t.found.isEmpty(), t.found.toString());
        // the child is now the sole owner: its write fault reuses the page
        List<String> reuse = new ArrayList<>();
        t.stmt("cow child", () -> t.w.cow(b, BASE, reuse::add));
        assertEquals(List.of("reuse"), reuse);
    }

    /** kernel-reference §7 #4: a device read of the old page injected between clear and set, with end-only flushing. */
    @Test
    void cowWithDeviceRefillBeforeSetIsStaleUnlessFlushedUnderThePtl() {
        for (String strategy : List.of("end-only", "range")) {
            Rig t = forked(Profiles.LINUX_3_19, strategy);
            t.stmt("dma", () -> t.w.dma(t.gpu, t.a, BASE, false));
            t.stmt("cow", () -> t.w.cow(t.a, BASE, PhaseListener.NONE));
            boolean stale = t.has(ViolationKind.STALE_TRANSLATION);
            assertEquals(strategy.equals("end-only"), stale, strategy + ": " + t.found);
        }
    }
}
