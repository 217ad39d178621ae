// Refreshes the wallboard from its JSON every five seconds.  When a refresh fails the
// board is greyed out and says, in large type, since when it has not updated, so a
// wall screen never looks live while it is not.
(function () {
  "use strict";
  var board = document.getElementById("wallboard");
  if (!board || !window.fetch) { return; }
  var source = board.getAttribute("data-source");
  var staleBox = document.getElementById("wb-stale");
  var status = staleBox.querySelector('[data-field="status"]');
  var staleSince = staleBox.querySelector('[data-field="stale_since"]');
  var lastGood = null;  // the time of the last figures shown, as the server gave it
  var EVERY = 5000;

  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return "–"; }
    if (seconds >= 3600) {
      var m = Math.floor((seconds % 3600) / 60);
      return Math.floor(seconds / 3600) + "h " + (m < 10 ? "0" : "") + m + "m";
    }
    if (seconds < 60) { return seconds + "s"; }
    var s = seconds % 60;
    return Math.floor(seconds / 60) + "m " + (s < 10 ? "0" : "") + s + "s";
  }

  function pct(value) {
    return value === null || value === undefined ? "–" : Math.round(value * 100) + "%";
  }

  function clock(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
  }

  function lookup(data, path) {
    return path.split(".").reduce(function (v, key) { return v === null || v === undefined ? v : v[key]; }, data);
  }

  function cell(row, tag, text, cls) {
    var el = document.createElement(tag);
    if (tag === "th") { el.setAttribute("scope", "row"); }
    if (cls) { el.className = cls; }
    el.textContent = text;
    row.appendChild(el);
  }

  function showAgents(rows) {
    var body = document.querySelector("#wb-agents tbody");
    var fresh = document.createElement("tbody");
    rows.forEach(function (a) {
      var tr = document.createElement("tr");
      cell(tr, "th", a.name);
      cell(tr, "td", a.state.replace("_", "-") + (a.being_rung ? " (being rung)" : ""));
      cell(tr, "td", duration(a.state_seconds), "num");
      cell(tr, "td", duration(a.call_seconds), "num");
      cell(tr, "td", String(a.handled_today), "num");
      fresh.appendChild(tr);
    });
    if (!rows.length) { var tr = document.createElement("tr"); cell(tr, "td", "No agents."); fresh.appendChild(tr); }
    body.parentNode.replaceChild(fresh, body);
  }

  function showWhy(lines) {
    var box = document.getElementById("wb-why-box");
    var list = document.getElementById("wb-why");
    list.textContent = "";
    lines.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      list.appendChild(li);
    });
    box.hidden = lines.length === 0;
  }

  function show(data) {
    board.querySelectorAll("[data-field]").forEach(function (el) {
      var name = el.getAttribute("data-field");
      if (name === "status" || name === "stale_since") { return; }
      if (name === "updated") { el.textContent = clock(data.at); return; }
      var value = lookup(data, name);
      var format = el.getAttribute("data-format");
      el.textContent = format === "duration" ? duration(value) : format === "pct" ? pct(value) : String(value);
    });
    board.querySelectorAll("[data-level]").forEach(function (el) {
      var level = data.levels[el.getAttribute("data-level")];
      if (!level) { return; }
      el.className = el.className.replace(/\bwb-level-\w+/g, "").trim() + " wb-level-" + level.level;
      var text = el.querySelector("[data-level-text]");
      if (text) { text.textContent = level.text; }
    });
    showAgents(data.agent_rows || []);
    showWhy(data.why_waiting || []);
    lastGood = data.at;
    board.classList.remove("stale");
    staleBox.hidden = true;
  }

  function stale(why) {
    if (lastGood) { staleSince.textContent = clock(lastGood); }
    status.textContent = why;
    board.classList.add("stale");
    staleBox.hidden = false;
  }

  function poll() {
    fetch(source, { credentials: "same-origin", headers: { "Accept": "application/json" }, redirect: "manual" })
      .then(function (response) {
        if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
          stale(board.getAttribute("data-ended"));
          return null;
        }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) { if (data) { show(data); } setTimeout(poll, EVERY); })
      .catch(function () {
        stale("The figures could not be updated; trying again every few seconds.");
        setTimeout(poll, EVERY);
      });
  }

  lastGood = null;
  setTimeout(poll, EVERY);
}());
