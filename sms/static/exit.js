// "Leave this page quickly": the next page replaces this one in the browser's history,
// so Back does not bring the survey up again for someone else holding the phone; the
// page is blanked at once while the next one loads.  Without JavaScript the link still
// leaves, as a plain link.
document.addEventListener("click", function (event) {
  var link = event.target.closest ? event.target.closest("a.exit") : null;
  if (!link) {
    return;
  }
  event.preventDefault();
  document.body.style.visibility = "hidden";
  window.location.replace(link.href);
});
