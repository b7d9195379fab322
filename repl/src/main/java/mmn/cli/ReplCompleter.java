package mmn.cli;

import mmn.engine.EngineException;
import mmn.engine.World;
import mmn.engine.check.ViolationKind;
import mmn.engine.device.Device;
import mmn.engine.mem.Space;
import mmn.engine.mem.Vma;
import mmn.engine.notifier.Strategies;
import mmn.engine.notifier.Subscriber;
import mmn.engine.profile.Hook;
import mmn.engine.profile.Operations;
import mmn.engine.profile.Profile;
import mmn.engine.profile.Profiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import mmn.interp.Session;
import mmn.parse.Caret;
import mmn.parse.Usage;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion from the grammar's position at the caret ({@link Caret}) and the live
 * world: the phases of the operation being typed under this profile, the strategies
 * that can drive that device, the spaces bound to that device, ... Each candidate
 * carries a one-line description.
 */
final class ReplCompleter implements Completer {
    private final Supplier<Session> session;

    ReplCompleter(Supplier<Session> session) {
        this.session = session;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        String before = line.line().substring(0, line.cursor() - line.wordCursor());
        candidates.addAll(candidates(before, line.word().substring(0, line.wordCursor())));
    }

    /** The candidates for the word starting after {@code before}, of which {@code typed} is written. */
    List<Candidate> candidates(String before, String typed) {
        List<Candidate> out = new java.util.ArrayList<>();
        String t = before.stripLeading();
        if (t.isEmpty() && typed.startsWith(":")) {
            ReplCommands.HELP.forEach((cmd, what) -> out.add(new Candidate(cmd, cmd, null, what, null, null, true)));
            return out;
        }
        if (t.matches(":(load|save)\\s+")) {
            files(typed, false, out);
            return out;
        }
        if (t.matches(":(reset|profile)\\s+")) {
            profiles(out);
            return out;
        }
        if (t.matches(":help\\s+")) {
            statements(out);
            return out;
        }
        if (t.startsWith(":")) return out;
        Caret.Position p = Caret.at(before);
        World w = session.get().world();
        switch (p.slot()) {
            case STATEMENT: statements(out); break;
            case PROFILE: profiles(out); break;
            case KNOB:
                add(out, "gather-batch", "pages an mmu_gather collects before a forced flush");
                add(out, "storm-threshold", "device faults in one operation that count as a fault storm");
                add(out, "arch", "the CPU architecture (x86 or arm64): where the TLB flush fires the hook");
                break;
            case KNOB_VALUE:
                if ("arch".equals(p.qualifier())) {
                    add(out, "x86", "flush_tlb_mm_range");
                    add(out, "arm64", "__flush_tlb_range");
                }
                break;
            case DEVICE_KIND:
                add(out, "ats", "a PCIe ATS device behind an IOMMU (ATC, walk cache, page requests)");
                add(out, "mirror", "an HMM mirror driver (dmirror): device page table filled by its fault path");
                add(out, "kvm", "a KVM guest's secondary MMU (EPT/NPT) filled by the fault path");
                break;
            case DEVICE_OPTION:
                add(out, "atc", "atc N: ATC entries");
                add(out, "walk-cache", "walk-cache on|off: the IOMMU caches page-table walks");
                add(out, "pri", "pri retries N: page-request retries before the access is abandoned");
                break;
            case DEVICE: devices(w, out); break;
            case SPACE: spaces(w, out); break;
            case SPACE_OF_DEVICE: spacesOf(w, p.qualifier(), out); break;
            case ROOT:
                add(out, "empty", "an empty page-table root (the device sees no mappings)");
                spaces(w, out);
                break;
            case NOTIFIER:
                for (Space s : w.spaces().values())
                    for (Subscriber sub : w.subscribers(s)) add(out, sub.name(), "notifier on " + s.name() + " " + sub);
                break;
            case STRATEGY: strategies(w, p.qualifier(), out); break;
            case ACCESS:
                add(out, "read", "a read access");
                add(out, "write", "a write access");
                break;
            case DMA_RESULT:
                for (Device.AccessResult.Status s : Device.AccessResult.Status.values())
                    add(out, s.name().toLowerCase(), "the access ends " + s.name().toLowerCase());
                break;
            case MAP_ATTR:
                add(out, "rw", "readable and writable");
                add(out, "r", "read-only");
                add(out, "rwx", "readable, writable, executable");
                add(out, "anon", "anonymous memory");
                add(out, "file", "file \"NAME\": a file-backed mapping (page cache)");
                add(out, "shared", "MAP_SHARED");
                add(out, "huge", "THP-eligible (a 2M-aligned range gets a huge page)");
                add(out, "hugetlb", "hugetlbfs pages");
                break;
            case PROT:
                add(out, "r", "read-only");
                add(out, "rw", "readable and writable");
                add(out, "none", "PROT_NONE");
                break;
            case PHASE: phases(w.profile(), p.qualifier(), out); break;
            case EVENT: events(w.profile(), out); break;
            case VIOLATION_KIND:
                for (ViolationKind k : ViolationKind.values()) add(out, k.label(), KIND_TEXT.getOrDefault(k, ""));
                break;
            case SHOW:
                spaces(w, out);
                devices(w, out);
                add(out, "frames", "physical frames: owner, refcount, free");
                add(out, "trace", "the engine events since the last show trace");
                break;
            case VARIABLE:
                session.get().variables().forEach((k, v) -> add(out, k, "variable = " + v));
                keywords(p.keywords(), out);
                break;
            case FILE: files(typed, true, out); break;
            case NEW_NAME: break;
            default: keywords(p.keywords(), out); break;
        }
        return out;
    }

    private static final Map<ViolationKind, String> KIND_TEXT = Map.of(
            ViolationKind.USE_AFTER_FREE, "a device reaches a frame after it was freed",
            ViolationKind.STALE_WALK_CACHE, "the IOMMU walks a freed page-table page from its walk cache",
            ViolationKind.STALE_TRANSLATION, "a device cache holds a translation the CPU page table no longer has",
            ViolationKind.LOST_WRITE, "a device writes a page the kernel already considers clean/gone",
            ViolationKind.DEVICE_FAILED, "the device failed (its access could not be served)",
            ViolationKind.FAULT_STORM, "too many device faults in one operation",
            ViolationKind.PROTOCOL, "the notifier protocol is broken (start without end, ...)");

    /** Keywords the grammar expects here, with the statement's usage when it is one. */
    private static void keywords(List<String> keywords, List<Candidate> out) {
        for (String k : keywords) {
            String u = Usage.of(k);
            add(out, k, u != null ? u.substring("usage: ".length()) : SUB_KEYWORDS.getOrDefault(k, "keyword"));
        }
    }

    private static final Map<String, String> SUB_KEYWORDS = Map.ofEntries(
            Map.entry("after", "after PHASE { ... }: run device actions at that point of the operation"),
            Map.entry("on", "on EVENT(r) { ... }: a handler"),
            Map.entry("for", "for DEVICE: the device the notifier drives"),
            Map.entry("uses", "uses STRATEGY: a built-in driver design"),
            Map.entry("with", "with { DEVICE ACTIONS }: a thread to interleave"),
            Map.entry("to", "to ADDR: the new address"),
            Map.entry("else", "else { ... }"),
            Map.entry("all", "every entry"),
            Map.entry("coherent", "no violation (in every interleaving, for explore)"),
            Map.entry("violation", "violation KIND: this kind is raised"),
            Map.entry("failed", "failed DEVICE: the device has failed"),
            Map.entry("healthy", "healthy DEVICE: the device has not failed"),
            Map.entry("faults", "faults DEVICE OP N: the device's fault count"),
            Map.entry("same-frame", "same-frame SPACE ADDR SPACE ADDR: both map one frame"),
            Map.entry("mapped", "mapped SPACE ADDR: a PTE is present"),
            Map.entry("unmapped", "unmapped SPACE ADDR: no PTE"),
            Map.entry("dma", "dma DEVICE SPACE RANGE read|write RESULT"),
            Map.entry("page", "times the page size"),
            Map.entry("pages", "times the page size"),
            Map.entry("retries", "retries N"),
            Map.entry("file", "file \"NAME\""),
            Map.entry("in", "in FROM..TO"));

    private static void statements(List<Candidate> out) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(Usage.all()).entrySet()) {
            if (!e.getKey().equals("on")) add(out, e.getKey(), e.getValue());
        }
    }

    private static void profiles(List<Candidate> out) {
        for (Profile p : Profiles.all()) add(out, p.name(), p.summary());
    }

    private static void devices(World w, List<Candidate> out) {
        for (Device d : w.devices().values())
            add(out, d.name(), d.kind() + " device" + (d.space() == null ? ", not bound" : ", bound to " + d.space().name()));
    }

    private static void spaces(World w, List<Candidate> out) {
        for (Space s : w.spaces().values()) add(out, s.name(), spaceText(s));
    }

    static String spaceText(Space s) {
        List<Vma> v = s.vmas();
        return "space, " + v.size() + (v.size() == 1 ? " mapping" : " mappings") + (v.isEmpty() ? "" : " from " + v.get(0).range());
    }

    /** Only the space the device is bound to (a device translates for one address space). */
    private static void spacesOf(World w, String device, List<Candidate> out) {
        Device d = device == null ? null : w.devices().get(device);
        if (d == null) {
            spaces(w, out);
            return;
        }
        if (d.space() != null) add(out, d.space().name(), "the space " + d.name() + " is bound to");
    }

    /** The built-in strategies that can drive this device under this profile (Strategies.validate). */
    private static void strategies(World w, String device, List<Candidate> out) {
        Device d = device == null ? null : w.devices().get(device);
        for (String s : Strategies.NAMES) {
            try {
                Strategies.validate(s, w.profile(), d);
            } catch (EngineException e) {
                continue;
            }
            add(out, s, STRATEGY_TEXT.getOrDefault(s, "built-in strategy"));
        }
    }

    private static final Map<String, String> STRATEGY_TEXT = Map.of(
            "empty-pt", "AMD IOMMUv2: swap to an empty page-table root at start, back at end",
            "range", "flush the device TLB in invalidate_range (under the PTL)",
            "arch-tlbs", "flush in arch_invalidate_secondary_tlbs (6.6+)",
            "start-only", "flush at invalidate_range_start only (naive: the device refills before the clear)",
            "end-only", "flush at invalidate_range_end only (naive: frees happen before)",
            "kvm", "KVM: mmu_notifier_seq/count, zap at start, the fault path retries",
            "interval", "mmu_interval_notifier with the read_begin/read_retry collision check",
            "interval-no-retry", "mmu_interval_notifier whose fault path skips read_retry (buggy)");

    /** The operation's phases that exist under this profile, each with the kernel step it follows. */
    private static void phases(Profile p, String op, List<Candidate> out) {
        if (op == null) return;
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (Operations.Step s : Operations.outline(op)) {
            if (s.phase() == null || (s.site() != null && !p.hasSite(s.site()))) continue;
            if (seen.add(s.phase())) add(out, s.phase(), "after: " + s.what());
        }
        // phases of steps this profile has no site for still exist in the catalogue: offer them last
        for (String ph : Operations.phases(op)) {
            if (seen.add(ph)) add(out, ph, "(not reached under " + p.name() + ")");
        }
    }

    private static void events(Profile p, List<Candidate> out) {
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (Hook h : Hook.values()) {
            if (h == Hook.INVALIDATE_RANGE_ONLY_END || !seen.add(h.handlerName())) continue;
            String hook = h.name().toLowerCase();
            add(out, h.handlerName(), hook + (p.fires(h) ? "" : " (not fired under " + p.name() + ")"));
        }
    }

    /** Files and directories under the typed prefix; scripts only (and, for include, quoted). */
    private static void files(String typed, boolean quoted, List<Candidate> out) {
        String raw = quoted && typed.startsWith("\"") ? typed.substring(1) : typed;
        int slash = raw.lastIndexOf('/');
        String dirPart = slash < 0 ? "" : raw.substring(0, slash + 1);
        Path dir = Path.of(dirPart.isEmpty() ? "." : dirPart);
        if (!Files.isDirectory(dir)) return;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            List<Path> sorted = new java.util.ArrayList<>();
            ds.forEach(sorted::add);
            sorted.sort(null);
            for (Path f : sorted) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) continue;
                boolean isDir = Files.isDirectory(f);
                if (!isDir && !name.endsWith(".mmn")) continue;
                String value = (quoted ? "\"" : "") + dirPart + name + (isDir ? "/" : quoted ? "\"" : "");
                out.add(new Candidate(value, name + (isDir ? "/" : ""), null, isDir ? "directory" : "script", null, null, !isDir));
            }
        } catch (IOException e) {
            // an unreadable directory completes to nothing
        }
    }

    private static void add(List<Candidate> out, String value, String description) {
        out.add(new Candidate(value, value, null, description, null, null, true));
    }
}
