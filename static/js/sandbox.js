// Live sandbox: keep the log-scale traffic slider and the number field in step,
// put keyboard focus back after a WebSocket swap, and cap the event log.
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

  // htmx restores focus for its own swaps, not always for WebSocket ones: do it here.
  var focusedId = null;
  document.addEventListener("htmx:wsBeforeMessage", function () {
    var active = document.activeElement;
    focusedId = active && active.id && active !== document.body ? active.id : null;
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (focusedId && (!document.activeElement || document.activeElement === document.body)) {
      var again = document.getElementById(focusedId);
      if (again) again.focus();
    }
    var log = document.getElementById("events-list");
    while (log && log.children.length > MAX_EVENTS) log.removeChild(log.lastElementChild);
  });
})();
