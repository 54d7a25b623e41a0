// Live results: replaces the board in place from the server's event stream. Without
// JavaScript the page refreshes itself (a <noscript> meta refresh) and has a refresh link.
(function () {
  "use strict";
  var board = document.querySelector("[data-live-stream]");
  if (!board || !window.EventSource) {
    return;
  }
  var status = document.querySelector("[data-live-status]");
  function say(text) {
    if (status && text !== null) {
      status.textContent = text;
    }
  }
  var source = new EventSource(board.getAttribute("data-live-stream"));
  source.addEventListener("open", function () {
    say(status && status.getAttribute("data-connected"));
  });
  // The server renders and escapes the board, as for the page itself.
  source.addEventListener("update", function (event) {
    board.innerHTML = event.data;
    board.setAttribute("data-updated", String(Date.now()));
  });
  // The viewer may no longer watch (no longer an organiser, logged out): stop for good.
  source.addEventListener("closed", function (event) {
    source.close();
    say(event.data);
  });
  source.addEventListener("error", function () {
    if (source.readyState !== EventSource.CLOSED) {
      say(status && status.getAttribute("data-lost"));
    }
  });
})();
