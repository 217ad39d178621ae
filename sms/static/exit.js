// "Leave this page quickly": the next page replaces this one in the browser's history,
// so Back does not bring the survey up again for someone else holding the phone; the
// page is blanked at once while the next one loads.  Pressing Shift three times in a
// row (within five seconds, nothing else pressed between) does the same, as on GOV.UK
// services, for someone who cannot reach the button in time.  Without JavaScript the
// link still leaves, as a plain link.
(function () {
  var PRESSES = 3, WITHIN_MS = 5000;
  var shifts = [];

  function leave(url) {
    document.body.style.visibility = "hidden";
    window.location.replace(url);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.exit") : null;
    if (!link) {
      return;
    }
    event.preventDefault();
    leave(link.href);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      shifts = [];  // a capital letter typed in the comment box is not a way out
      return;
    }
    if (event.repeat) {
      return;
    }
    var now = Date.now();
    shifts = shifts.filter(function (at) { return now - at < WITHIN_MS; });
    shifts.push(now);
    var link = document.querySelector("a.exit");
    if (shifts.length >= PRESSES && link) {
      leave(link.href);
    }
  });
})();
