# A driver written in Python, registered as an mmu_notifier subscriber.
# Run it with:  ./mmn py scripts/polyglot/range-driver.py
#
# Under linux-3.19 a driver that flushes its device's TLB in invalidate_range (the
# `range` callback) keeps an munmap coherent even while the device keeps reading; a
# driver that only flushes at invalidate_range_start is caught: the device refills
# between start and the PTE clear, and the page is freed under it.
#
# Exit status: 1 (the last run is the start-only driver's violation).

def setup(dev):
    return f"""
space A
map A 0x400000 +64K rw anon
device {dev} ats {{ atc 64; walk-cache on; pri retries 8 }}
bind {dev} A
for i in 0..4 {{ touch A 0x400000 + i * 4K write }}
dma {dev} A 0x400000 +16K read
"""

# munmap one page while the device reads it right after invalidate_range_start
def munmap(dev):
    return f"""
munmap A 0x400000 +4K {{
  after start {{ dma {dev} A 0x400000 read }}
}}
"""

# 1. flushes in invalidate_range: coherent
class RangeDriver:
    def range(self, ctx, r):
        ctx.print(f"py-range: flush gpu {r}")
        ctx.flush("gpu", r)

good = mmn.session("linux-3.19")
good.run(setup("gpu"))
good.notifier("py-range", "A", "gpu", RangeDriver())
res = good.run(munmap("gpu"))
print(f"range driver:      exit {res.exitCode}, violations [{', '.join(res.kinds)}]")

# 2. flushes at invalidate_range_start only (a dict of callbacks works too)
def start_only(ctx, r):
    ctx.flush(ctx.device, r)

naive = mmn.session("linux-3.19")
naive.run(setup("npu"))
naive.notifier("py-start-only", "A", "npu", {"start": start_only})
res = naive.run(munmap("npu"))
print(f"start-only driver: exit {res.exitCode}, violations [{', '.join(res.kinds)}]")
