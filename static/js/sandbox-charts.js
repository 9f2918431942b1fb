// The value under the pointer on the live charts (templates/sandbox/chart.html), and the
// same by keyboard: a focused chart's cursor moves a second at a time with the arrow keys
// (ten with Shift; Home and End: the window's ends). Each line's value at the cursor is
// written in the chart's readout, a polite live region, so a screen reader says it. The
// values are read back from the polylines' points and the chart's data-top: the server
// sends nothing more. A line's points are at absolute simulated time, moved into the window
// by its group's transform (translate), so a point's x on the chart is its own x plus that
// shift. The charts are redrawn once a simulated second, each a new element (an
// out-of-band swap): the cursor stays at the same number of seconds ago and its readout is
// written again, silently. A swap takes the focus and the pointer off the old element for a
// moment, so a cursor is let go only when, after the message, neither is on the chart.
(function () {
  "use strict";
  var WIDTH = 300, HEIGHT = 80, WINDOW_S = 60, STEP = WIDTH / WINDOW_S;
  var cursor = null;  // {key: the chart's key, x: in chart units}

  function format(value) {
    var lang = document.documentElement.lang || undefined;
    return value.toLocaleString(lang, {maximumFractionDigits: value < 10 ? 1 : 0});
  }
  function shift(line) {  // how far the line's group moves its points along x
    var moved = 0, group = line.parentNode;
    var list = group && group.transform ? group.transform.baseVal : null;
    for (var i = 0; list && i < list.numberOfItems; i++) moved += list.getItem(i).matrix.e;
    return moved;
  }
  function nearest(line, x) {
    var points = line.points, dx = shift(line), best = null;
    for (var i = 0; i < points.numberOfItems; i++) {
      var p = points.getItem(i);
      if (best === null || Math.abs(p.x + dx - x) < Math.abs(best.x + dx - x)) best = p;
    }
    return best && Math.abs(best.x + dx - x) <= STEP ? best : null;
  }
  function sentence(svg, x) {
    var top = Number(svg.getAttribute("data-top")), unit = svg.getAttribute("data-unit") || "";
    var charts = document.getElementById("charts");
    var ago = Math.round((WIDTH - x) / STEP);
    var when = ago === 0 ? charts.getAttribute("data-now") : charts.getAttribute("data-ago").replace("%(s)s", ago);
    var lines = Array.prototype.slice.call(svg.querySelectorAll("polyline.series")).reverse();
    var values = lines.map(function (line) {
      var p = nearest(line, x);
      var value = p ? format((HEIGHT - p.y) / HEIGHT * top) + " " + unit : "—";
      return line.getAttribute("data-name") + " " + value;
    });
    return when + ": " + values.join(", ");
  }
  function draw(svg, x, announce) {
    var mark = svg.querySelector(".chart-cursor");
    if (!mark) {
      mark = document.createElementNS("http://www.w3.org/2000/svg", "line");
      mark.setAttribute("class", "chart-cursor");
      mark.setAttribute("y1", "0");
      mark.setAttribute("y2", String(HEIGHT));
      svg.appendChild(mark);
    }
    mark.setAttribute("x1", String(x));
    mark.setAttribute("x2", String(x));
    var readout = document.getElementById(svg.getAttribute("aria-describedby"));
    if (!readout) return;
    readout.setAttribute("aria-live", announce ? "polite" : "off");
    readout.textContent = sentence(svg, x);
  }
  function move(svg, x, announce) {
    x = Math.max(0, Math.min(WIDTH, Math.round(x / STEP) * STEP));
    cursor = {key: svg.id, x: x};
    draw(svg, x, announce);
  }
  function clear(svg) {
    var mark = svg.querySelector(".chart-cursor");
    if (mark) mark.remove();
    var readout = document.getElementById(svg.getAttribute("aria-describedby"));
    if (readout) readout.textContent = "";
    if (cursor && cursor.key === svg.id) cursor = null;
  }
  function release(svg) {  // the pointer or the focus left svg, or a redraw replaced it
    var id = svg.id;
    setTimeout(function () {
      var now = document.getElementById(id);
      if (!now) {
        if (cursor && cursor.key === id) cursor = null;
        return;
      }
      if (document.activeElement === now || now.closest("figure").matches(":hover")) return;
      clear(now);
    }, 0);
  }
  function chartOf(target) {
    return target && target.closest ? target.closest("#charts svg[data-top]") : null;
  }

  document.addEventListener("pointermove", function (event) {
    var svg = chartOf(event.target);
    if (!svg) return;
    var at = svg.createSVGPoint();
    at.x = event.clientX;
    at.y = event.clientY;
    move(svg, at.matrixTransform(svg.getScreenCTM().inverse()).x, true);
  });
  document.addEventListener("pointerout", function (event) {
    var svg = chartOf(event.target);
    if (svg && !svg.contains(event.relatedTarget)) release(svg);
  });
  document.addEventListener("focusin", function (event) {
    var svg = chartOf(event.target);
    if (svg && !(cursor && cursor.key === svg.id)) move(svg, WIDTH, true);
  });
  document.addEventListener("focusout", function (event) {
    var svg = chartOf(event.target);
    if (svg) release(svg);
  });
  document.addEventListener("keydown", function (event) {
    var svg = chartOf(event.target);
    if (!svg) return;
    var x = cursor && cursor.key === svg.id ? cursor.x : WIDTH;
    var step = event.shiftKey ? 10 * STEP : STEP;
    var keys = {ArrowLeft: x - step, ArrowRight: x + step, Home: 0, End: WIDTH};
    if (!(event.key in keys)) return;
    event.preventDefault();
    move(svg, keys[event.key], true);
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    var svg = cursor && document.getElementById(cursor.key);
    if (svg) draw(svg, cursor.x, false);
    soon();  // at the next frame: no layout forced in the message's handler
  });

  // Charts off the row's edge (the row scrolls sideways when they do not all fit): that
  // edge is shaded and the "more" button names them, the ones after first; it scrolls the
  // next of them into view (or back to the start).
  function outside(row) {
    var edge = row.getBoundingClientRect(), before = [], after = [];
    Array.prototype.forEach.call(row.children, function (figure) {
      var box = figure.getBoundingClientRect();
      if (box.right > edge.right + 1) after.push(figure);
      else if (box.left < edge.left - 1) before.push(figure);
    });
    return {before: before, after: after};
  }
  function title(figure) {  // its caption's name, without the node ("Busiest · web-1")
    var label = figure.querySelector("figcaption .metric-label");
    return label ? label.textContent.split(" · ")[0].trim() : figure.getAttribute("data-chart");
  }
  function cue() {
    var charts = document.getElementById("charts"), more = document.getElementById("chart-more");
    var row = charts && charts.querySelector(".chart-row");
    if (!row || !more) return;
    var off = outside(row), list = off.after.length ? off.after : off.before;
    row.parentNode.classList.toggle("more-after", off.after.length > 0);
    row.parentNode.classList.toggle("more-before", off.before.length > 0);
    more.hidden = list.length === 0;
    var text = (charts.getAttribute("data-more") || "%(charts)s").replace("%(charts)s", list.map(title).join(", "));
    var arrow = off.after.length ? " →" : "← ";
    var said = off.after.length ? text + arrow : arrow + text;
    if (more.textContent === said) return;
    more.textContent = "";
    var glyph = document.createElement("span");
    glyph.setAttribute("aria-hidden", "true");
    glyph.textContent = arrow;
    if (off.after.length) more.append(text, glyph);
    else more.append(glyph, text);
    more.setAttribute("data-ahead", off.after.length ? "1" : "");
  }
  var queued = false;
  function soon() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(function () { queued = false; cue(); });
  }
  document.addEventListener("click", function (event) {
    var more = event.target.closest ? event.target.closest("#chart-more") : null;
    var row = more && document.querySelector("#charts .chart-row");
    if (!row) return;
    var first = outside(row).after[0];
    if (more.getAttribute("data-ahead") && first) {
      row.scrollBy({left: first.getBoundingClientRect().left - row.getBoundingClientRect().left});
    } else {
      row.scrollTo({left: 0});
    }
  });
  document.addEventListener("scroll", function (event) {
    if (event.target.classList && event.target.classList.contains("chart-row")) soon();
  }, true);
  window.addEventListener("resize", soon);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", cue);
  else cue();
})();
