// Compare A/B's run page. The one traffic control and the one clock (pause, resume) set both
// sides: each goes into a hidden form of each frame (compare_frame.html), sent over that side's
// own socket. The two frames
// scroll together, so what is level in one stays level with the other. Once a second, read
// each frame's p99 latency (#metric-p99, the sandbox's own figure) and keep the mean of those
// readings per side; say which side is lower so far (within 10 %: about the same) and whether
// the learner's prediction holds. The sentence is a polite live region changed only when the
// verdict changes; the figures beside it are not announced.
(function () {
  "use strict";
  const verdict = document.getElementById("compare-verdict");
  if (!verdict) return;
  const figures = document.getElementById("compare-figures");
  const sums = {a: 0, b: 0};
  const counts = {a: 0, b: 0};
  const SAME = 0.1;
  const OTHER = {a: "b", b: "a"};
  const quiet = {a: false, b: false};  // the next scroll of this side is the other's echo

  function frame(side) { return document.getElementById("frame-" + side); }

  function doc(side) {
    const f = frame(side);
    return f && f.contentDocument;
  }

  // Send the hidden form ``id`` of both frames, with ``fields`` filled in.
  function both(id, fields) {
    for (const side of ["a", "b"]) {
      const d = doc(side);
      const form = d && d.getElementById(id);
      if (!form) continue;
      for (const name in fields) form.elements[name].value = fields[name];
      form.requestSubmit();
    }
  }

  const traffic = document.getElementById("compare-traffic");
  traffic.addEventListener("submit", function (event) {
    event.preventDefault();
    both("shared-traffic-form", {rps: traffic.elements.rps.value});
  });

  const clock = document.getElementById("compare-pause");
  let paused = false;
  clock.addEventListener("click", function () {
    both(paused ? "shared-resume-form" : "shared-pause-form", {});
    paused = !paused;
    clock.textContent = paused ? clock.dataset.resume : clock.dataset.pause;
  });

  function scrolled(side) {
    if (quiet[side]) { quiet[side] = false; return; }
    const here = frame(side).contentWindow;
    const there = frame(OTHER[side]).contentWindow;
    if (!here || !there || !there.document.documentElement) return;
    const most = there.document.documentElement.scrollHeight - there.innerHeight;
    const y = Math.max(0, Math.min(here.scrollY, most));
    if (Math.abs(there.scrollY - y) < 1) return;
    quiet[OTHER[side]] = true;
    there.scrollTo(0, y);
  }

  // Each frame's scroll is followed from its load (or, loaded before this ran, from its
  // first reading); an empty frame is not touched before that (a test's counters live in it).
  const followed = {a: null, b: null};
  function follow(side) {
    const w = frame(side).contentWindow;
    if (!w || followed[side] === w) return;
    followed[side] = w;
    w.addEventListener("scroll", function () { scrolled(side); }, {passive: true});
  }
  for (const side of ["a", "b"]) {
    frame(side).addEventListener("load", function () { followed[side] = null; follow(side); });
  }

  function reading(side) {
    const d = doc(side);
    const cell = d && d.getElementById("metric-p99");
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
      if (value !== null) { sums[side] += value; counts[side] += 1; follow(side); }
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
