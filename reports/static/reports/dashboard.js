/* Draws the Plotly figures of every leader page from their json_script blocks (no inline
   scripts): dashboard, dimension, trend and summary pages. */
(function () {
  "use strict";

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-figure]").forEach(function (container) {
      var source = document.getElementById(container.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      // No mode bar: its buttons would be controls nested inside role="img" (WCAG 4.1.2);
      // every chart has a data table with the same numbers instead. Plotly's own words
      // (its tips) in the page's language, from plotly_locales.js; the numbers' marks come
      // with the figure (layout.separators).
      window.Plotly.newPlot(container, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        displayModeBar: false,
        locale: document.documentElement.lang || "en",
      });
    });
  }

  // Must match the media query of dashboard.css that hides the chart of a .narrow-table.
  var narrow = window.matchMedia("screen and (max-width: 575.98px)");

  function showTablesOnNarrowScreens() {
    document.querySelectorAll(".narrow-table details").forEach(function (details) {
      details.open = narrow.matches;
    });
  }

  function start() {
    draw();
    showTablesOnNarrowScreens();
    narrow.addEventListener("change", showTablesOnNarrowScreens);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
