# A driver for `mmn matrix`, written in Python: the seed's ATS device with a walk
# cache, flushed in invalidate_range (the same as scripts/drivers/range.mmn).
# Run it with:  ./mmn matrix scripts/polyglot/matrix-driver.py --profiles linux-3.16,linux-3.19 --ops munmap

class RangeDriver:
    def range(self, ctx, r):
        ctx.flush("gpu", r)

mmn.driver("device gpu ats { atc 64; walk-cache on; pri retries 8 }", "py-range", RangeDriver(),
           {"state": {}})  # it keeps nothing between callbacks: the cells' explores may copy it
