package mmn.interp;

import mmn.engine.World;
import mmn.engine.check.Trace;
import mmn.engine.device.AtsDevice;
import mmn.engine.device.Device;
import mmn.engine.device.WalkCache;
import mmn.engine.mem.Addr;
import mmn.engine.mem.FrameKind;
import mmn.engine.mem.PhysMem;
import mmn.engine.mem.Pte;
import mmn.engine.mem.Range;
import mmn.engine.mem.Space;
import mmn.engine.mem.Translation;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.Subscriber;
import java.util.List;

/** The {@code show} forms: readable tables of a space, a device, the frames, the trace. */
final class Shows {
    private Shows() {}

    static String space(World w, Space s) {
        StringBuilder b = new StringBuilder();
        b.append("space ").append(s.name()).append(s.exited() ? " (exited)" : "")
                .append(", pgd pfn ").append(s.pageTable().root()).append('\n');
        b.append("  vmas:\n");
        if (s.vmas().isEmpty()) b.append("    (none)\n");
        for (Vma v : s.vmas()) b.append("    ").append(v).append('\n');
        b.append("  page table:\n");
        List<Long> pages = s.pageTable().populated(new Range(0, Addr.TASK_SIZE));
        if (pages.isEmpty()) b.append("    (no PTEs)\n");
        else b.append(String.format("    %-18s %-24s %s%n", "address", "pte", "frame"));
        for (long va : pages) {
            long pte = s.pageTable().get(va);
            String frame = Pte.mapsPage(pte) ? frameLabel(w.memory(), Pte.pfn(pte)) : "";
            b.append(String.format("    %-18s %-24s %s%n", Addr.hex(va), Pte.describe(pte), frame));
        }
        List<Translation> tlb = s.cpuTlb().entries();
        b.append("  cpu tlb: ").append(tlb.size()).append(" entries\n");
        for (Translation t : tlb) b.append("    ").append(entry(t)).append('\n');
        b.append("  notifiers: ");
        List<Subscriber> subs = w.subscribers(s);
        if (subs.isEmpty()) b.append("(none)");
        for (int i = 0; i < subs.size(); i++) b.append(i == 0 ? "" : ", ").append(subs.get(i));
        return b.append('\n').toString();
    }

    static String device(World w, Device d) {
        StringBuilder b = new StringBuilder();
        b.append("device ").append(d.name()).append(" (").append(d.kind()).append(")");
        b.append(d.space() == null ? ", unbound" : ", bound to " + d.space().name());
        b.append(d.failed() ? ", FAILED" : ", healthy").append(d.blocked() ? ", blocked" : "");
        b.append(", ").append(d.faults()).append(" faults\n");
        if (d instanceof AtsDevice a) {
            b.append("  root: ").append(a.rootDescription()).append('\n');
            b.append("  pri retries: ").append(a.priRetries() == null ? "unlimited" : a.priRetries())
                    .append(", walk cache ").append(a.walkCacheOn() ? "on" : "off").append('\n');
        }
        for (var c : d.caches()) {
            b.append("  ").append(c.label()).append(": ").append(c.size()).append(" entries\n");
            for (Translation t : c.entries()) b.append("    ").append(entry(t)).append(stale(w, t)).append('\n');
        }
        WalkCache wc = d.walkCache();
        if (wc != null && !wc.entries().isEmpty()) {
            b.append("  ").append(wc.label()).append(": ").append(wc.entries().size()).append(" entries\n");
            for (WalkCache.Entry e : wc.entries()) {
                b.append(String.format("    %s %-14s -> table pfn %d gen %d%s%n", Addr.levelName(e.level()), Addr.hex(e.va()),
                        e.pfn(), e.gen(), w.memory().alive(e.pfn(), e.gen()) ? "" : "   STALE (freed)"));
            }
        }
        return b.toString();
    }

    private static String entry(Translation t) {
        return String.format("%-14s -> pfn %-5d gen %-3d %s", Addr.hex(t.va()), t.pfn(), t.gen(), t.writable() ? "rw" : "ro");
    }

    private static String stale(World w, Translation t) {
        if (!w.memory().alive(t.pfn(), t.gen())) return "   STALE (frame freed)";
        long pte = w.space(t.owner().space).pageTable().get(t.va());
        // a huge PTE maps 512 frames: the entry's page is the head pfn plus its index in the 2M page
        long pfn = Pte.pfn(pte) + (Pte.huge(pte) ? (t.va() & (Addr.PMD_SIZE - 1)) >>> Addr.PAGE_SHIFT : 0);
        if (!Pte.present(pte) || pfn != t.pfn()) return "   STALE (pte " + Pte.describe(pte) + ")";
        return "";
    }

    private static String frameLabel(PhysMem m, int pfn) {
        return "pfn " + pfn + " gen " + m.gen(pfn) + (pfn == PhysMem.ZERO_PFN ? " (zero page)" : "");
    }

    static String frames(World w) {
        PhysMem m = w.memory();
        StringBuilder b = new StringBuilder();
        b.append(String.format("frames: %d of %d in use%n", m.usedFrames(), m.frameCount()));
        b.append(String.format("  %-6s %-12s %-5s %-5s %-5s %s%n", "pfn", "kind", "gen", "ref", "map", "value"));
        for (int pfn = 1; pfn < m.highWater(); pfn++) {
            if (m.kind(pfn) == FrameKind.FREE) continue;
            b.append(String.format("  %-6d %-12s %-5d %-5d %-5d %d%n", pfn, m.kind(pfn).label(), m.gen(pfn), m.refcount(pfn),
                    m.mapcount(pfn), m.value(pfn)));
        }
        return b.toString();
    }

    static String trace(World w, int fromSeq) {
        StringBuilder b = new StringBuilder();
        for (Trace.Event e : w.trace().since(fromSeq)) {
            b.append(String.format("  %4d  %-9s %s%n", e.seq(), e.type(), e.text()));
        }
        return b.toString();
    }
}
