// Selecting a node in the live diagram shows its details and actions (#node-detail,
// templates/sandbox/node_detail.html). The boxes are one stop in the tab order (a roving
// tabindex: the arrow keys move between them, Enter or Space selects); a click selects
// too. The details are read from the node's row of the servers table, which every message
// keeps current, and the panel's buttons work that row's own controls (fail or restore,
// resize), so nothing is sent that the table would not send. Escape or Close puts focus
// back on the box. The panel sits in the tab order right after its box, as a popover opened
// from the diagram would: Tab past its last control goes on from the diagram, Shift+Tab
// before its first goes back to the box.
(function () {
  "use strict";
  var panel = document.getElementById("node-detail");
  if (!panel || !panel.showPopover) return;
  var selected = null;  // the node's id

  function boxes() { return Array.prototype.slice.call(document.querySelectorAll("#diagram [data-select]")); }
  function box(id) { return boxes().filter(function (b) { return b.getAttribute("data-node") === id; })[0]; }
  function row(id) {
    return Array.prototype.filter.call(document.querySelectorAll("#nodes tr[data-node]"),
      function (r) { return r.getAttribute("data-node") === id; })[0];
  }
  function cellText(cell) {  // a cell's words without its small label (the phone's cards)
    if (!cell) return "";
    return Array.prototype.filter.call(cell.childNodes, function (n) {
      return !(n.classList && (n.classList.contains("cell-label") || n.tagName === "FORM"));
    }).map(function (n) { return n.textContent; }).join("").trim();
  }
  var TABBABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  function tabbable(e) {
    return e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0;
  }
  function panelStops() { return Array.prototype.filter.call(panel.querySelectorAll(TABBABLE), tabbable); }
  function stopAfter(b) {  // the first tab stop after the box (and outside it and the panel)
    return Array.prototype.filter.call(document.querySelectorAll(TABBABLE), function (e) {
      return tabbable(e) && !panel.contains(e) && !b.contains(e) &&
        (b.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
    })[0];
  }
  function put(id, text) { document.getElementById(id).textContent = text || "—"; }

  function roving() {  // one box in the tab order: the selected one, else the first
    var all = boxes(), chosen = (selected && box(selected)) || all[0];
    all.forEach(function (b) {
      b.setAttribute("tabindex", b === chosen ? "0" : "-1");
      b.classList.toggle("box-selected", b.getAttribute("data-node") === selected);
      b.setAttribute("aria-expanded", b.getAttribute("data-node") === selected ? "true" : "false");
    });
  }
  function fill() {
    var r = row(selected);
    if (!r) return close(false);
    put("node-detail-name", selected);
    put("node-detail-kind", cellText(r.querySelector(".node-kind")));
    put("node-detail-about", r.getAttribute("data-about"));
    put("node-detail-work", r.getAttribute("data-work"));
    put("node-detail-busy", (document.getElementById("busy-" + selected) || {}).textContent);
    put("node-detail-queue", (document.getElementById("queue-" + selected) || {}).textContent);
    put("node-detail-cost", cellText(r.querySelector(".node-cost")));
    put("node-detail-state", cellText(r.querySelector(".node-state")));
    var sizes = r.querySelector(".node-size select");
    put("node-detail-size", sizes ? sizes.options[sizes.selectedIndex].text : cellText(r.querySelector(".node-size")));
    var resize = document.getElementById("node-detail-resize");
    var choice = document.getElementById("node-detail-size-choice");
    resize.hidden = !sizes;
    if (!sizes) {  // no sizes left from the node shown before
      choice.textContent = "";
      choice.removeAttribute("data-for");
    } else if (choice.getAttribute("data-for") !== selected) {
      choice.innerHTML = sizes.innerHTML;
      choice.value = sizes.value;
      choice.setAttribute("data-for", selected);
    }
    var toggle = r.querySelector("#toggle-" + CSS.escape(selected));
    var mine = document.getElementById("node-detail-toggle");
    mine.hidden = !toggle;
    mine.innerHTML = toggle ? toggle.innerHTML : "";
  }
  function open(id) {
    selected = id;
    document.getElementById("node-detail-size-choice").removeAttribute("data-for");
    fill();
    if (!selected) return;
    if (!panel.matches(":popover-open")) panel.showPopover();
    roving();
    document.getElementById("node-detail-name").focus();
  }
  function close(refocus) {
    var was = selected;
    selected = null;
    if (panel.matches(":popover-open")) panel.hidePopover();
    roving();
    var b = was && box(was);
    if (refocus) (b || document.getElementById("diagram-pan") || document.body).focus();
  }

  document.addEventListener("click", function (event) {
    var b = event.target.closest && event.target.closest("#diagram [data-select]");
    if (b) open(b.getAttribute("data-node"));
  });
  document.addEventListener("keydown", function (event) {
    var b = event.target.closest && event.target.closest("#diagram [data-select]");
    if (b) {
      var all = boxes(), at = all.indexOf(b), next = null;
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); return open(b.getAttribute("data-node")); }
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = all[Math.min(all.length - 1, at + 1)];
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = all[Math.max(0, at - 1)];
      if (event.key === "Home") next = all[0];
      if (event.key === "End") next = all[all.length - 1];
      if (next) {
        event.preventDefault();
        all.forEach(function (x) { x.setAttribute("tabindex", x === next ? "0" : "-1"); });
        next.focus();
      }
    } else if (event.key === "Escape" && panel.contains(event.target)) {
      close(true);
    } else if (event.key === "Tab" && panel.contains(event.target) && selected && box(selected)) {
      var stops = panelStops(), from = box(selected), to = null;
      var first = event.target === stops[0] || event.target.id === "node-detail-name";
      if (event.shiftKey && first) to = from;
      if (!event.shiftKey && event.target === stops[stops.length - 1]) to = stopAfter(from);
      if (to) { event.preventDefault(); to.focus(); }
    }
  });
  document.getElementById("node-detail-close").addEventListener("click", function () { close(true); });
  document.getElementById("node-detail-toggle").addEventListener("click", function () {
    var r = selected && row(selected), toggle = r && r.querySelector("#toggle-" + CSS.escape(selected));
    if (toggle) toggle.click();
  });
  document.getElementById("node-detail-resize-button").addEventListener("click", function () {
    var r = selected && row(selected), sizes = r && r.querySelector(".node-size select");
    if (!sizes) return;
    sizes.value = document.getElementById("node-detail-size-choice").value;
    sizes.form.requestSubmit();
  });
  document.addEventListener("htmx:wsAfterMessage", function () {
    if (selected) fill();
    roving();
  });
  document.addEventListener("htmx:wsOpen", roving);
  roving();
})();
