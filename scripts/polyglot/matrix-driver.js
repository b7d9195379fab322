// A driver for `mmn matrix`, written in JavaScript: the seed's ATS device with a walk
// cache, flushed in invalidate_range (the same as scripts/drivers/range.mmn).
// Run it with:  ./mmn matrix scripts/polyglot/matrix-driver.js --profiles linux-3.16,linux-3.19 --ops munmap
mmn.driver("device gpu ats { atc 64; walk-cache on; pri retries 8 }", "js-range", {
  range(ctx, r) {
    ctx.flush("gpu", r);
  },
}, {state: {}}); // it keeps nothing between callbacks: the cells' explores may copy it
