// Compare A/B's run page: once a second, read each frame's p99 latency (#metric-p99, the
// sandbox's own figure) and keep the mean of those readings per side; say which side is
// lower so far (within 10 %: about the same) and whether the learner's prediction holds.
// The sentence is a polite live region changed only when the verdict changes; the
// figures beside it are not announced.
(function () {
  "use strict";
  const verdict = document.getElementById("compare-verdict");
  if (!verdict) return;
  const figures = document.getElementById("compare-figures");
  const sums = {a: 0, b: 0};
  const counts = {a: 0, b: 0};
  const SAME = 0.1;

  function reading(side) {
    const frame = document.getElementById("frame-" + side);
    const doc = frame && frame.contentDocument;
    const cell = doc && doc.getElementById("metric-p99");
    if (!cell) return null;
    const value = parseFloat(cell.textContent.replace(/[^0-9.]/g, ""));
    return Number.isFinite(value) ? value : null;
  }

  function leader(a, b) {
    if (Math.abs(a - b) <= SAME * Math.max(a, b)) return "same";
    return a < b ? "a" : "b";
  }

  function look() {
    for (const side of ["a", "b"]) {
      const value = reading(side);
      if (value !== null) { sums[side] += value; counts[side] += 1; }
    }
    if (!counts.a || !counts.b) return;
    const a = sums.a / counts.a;
    const b = sums.b / counts.b;
    figures.textContent = verdict.dataset.figures
      .replace("{a}", a.toFixed(0)).replace("{b}", b.toFixed(0));
    const now = leader(a, b);
    const holds = now === verdict.dataset.prediction;
    const lower = {a: verdict.dataset.lowerA, b: verdict.dataset.lowerB, same: verdict.dataset.lowerSame};
    const sentence = lower[now] + " " +
      (holds ? verdict.dataset.holds : verdict.dataset.fails);
    if (verdict.textContent !== sentence) verdict.textContent = sentence;
  }

  setInterval(look, 1000);
})();
