// Reload the agent's screen when the call routed to them changes.  The poll carries
// no victim data; the page itself is rendered (and audited) by the server.  If the
// agent is typing, say so instead of reloading, so nothing they wrote is lost.
(function () {
  "use strict";
  var pop = document.getElementById("screen-pop");
  if (!pop) { return; }
  var url = pop.getAttribute("data-poll-url");
  var every = parseInt(pop.getAttribute("data-poll-ms"), 10) || 3000;
  var shown = pop.getAttribute("data-key");

  function typing() {
    var fields = document.querySelectorAll("textarea, input[type=text], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value) { return true; }
    }
    return false;
  }

  function offerReload() {
    if (document.getElementById("pop-changed")) { return; }
    var note = document.createElement("p");
    note.id = "pop-changed";
    note.className = "flash";
    note.setAttribute("role", "status");
    note.textContent = "Your call has changed. ";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Show it";
    button.addEventListener("click", function () { window.location.reload(); });
    note.appendChild(button);
    pop.insertBefore(note, pop.firstChild);
  }

  function check() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}, cache: "no-store"})
      .then(function (response) {
        if (response.redirected || !response.ok) { window.location.reload(); return null; }
        return response.json();
      })
      .then(function (body) {
        if (body && body.key !== shown) {
          if (!typing()) { window.location.reload(); return; }
          offerReload();
        }
        window.setTimeout(check, every);
      })
      .catch(function () { window.setTimeout(check, every * 2); });
  }
  window.setTimeout(check, every);
})();
