package mmn.engine;

import mmn.engine.mem.Addr;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.util.ArrayList;
import java.util.List;

/** Helpers shared by the operation tests. */
final class OpsTestSupport {
    private OpsTestSupport() {}

    static final List<Profile> ALL = List.of(Profiles.LINUX_3_16, Profiles.LINUX_3_19, Profiles.LINUX_4_15,
            Profiles.LINUX_6_5, Profiles.LINUX_6_8);

    /**
     * Profiles with invalidate_range, where the `range` strategy is the real driver (3.19+).
     * In 3.16 `range` never hears a COW, so a device write fault inside an operation that
     * ends in wp_page_copy is caught for that reason, not the operation's.
     */
    static final List<Profile> WITH_RANGE = ALL.subList(1, ALL.size());

    /** The hooks the last statement fired, by kernel name, in order (calls made from inside end are left out). */
    static List<String> hooks(Rig t) {
        List<String> out = new ArrayList<>();
        for (String h : t.w.hooksThisStatement()) {
            if (h.startsWith("[") || h.startsWith(" ")) continue;
            out.add(h.split(" ")[0]);
        }
        return out;
    }

    /** Device reads and writes of {@code pages} pages from BASE, as one injected action. */
    static Runnable dmaRw(Rig t, int pages) {
        return () -> {
            for (int i = 0; i < pages; i++) {
                t.w.dma(t.gpu, t.a, Rig.BASE + i * Addr.PAGE_SIZE, false);
                t.w.dma(t.gpu, t.a, Rig.BASE + i * Addr.PAGE_SIZE, true);
            }
        };
    }

    /** A rig whose first {@code pages} pages are touched by the CPU and cached by the device. */
    static Rig warmed(Profile p, String strategy, int pages) {
        Rig t = new Rig(p, strategy, 8);
        t.touchAll(Rig.BASE, pages);
        t.dmaAll(Rig.BASE, pages, true);
        return t;
    }
}
