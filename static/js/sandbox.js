// Live sandbox: keep the log-scale traffic slider and the number field in step,
// put keyboard focus back after a WebSocket swap, keep opened <details> open when
// the controls are redrawn, and cap the event log.
(function () {
  "use strict";
  var MAX_EVENTS = 60;

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

  // The server draws <details data-keep-open> closed; remember what the user opened.
  var opened = {};
  document.addEventListener("toggle", function (event) {
    var d = event.target;
    if (d.id && d.hasAttribute && d.hasAttribute("data-keep-open")) opened[d.id] = d.open;
  }, true);
  function reopen() {
    Object.keys(opened).forEach(function (id) {
      var d = document.getElementById(id);
      if (d && d.open !== opened[id]) d.open = opened[id];
    });
  }

  // htmx restores focus for its own swaps, not always for WebSocket ones: do it here.
  // When the focused control is gone (a lesson's prediction form once answered, its
  // last hint shown), focus goes to the lesson panel's heading, not the page's top.
  var focusedId = null;
  var inPanel = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    focusedId = active && active.id && active !== document.body ? active.id : null;
    inPanel = active && active.closest ? active.closest("[data-focus-home]") : null;
    inPanel = inPanel && inPanel.id;
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    reopen();
    if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      var again = document.getElementById(focusedId);
      var panel = inPanel && document.getElementById(inPanel);
      var home = panel && document.getElementById(panel.getAttribute("data-focus-home"));
      if (again) again.focus();
      else if (home) home.focus();
    }
    var log = document.getElementById("events-list");
    while (log && log.children.length > MAX_EVENTS) log.removeChild(log.lastElementChild);
  });
})();
