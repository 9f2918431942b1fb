// The live simulation's connection, seen from the page (templates/sandbox/connection.html):
// - the moment the WebSocket closes, #connection (a live region) says "connection lost —
//   reconnecting" and the live parts are greyed; once htmx's ws extension has reconnected,
//   it says "connected again" (the server restores what was kept, architecture included);
// - reconnect attempts come quickly (0.5 s, doubling to at most 5 s, with jitter);
// - a hidden page tells the server (page_hidden / page_shown), which holds its simulation;
// - a socket the server closed for want of use (code 4408) offers a reload, and reloads by
//   itself when the page is seen again: nothing is lost, the server kept it.
(function () {
  "use strict";
  var CLOSED_UNUSED = 4408;
  var BACK_SHOWN_MS = 6000;
  var socket = null;  // htmx's socket wrapper while open
  var lost = false;
  var closed = false;
  var backTimer = null;

  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retry) {
      return Math.min(500 * Math.pow(2, retry), 5000) * (0.5 + Math.random() / 2);
    };
  }

  function region() { return document.getElementById("connection"); }

  function show(state, text, withReload) {
    var box = region();
    if (!box) return;
    box.setAttribute("data-state", state);
    box.textContent = "";
    if (text) {
      var p = document.createElement("p");
      p.textContent = text;
      box.appendChild(p);
    }
    if (withReload) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = box.getAttribute("data-reload");
      button.addEventListener("click", function () { window.location.reload(); });
      box.appendChild(button);
    }
  }

  function offline(element, yes) {
    if (!element || !element.toggleAttribute) return;
    element.toggleAttribute("data-offline", yes);
  }

  function tellVisibility() {
    if (!socket) return;
    socket.send(JSON.stringify({ action: document.hidden ? "page_hidden" : "page_shown" }));
  }

  document.addEventListener("htmx:wsOpen", function (event) {
    socket = event.detail.socketWrapper;
    offline(event.target, false);
    if (document.hidden) tellVisibility();
    if (!lost) return;
    lost = false;
    var box = region();
    show("back", box && box.getAttribute("data-back"), false);
    clearTimeout(backTimer);
    backTimer = setTimeout(function () { if (!lost && !closed) show("ok", "", false); }, BACK_SHOWN_MS);
  });

  document.addEventListener("htmx:wsClose", function (event) {
    socket = null;
    offline(event.target, true);
    var code = event.detail && event.detail.event ? event.detail.event.code : 0;
    var box = region();
    if (!box) return;
    if (code === CLOSED_UNUSED) {
      closed = true;
      show("closed", box.getAttribute("data-closed"), true);
      return;
    }
    if (!lost) {
      lost = true;
      clearTimeout(backTimer);
      show("lost", box.getAttribute("data-lost"), false);
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (closed && !document.hidden) {
      window.location.reload();
      return;
    }
    tellVisibility();
  });
})();
