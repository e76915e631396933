/* Respondent pages: announce the error summary first and make its links focus their answer. */
(function () {
  "use strict";

  function start() {
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    // Focus moves to the summary so a screen reader reads the problems before anything else.
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) {
        return;
      }
      event.preventDefault();
      // Show the statement together with its options, then put focus on the first option.
      var group = target.closest("fieldset") || target;
      group.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
