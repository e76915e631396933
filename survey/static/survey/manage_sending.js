/* Staff round page: keep a running send job's numbers up to date (polls its JSON status). */
(function () {
  "use strict";

  var POLL_MS = 2000;
  // The sentence in the live region is replaced at most this often, so a screen reader is
  // not interrupted every two seconds; the numbers and the bar follow every poll.
  var ANNOUNCE_MS = 15000;

  function start() {
    var section = document.getElementById("sending");
    if (!section || section.getAttribute("data-under-way") !== "true") {
      return;
    }
    var url = section.getAttribute("data-status-url");
    var text = document.getElementById("sending-text");
    var bar = document.getElementById("sending-bar");
    var lastAnnounced = Date.now();

    function show(job) {
      var counts = section.querySelectorAll("[data-count]");
      for (var i = 0; i < counts.length; i += 1) {
        var name = counts[i].getAttribute("data-count");
        counts[i].textContent = String(job[name]);
      }
      bar.max = job.total;
      bar.value = job.done;
      var now = Date.now();
      if (!job.under_way || now - lastAnnounced >= ANNOUNCE_MS) {
        text.textContent = job.text;
        lastAnnounced = now;
      }
    }

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (!data.job) {
            return;
          }
          show(data.job);
          if (data.job.under_way) {
            window.setTimeout(poll, POLL_MS);
          } else {
            section.setAttribute("data-under-way", "false");
          }
        })
        .catch(function () {
          // Signed out or offline: the reload link still works; try again a little later.
          window.setTimeout(poll, POLL_MS * 5);
        });
    }

    window.setTimeout(poll, POLL_MS);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
