/* Printing the trend and summary pages: resizes their Plotly figures (drawn by dashboard.js,
   loaded before this file) to the printed page's width while printing, and wires the print
   button. No inline scripts. */
(function () {
  "use strict";

  // A4 portrait minus 15 mm margins each side is 180 mm, about 680 CSS pixels.
  var PRINT_WIDTH = 680;

  function charts() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-figure]"));
  }

  function forPrint() {
    if (typeof window.Plotly === "undefined") {
      return;
    }
    charts().forEach(function (container) {
      if (container.data) {
        // No wider than its box on paper either (the summary's chart keeps a max-width).
        var widest = parseFloat(window.getComputedStyle(container).maxWidth) || PRINT_WIDTH;
        var width = Math.min(PRINT_WIDTH, widest);
        window.Plotly.relayout(container, { width: width, autosize: false });
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
