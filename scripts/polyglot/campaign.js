// A randomised campaign: N random workloads x every built-in strategy, explored over
// every interleaving of the operation with a device read; prints how many workloads
// each strategy lets a violation through, and of which kinds.
//
//   ./mmn js scripts/polyglot/campaign.js [N] [SEED]      (defaults: 20 workloads, seed 1)
//
// Each explore is bounded to 3,000 distinct states: a strategy whose fault path can retry
// without end (kvm against a long invalidation) is counted "inconclusive", not passed.
// Deterministic: the same N and SEED give the same workloads and the same table.
// Exit status: 0 (a finding is the campaign's result, not a failure).

const N = mmn.args.length > 0 ? parseInt(mmn.args[0]) : 20;
const SEED = mmn.args.length > 1 ? parseInt(mmn.args[1]) : 1;
let seed = SEED % 2147483646 + 1;

// Park-Miller's minimal standard generator, the same in campaign.py so both languages
// draw the same workloads; its products stay below 2^53, exact in a JS number
function rand(n) {
  seed = (seed * 48271) % 2147483647;
  return seed % n;
}

const OPS = ["munmap", "dontneed", "mprotect", "migrate"];
const PAGE = 4096;

function workload() {
  const op = OPS[rand(OPS.length)];
  const first = rand(3), pages = 1 + rand(2), read = first + rand(pages); // the device reads a page the operation touches
  const at = (0x400000 + first * PAGE).toString(16);
  return {
    text: `${op} A 0x${at} +${pages * 4}K${op === "mprotect" ? " r" : ""}`,
    read: "0x" + (0x400000 + read * PAGE).toString(16),
  };
}

// the device kind each strategy drives, from mmn itself
const strategies = mmn.strategies();
const workloads = [];
for (let i = 0; i < N; i++) workloads.push(workload());

const rows = [];
for (const st of strategies) {
  let found = 0, inconclusive = 0;
  const kinds = {};
  for (const w of workloads) {
    const s = mmn.session(st.profile, {echo: false, maxStates: 3000});
    s.run(`space A
map A 0x400000 +16K rw anon
device dev ${st.device}
bind dev A
touch A 0x400000 +16K write
notifier n on A for dev uses ${st.name}`);
    const r = s.run(`explore { ${w.text} } with { dma dev A ${w.read} read }`);
    const e = r.explores.length > 0 ? r.explores[0] : null;
    if (e === null || (e.verdict !== "coherent" && e.verdict !== "violation")) { inconclusive++; continue; }
    if (e.counterexample !== null) {
      found++;
      const k = e.counterexample.violation.kind;
      kinds[k] = (kinds[k] || 0) + 1;
    }
  }
  rows.push([st.name, st.device, `${found}/${workloads.length}`, inconclusive,
             Object.keys(kinds).sort().map(k => `${k} x${kinds[k]}`).join(", ") || "-"]);
}

const head = ["strategy", "device", "violated", "inconclusive", "kinds"];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)));
const line = r => r.map((c, i) => String(c).padEnd(widths[i])).join("  ").trimEnd();
console.log(`campaign: ${N} random workloads (seed ${SEED}) x ${strategies.length} strategies`);
console.log(line(head));
for (const r of rows) console.log(line(r));
