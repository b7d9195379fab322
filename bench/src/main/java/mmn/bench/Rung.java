package mmn.bench;

import mmn.engine.World;
import mmn.engine.mem.Addr;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import mmn.engine.explore.Action;
import mmn.engine.explore.AtsAccessAction;
import mmn.engine.explore.OpProgram;

/**
 * One rung of the SPIN comparison ladder (issue 9): linux-3.19, space A with P pages
 * written by the CPU, an ats device gpu (ATC 64, pri retries 8) with one notifier of the
 * given strategy; munmap of the P pages against T device threads, each reading every
 * page in order (each read is an {@link AtsAccessAction}: walk, handle_mm_fault, retry),
 * exactly what {@code mmn check} builds from the script {@link #script()} prints.
 */
record Rung(int pages, int threads, String strategy) {
    static final long BASE = 0x400000;

    /** "8x3" or "8x3:start-only". */
    static Rung parse(String s) {
        String[] st = s.split(":");
        String[] pt = st[0].split("x");
        return new Rung(Integer.parseInt(pt[0]), Integer.parseInt(pt[1]), st.length > 1 ? st[1] : "range");
    }

    World world() {
        World w = new World(Profiles.LINUX_3_19);
        Space a = w.createSpace("A");
        w.map(a, new Range(BASE, BASE + 64 * 1024), Vma.READ | Vma.WRITE, null, false, false, false);
        var gpu = w.createAtsDevice("gpu", 64, false, 8);
        w.bind(gpu, a);
        w.register("amd", a, gpu, strategy);
        for (int i = 0; i < pages; i++) {
            w.beginStatement("touch");
            w.touch(a, BASE + i * Addr.PAGE_SIZE, true);
            w.endStatement();
        }
        return w;
    }

    OpProgram op() {
        long end = BASE + pages * Addr.PAGE_SIZE;
        Range r = new Range(BASE, end); // as `mmn check` builds it: munmap is a step program
        return OpProgram.stepped((w, l) -> w.munmap(w.space("A"), r, l), w -> w.munmapFrame(w.space("A"), r));
    }

    List<List<Action>> actions() {
        List<List<Action>> out = new ArrayList<>();
        int owner = 0;
        for (int t = 0; t < threads; t++) {
            List<Action> th = new ArrayList<>();
            for (int i = 0; i < pages; i++) {
                long va = BASE + i * Addr.PAGE_SIZE;
                th.add(new AtsAccessAction("dma gpu A " + Addr.hex(va) + " read", "gpu", "A", va, false, ++owner));
            }
            out.add(th);
        }
        return out;
    }

    /** The same rung as an mmn script (for `mmn check` timed whole). */
    String script() {
        StringBuilder b = new StringBuilder();
        b.append("profile linux-3.19\nspace A\nmap A 0x400000 +64K rw anon\n")
                .append("device gpu ats { atc 64; pri retries 8 }\nbind gpu A\n")
                .append("notifier amd on A for gpu uses ").append(strategy).append('\n')
                .append("for i in 0..").append(pages).append(" { touch A 0x400000 + i * 4K write }\n")
                .append("explore { munmap A 0x400000 +").append(pages * 4).append("K }");
        for (int t = 0; t < threads; t++) {
            b.append(" with {\n");
            for (int i = 0; i < pages; i++) b.append("  dma gpu A ").append(Addr.hex(BASE + i * Addr.PAGE_SIZE)).append(" read\n");
            b.append('}');
        }
        return b.append(strategy.equals("range") ? " expect coherent\n" : " expect violation use-after-free\n").toString();
    }
}
