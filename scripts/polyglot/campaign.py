# A randomised campaign: N random workloads x every built-in strategy, explored over
# every interleaving of the operation with a device read; prints how many workloads
# each strategy lets a violation through, and of which kinds.
#
#   ./mmn py scripts/polyglot/campaign.py [N] [SEED]      (defaults: 20 workloads, seed 1)
#
# Each explore is bounded to 3,000 distinct states: a strategy whose fault path can retry
# without end (kvm against a long invalidation) is counted "inconclusive", not passed.
# Deterministic: the same N and SEED give the same workloads (and the same table as
# campaign.js). Exit status: 0 (a finding is the campaign's result, not a failure).

args = list(mmn.args)
N = int(args[0]) if args else 20
SEED = int(args[1]) if len(args) > 1 else 1
seed = SEED % 2147483646 + 1

def rand(n):
    # Park-Miller's minimal standard generator, as in campaign.js: the same workloads
    global seed
    seed = (seed * 48271) % 2147483647
    return seed % n

OPS = ["munmap", "dontneed", "mprotect", "migrate"]
PAGE = 4096

def workload():
    op = OPS[rand(len(OPS))]
    first = rand(3)
    pages = 1 + rand(2)
    read = first + rand(pages)  # the device reads a page the operation touches
    text = f"{op} A {0x400000 + first * PAGE:#x} +{pages * 4}K" + (" r" if op == "mprotect" else "")
    return text, f"{0x400000 + read * PAGE:#x}"

strategies = list(mmn.strategies())
workloads = [workload() for _ in range(N)]

rows = []
for st in strategies:
    found, inconclusive, kinds = 0, 0, {}
    for text, read in workloads:
        s = mmn.session(st.profile, {"echo": False, "maxStates": 3000})
        s.run(f"""space A
map A 0x400000 +16K rw anon
device dev {st.device}
bind dev A
touch A 0x400000 +16K write
notifier n on A for dev uses {st.name}""")
        r = s.run(f"explore {{ {text} }} with {{ dma dev A {read} read }}")
        e = r.explores[0] if len(r.explores) > 0 else None
        if e is None or e.verdict not in ("coherent", "violation"):
            inconclusive += 1
            continue
        if e.counterexample is not None:
            found += 1
            k = e.counterexample.violation.kind
            kinds[k] = kinds.get(k, 0) + 1
    rows.append([st.name, st.device, f"{found}/{len(workloads)}", inconclusive,
                 ", ".join(f"{k} x{kinds[k]}" for k in sorted(kinds)) or "-"])

head = ["strategy", "device", "violated", "inconclusive", "kinds"]
widths = [max(len(h), *(len(str(r[i])) for r in rows)) for i, h in enumerate(head)]
line = lambda r: "  ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)).rstrip()
print(f"campaign: {N} random workloads (seed {SEED}) x {len(strategies)} strategies")
print(line(head))
for r in rows:
    print(line(r))
