/* Draws the Plotly figures of the trend and summary pages from their json_script blocks,
   resizes them to the printed page's width while printing, and wires the print button.
   No inline scripts: this file is the pages' only code besides plotly.js. */
(function () {
  "use strict";

  // A4 portrait minus 15 mm margins each side is 180 mm, about 680 CSS pixels.
  var PRINT_WIDTH = 680;

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  }

  function draw() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    charts().forEach(function (container) {
      var source = document.getElementById(container.getAttribute("data-figure"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      // No mode bar: its buttons would be controls nested inside role="img"; each chart
      // has a data table with the same numbers instead.
      window.Plotly.newPlot(container, figure.data, figure.layout, {
        responsive: true,
        displaylogo: false,
        displayModeBar: false,
      });
    });
  }

  function forPrint() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    charts().forEach(function (container) {
      if (container.data) {
        window.Plotly.relayout(container, { width: PRINT_WIDTH, autosize: false });
      }
    });
  }

  function forScreen() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    charts().forEach(function (container) {
      if (container.data) {
        window.Plotly.relayout(container, { width: null, autosize: true }).then(function () {
          window.Plotly.Plots.resize(container);
        });
      }
    });
  }

  function start() {
    draw();
    window.addEventListener("beforeprint", forPrint);
    window.addEventListener("afterprint", forScreen);
    if (window.matchMedia) {
      var print = window.matchMedia("print");
      var listener = function (event) {
        if (event.matches) {
          forPrint();
        } else {
          forScreen();
        }
      };
      if (print.addEventListener) {
        print.addEventListener("change", listener);
      } else if (print.addListener) {
        print.addListener(listener);
      }
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
