// A driver written in JavaScript, registered as an mmu_notifier subscriber.
// Run it with:  ./mmn js scripts/polyglot/range-driver.js
//
// Under linux-3.19 a driver that flushes its device's TLB in invalidate_range (the
// `range` callback) keeps an munmap coherent even while the device keeps reading; a
// driver that only flushes at invalidate_range_start is caught: the device refills
// between start and the PTE clear, and the page is freed under it.
//
// Exit status: 1 (the last run is the start-only driver's violation).

const setup = (dev) => `
space A
map A 0x400000 +64K rw anon
device ${dev} ats { atc 64; walk-cache on; pri retries 8 }
bind ${dev} A
for i in 0..4 { touch A 0x400000 + i * 4K write }
dma ${dev} A 0x400000 +16K read
`;

// munmap one page while the device reads it right after invalidate_range_start
const munmap = (dev) => `
munmap A 0x400000 +4K {
  after start { dma ${dev} A 0x400000 read }
}
`;

// 1. flushes in invalidate_range: coherent
const good = mmn.session("linux-3.19");
good.run(setup("gpu"));
good.notifier("js-range", "A", "gpu", {
  range(ctx, r) {
    ctx.print(`js-range: flush gpu ${r}`);
    ctx.flush("gpu", r);
  },
});
let res = good.run(munmap("gpu"));
console.log(`range driver:      exit ${res.exitCode}, violations [${res.kinds.join(", ")}]`);

// 2. flushes at invalidate_range_start only: use-after-free
const naive = mmn.session("linux-3.19");
naive.run(setup("npu"));
naive.notifier("js-start-only", "A", "npu", {
  start(ctx, r) {
    ctx.flush(ctx.device, r);
  },
});
res = naive.run(munmap("npu"));
console.log(`start-only driver: exit ${res.exitCode}, violations [${res.kinds.join(", ")}]`);
