// Live sandbox: keep the log-scale traffic slider and the number field in step,
// put keyboard focus back after a WebSocket swap, keep opened <details> open and
// what the learner typed but has not sent when the controls are redrawn, and cap
// the event log.
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

  // The server redraws the controls when the architecture changes (a node fails, say);
  // a field the learner changed but has not sent keeps the learner's value.
  var edits = {};  // form key -> {field key: value or checked}
  function formKey(f) {
    if (f.id) return f.id;
    var parts = [];
    f.querySelectorAll('input[type="hidden"]').forEach(function (h) { parts.push(h.name + "=" + h.value); });
    return parts.join("&");
  }
  function fieldKey(field) { return field.type === "radio" ? field.name + "=" + field.value : field.name; }
  function checkable(field) { return field.type === "checkbox" || field.type === "radio"; }
  function remember(event) {
    var field = event.target;
    var f = field.form;
    if (!f || !f.hasAttribute("ws-send") || !field.name || field.type === "hidden") return;
    var key = formKey(f);
    if (checkable(field) && field.type === "radio") {
      f.querySelectorAll('input[type="radio"][name="' + field.name + '"]').forEach(function (r) {
        (edits[key] = edits[key] || {})[fieldKey(r)] = r.checked;
      });
    } else {
      (edits[key] = edits[key] || {})[fieldKey(field)] = checkable(field) ? field.checked : field.value;
    }
  }
  document.addEventListener("input", remember);
  document.addEventListener("change", remember);
  document.addEventListener("submit", function (event) {
    var f = event.target;
    if (f.hasAttribute && f.hasAttribute("ws-send")) delete edits[formKey(f)];
  }, true);
  function keepEdits() {
    Object.keys(edits).forEach(function (key) {
      document.querySelectorAll("form[ws-send]").forEach(function (f) {
        if (formKey(f) !== key) return;
        Array.prototype.forEach.call(f.elements, function (field) {
          var k = fieldKey(field);
          if (!field.name || field.type === "hidden" || !(k in edits[key])) return;
          if (checkable(field)) field.checked = edits[key][k];
          else field.value = edits[key][k];
        });
      });
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
    keepEdits();
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
