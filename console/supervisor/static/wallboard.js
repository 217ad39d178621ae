// Refreshes the wallboard's figures from wallboard.json every five seconds.
(function () {
  "use strict";
  var board = document.getElementById("wallboard");
  if (!board || !window.fetch) { return; }
  var source = board.getAttribute("data-source");
  var status = document.querySelector('[data-field="status"]');

  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    if (seconds < 60) { return seconds + "s"; }
    var s = seconds % 60;
    return Math.floor(seconds / 60) + "m " + (s < 10 ? "0" : "") + s + "s";
  }

  function lookup(data, path) {
    return path.split(".").reduce(function (v, key) { return v === null || v === undefined ? v : v[key]; }, data);
  }

  function show(data) {
    document.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      if (name === "status") { return; }
      if (name === "updated") {
        el.textContent = new Date(data.at).toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
        return;
      }
      var value = lookup(data, name);
      el.textContent = el.getAttribute("data-format") === "duration" ? duration(value) : String(value);
    });
    status.textContent = "";
  }

  function poll() {
    fetch(source, { credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          status.textContent = "Your session has ended: reload the page and log in again.";
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { if (data) { show(data); setTimeout(poll, 5000); } })
      .catch(function () {
        status.textContent = "Could not update; trying again.";
        setTimeout(poll, 5000);
      });
  }

  setTimeout(poll, 5000);
}());
