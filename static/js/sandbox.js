// Live sandbox. The parts that hold forms (#controls, #nodes, #lesson) are swapped with
// htmx's idiomorph extension (hx-swap-oob="morph"), which keeps every element that stays,
// and so keyboard focus. What only this page knows is here:
// - a field the learner changed but has not sent keeps the learner's value through a
//   redraw, and a <details data-keep-open> the learner opened stays open (idiomorph's
//   beforeAttributeUpdated callback says which attributes to leave alone);
// - the log-scale traffic slider and the number field stay in step;
// - when the focused control is gone (a lesson's answered question, its last hint),
//   focus goes to its panel's heading, not to the top of the page;
// - the event log keeps its newest entries only;
// - a stage's text folds away and back with its button (a disclosure: aria-expanded), and
//   folds away by itself when a run starts and the lab beside it cannot show the whole run;
// - on one screen, the control groups (details) that do not fit the side column fold to
//   their names, so that every group's name and the clock stay in view.
(function () {
  "use strict";
  var MAX_EVENTS = 60;

  // A field differs from what the server last drew (its default) until it is sent.
  function unsent(node) {
    if (node.type === "checkbox" || node.type === "radio") return node.checked !== node.defaultChecked;
    if (node.tagName === "OPTION") return node.selected !== node.defaultSelected;
    return "defaultValue" in node && node.type !== "hidden" && node.value !== node.defaultValue;
  }
  if (window.Idiomorph) {
    Idiomorph.defaults.callbacks.beforeAttributeUpdated = function (name, node) {
      if (name === "open" && node.hasAttribute("data-keep-open")) return false;
      if ((name === "value" || name === "checked" || name === "selected") && unsent(node)) return false;
      return true;
    };
  }
  // Sending a form makes what it sent the fields' defaults: the next redraw may replace them.
  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (!f.hasAttribute || !f.hasAttribute("ws-send")) return;
    Array.prototype.forEach.call(f.querySelectorAll("input, option"), function (field) {
      if (field.tagName === "OPTION") field.defaultSelected = field.selected;
      else if (field.type === "checkbox" || field.type === "radio") field.defaultChecked = field.checked;
      else field.defaultValue = field.value;
    });
  }, true);

  function form() { return document.getElementById("traffic-form"); }

  document.addEventListener("input", function (event) {
    var target = event.target;
    var f = form();
    if (!f || !f.contains(target)) return;
    var slider = f.querySelector("[data-traffic-slider]");
    var number = f.querySelector("[data-traffic-number]");
    if (target === slider) {
      number.value = Math.round(Math.pow(10, Number(slider.value)));
    } else if (target === number && Number(number.value) > 0) {
      slider.value = Math.log10(Number(number.value)).toFixed(2);
    }
  });

  // Releasing the slider (or a keyboard step) sends the new traffic at once.
  document.addEventListener("change", function (event) {
    var f = form();
    if (f && event.target === f.querySelector("[data-traffic-slider]")) f.requestSubmit();
  });

  // The stage text's disclosure button (absent on the sandbox page).
  var toggle = document.getElementById("text-toggle");
  var text = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  var note = document.getElementById("text-note");
  var close = document.getElementById("text-close");
  var drawer = false;  // whether the text is open as a drawer over the lab
  // Whether the lab shows the whole run on one screen (sandbox.css sets --one-screen).
  function oneScreen() {
    var screen = document.querySelector(".run-screen");
    return !!screen && getComputedStyle(screen).getPropertyValue("--one-screen").trim() === "1";
  }
  // Opened while a run plays, or while the lab fills one screen, the text is a drawer over
  // the lab (lessons.css): focus moves into it, and back to the button when it closes.
  function showText(open, asDrawer) {
    if (!open && text.contains(document.activeElement)) toggle.focus();  // not lost to <body>
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    text.hidden = !open;
    drawer = open && !!asDrawer;
    text.parentNode.classList.toggle("lesson-page--drawer", drawer);
    if (close) close.hidden = !drawer;
    if (drawer) text.focus();
  }
  if (toggle && text) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      showText(open, open && (running || oneScreen()));
      if (note) note.textContent = "";
    });
    if (close) close.addEventListener("click", function () { showText(false); });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || !drawer || event.defaultPrevented) return;
      if (text.contains(document.activeElement) || document.activeElement === toggle
          || document.activeElement === document.body) {
        showText(false);
        toggle.focus();
      }
    });
  }
  // A stage's control groups on one screen: when they overflow their column, fold them all
  // and open again, in order, each that still fits (the Traffic group last: 14 of the plan's
  // 15 stages play their own traffic during a run). A group the learner opened or folded
  // stays so while the column holds it, and so does the group that holds the focus; opening
  // one folds the others (the last first) until it fits. When the lesson's phase changes (its panel grows or shrinks)
  // the groups are laid out again so, even if they fit.
  var chosen = {};  // group id -> opened (true) or folded (false) by the learner
  var folding = new Map();  // group -> the state fitGroups gave it (its toggle event is not the learner's)
  function overflows(box) { return box.scrollHeight > box.clientHeight + 1; }
  function setOpen(group, open) {
    if (group.open !== open) { folding.set(group, open); group.open = open; }
  }
  function fitGroups(opened, again) {
    var box = document.getElementById("controls");
    if (!box || !document.querySelector(".run-screen--lesson") || !oneScreen()) return;
    if (!again && !overflows(box)) return;
    var focused = document.activeElement;
    var groups = Array.prototype.slice.call(box.querySelectorAll("details.sandbox-group"))
      .filter(function (g) { return g === opened || !g.contains(focused); });  // focus never hidden
    if (opened) {
      for (var i = groups.length - 1; i >= 0 && overflows(box); i--) {
        if (groups[i] !== opened && groups[i].open) { setOpen(groups[i], false); chosen[groups[i].id] = false; }
      }
      return;
    }
    var free = groups.filter(function (g) { return !(g.id in chosen); });
    free.sort(function (a, b) { return (a.id === "group-traffic") - (b.id === "group-traffic"); });
    free.forEach(function (g) { setOpen(g, false); });
    free.forEach(function (g) { setOpen(g, true); if (overflows(box)) setOpen(g, false); });
    // still too tall (a group the learner opened grew: a failure's repair button): fold the
    // learner's open groups too, the last first, all but the one with the focus
    for (var j = groups.length - 1; j >= 0 && overflows(box); j--) {
      if (groups[j].open) { setOpen(groups[j], false); chosen[groups[j].id] = false; }
    }
  }
  document.addEventListener("toggle", function (event) {
    var group = event.target;
    if (!group.matches || !group.matches("#controls details.sandbox-group")) return;
    if (folding.has(group)) {
      var mine = folding.get(group) === group.open;
      folding.delete(group);
      if (mine) return;
    }
    chosen[group.id] = group.open;
    if (group.open) fitGroups(group);
  }, true);  // toggle does not bubble
  fitGroups();
  var phase = "";  // the lesson panel's class the last time the groups were laid out
  function refitGroups() {
    var lesson = document.getElementById("lesson");
    var now = lesson ? lesson.className : "";
    fitGroups(null, now !== phase);
    phase = now;
  }

  var running = false;  // whether the last message showed a run in progress
  function foldWhenARunStarts() {
    var lesson = document.getElementById("lesson");
    var now = !!lesson && lesson.classList.contains("lesson-panel--running");
    if (now && !running && toggle && text && !text.hidden && !oneScreen()) {
      showText(false);
      if (note) note.textContent = toggle.getAttribute("data-folded");
    }
    running = now;
  }

  // Where focus was before a message, so that it is never lost to <body> when the control
  // that held it is redrawn or goes away: the same control if it is back (same id), else in
  // a [data-focus-region] the control that took its place, else a [data-focus-home] panel's
  // heading.
  var FOCUSABLE = "button, input:not([type=hidden]), select, textarea, a[href], summary";
  var before = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    before = null;
    if (!active || active === document.body || !active.closest) return;
    var region = active.closest("[data-focus-region]");
    var home = active.closest("[data-focus-home]");
    before = {
      id: active.id,
      region: region && region.id,
      index: region ? Array.prototype.indexOf.call(region.querySelectorAll(FOCUSABLE), active) : -1,
      home: home && home.id,
    };
  });
  function refocus() {
    if (!before || (document.activeElement && document.activeElement !== document.body)) return;
    var same = before.id && document.getElementById(before.id);
    if (same) return same.focus();
    var region = before.region && document.getElementById(before.region);
    var shown = region ? Array.prototype.filter.call(region.querySelectorAll(FOCUSABLE),
      function (e) { return e.offsetParent !== null && !e.disabled; }) : [];
    if (shown.length) return shown[Math.min(before.index, shown.length - 1)].focus();
    var home = before.home && document.getElementById(before.home);
    var heading = home && document.getElementById(home.getAttribute("data-focus-home"));
    if (heading) heading.focus();
  }
  document.addEventListener("htmx:wsAfterMessage", function () {
    refocus();
    foldWhenARunStarts();
    refitGroups();
    var log = document.getElementById("events-list");
    while (log && log.children.length > MAX_EVENTS) log.removeChild(log.lastElementChild);
  });
})();
