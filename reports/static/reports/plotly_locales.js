/* Plotly's own words in French, German and Spanish: its tips ("Double-click to zoom back
   out", "Double-click on legend to isolate one trace"), its names of months and days and its
   default number marks (the figures set theirs from Django's formats: layout.separators).
   dashboard.js draws each chart in the page's language (<html lang>); a language without a
   locale here gets Plotly's English words. Registered with plotly.js whether it is loaded
   before or after this file. No inline scripts; served as a static file, like plotly.js.

   The locales are fr.js, de.js and es.js of the npm package plotly.js-locales 3.7.0,
   unchanged but for their layout (each module.exports object written out as JSON). To
   update: `npm pack plotly.js-locales`, then JSON.stringify(require("./package/<lang>.js"))
   for each language.

   plotly.js-locales:
   MIT License

   Copyright (c) 2016-2024 Plotly Technologies Inc.

   Permission is hereby granted, free of charge, to any person obtaining a copy
   of this software and associated documentation files (the "Software"), to deal
   in the Software without restriction, including without limitation the rights
   to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
   copies of the Software, and to permit persons to whom the Software is
   furnished to do so, subject to the following conditions:

   The above copyright notice and this permission notice shall be included in
   all copies or substantial portions of the Software.

   THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
   IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
   FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
   AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
   LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
   OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
   THE SOFTWARE.
*/
(function () {
  "use strict";

  var locales = [
    {
      "moduleType": "locale",
      "name": "fr",
      "dictionary": {
        "Autoscale": "Échelle automatique",
        "Box Select": "Sélection rectangulaire",
        "Click to enter Colorscale title": "Ajouter un titre à l'échelle de couleurs",
        "Click to enter Component A title": "Ajouter un titre à la composante A",
        "Click to enter Component B title": "Ajouter un titre à la composante B",
        "Click to enter Component C title": "Ajouter un titre à la composante C",
        "Click to enter Plot title": "Ajouter un titre au graphique",
        "Click to enter Plot subtitle": "Ajouter un sous-titre au graphique",
        "Click to enter X axis title": "Ajouter un titre à l'axe des x",
        "Click to enter Y axis title": "Ajouter un titre à l'axe des y",
        "Click to enter radial axis title": "Ajouter un titre à l'axe radial",
        "Compare data on hover": "Comparaison entre données en survol",
        "Double-click on legend to isolate one trace": "Double-cliquer sur la légende pour isoler une série",
        "Double-click to zoom back out": "Double-cliquer pour dézoomer",
        "Download plot as a PNG": "Télécharger le graphique en fichier PNG",
        "Download plot": "Télécharger le graphique",
        "Edit in Chart Studio": "Éditer le graphique sur Chart Studio",
        "IE only supports svg.  Changing format to svg.": "IE ne permet que les conversions en SVG. Conversion en SVG en cours.",
        "Lasso Select": "Sélection lasso",
        "Orbital rotation": "Rotation orbitale",
        "Pan": "Translation",
        "Produced with Plotly.js": "Généré avec Plotly.js",
        "Reset": "Réinitialiser",
        "Reset axes": "Réinitialiser les axes",
        "Reset camera to default": "Régler la caméra à sa valeur défaut",
        "Reset camera to last save": "Régler la caméra à sa valeur sauvegardée",
        "Reset view": "Réinitialiser",
        "Reset views": "Réinitialiser",
        "Show closest data on hover": "Données les plus proches en survol",
        "Snapshot succeeded": "Conversion réussie",
        "Sorry, there was a problem downloading your snapshot!": "Désolé, un problème est survenu lors du téléchargement de votre graphique",
        "Taking snapshot - this may take a few seconds": "Conversion en cours, ceci peut prendre quelques secondes",
        "Zoom": "Zoom",
        "Zoom in": "Zoom intérieur",
        "Zoom out": "Zoom extérieur",
        "close:": "fermeture :",
        "trace": "série",
        "lat:": "lat. :",
        "lon:": "lon. :",
        "q1:": "q1 :",
        "q3:": "q3 :",
        "source:": "source :",
        "target:": "embouchure :",
        "lower fence:": "clôture inférieure :",
        "upper fence:": "clôture supérieure :",
        "max:": "max. :",
        "mean ± σ:": "moyenne ± σ :",
        "mean:": "moyenne :",
        "median:": "médiane :",
        "min:": "min. :",
        "new text": "nouveau texte",
        "Turntable rotation": "Rotation planaire",
        "Toggle Spike Lines": "Activer/désactiver les pics",
        "open:": "ouverture :",
        "high:": "haut :",
        "low:": "bas :",
        "Toggle show closest data on hover": "Activer/désactiver le survol",
        "incoming flow count:": "flux entrant :",
        "outgoing flow count:": "flux sortant :",
        "kde:": "est. par noyau :"
      },
      "format": {
        "days": [
          "Dimanche",
          "Lundi",
          "Mardi",
          "Mercredi",
          "Jeudi",
          "Vendredi",
          "Samedi"
        ],
        "shortDays": [
          "Dim",
          "Lun",
          "Mar",
          "Mer",
          "Jeu",
          "Ven",
          "Sam"
        ],
        "months": [
          "Janvier",
          "Février",
          "Mars",
          "Avril",
          "Mai",
          "Juin",
          "Juillet",
          "Août",
          "Septembre",
          "Octobre",
          "Novembre",
          "Décembre"
        ],
        "shortMonths": [
          "Jan",
          "Fév",
          "Mar",
          "Avr",
          "Mai",
          "Jun",
          "Jul",
          "Aoû",
          "Sep",
          "Oct",
          "Nov",
          "Déc"
        ],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": " ",
        "year": "%Y",
        "month": "%b %Y",
        "dayMonth": "%-d %b",
        "dayMonthYear": "%-d %b %Y"
      }
    },
    {
      "moduleType": "locale",
      "name": "de",
      "dictionary": {
        "Autoscale": "Automatische Skalierung",
        "Box Select": "Rechteckauswahl",
        "Click to enter Colorscale title": "Klicken, um den Farbskalatitel einzugeben",
        "Click to enter Component A title": "Klicken, um den Titel der Komponente A einzugeben",
        "Click to enter Component B title": "Klicken, um den Titel der Komponente B einzugeben",
        "Click to enter Component C title": "Klicken, um den Titel der Komponente C einzugeben",
        "Click to enter Plot title": "Klicken, um den Titel des Graphen einzugeben",
        "Click to enter X axis title": "Klicken, um den Titel der X-Achse einzugeben",
        "Click to enter Y axis title": "Klicken, um den Titel der Y-Achse einzugeben",
        "Compare data on hover": "Über die Daten fahren, um sie zu vergleichen",
        "Double-click on legend to isolate one trace": "Daten isolieren durch Doppelklick in der Legende",
        "Double-click to zoom back out": "Herauszoomen durch Doppelklick",
        "Download plot as a PNG": "Graphen als PNG herunterladen",
        "Download plot": "Graphen herunterladen",
        "Edit in Chart Studio": "Im Chart Studio bearbeiten",
        "IE only supports svg.  Changing format to svg.": "IE unterstützt nur SVG-Dateien.  Format wird zu SVG gewechselt.",
        "Lasso Select": "Lassoauswahl",
        "Orbital rotation": "Orbitalrotation",
        "Pan": "Verschieben",
        "Produced with Plotly.js": "Erstellt mit Plotly.js",
        "Reset": "Zurücksetzen",
        "Reset axes": "Achsen zurücksetzen",
        "Reset camera to default": "Kamera auf Standard zurücksetzen",
        "Reset camera to last save": "Kamera auf letzte Speicherung zurücksetzen",
        "Reset view": "Ansicht zurücksetzen",
        "Reset views": "Ansichten zurücksetzen",
        "Show closest data on hover": "Zeige näheste Daten beim Überfahren",
        "Snapshot succeeded": "Snapshot erfolgreich",
        "Sorry, there was a problem downloading your snapshot!": "Es gab ein Problem beim Herunterladen des Snapshots",
        "Taking snapshot - this may take a few seconds": "Erstelle einen Snapshot - dies kann einige Sekunden dauern",
        "Zoom": "Zoom",
        "Zoom in": "Hineinzoomen",
        "Zoom out": "Herauszoomen",
        "close:": "Schluss:",
        "trace": "Datenspur",
        "lat:": "Lat.:",
        "lon:": "Lon.:",
        "q1:": "q1:",
        "q3:": "q3:",
        "source:": "Quelle:",
        "target:": "Ziel:",
        "lower fence:": "Untere Schranke:",
        "upper fence:": "Obere Schranke:",
        "max:": "Max.:",
        "mean ± σ:": "Mittelwert ± σ:",
        "mean:": "Mittelwert:",
        "median:": "Median:",
        "min:": "Min.:",
        "Turntable rotation": "Drehscheibenorbit",
        "Toggle Spike Lines": "Bezugslinien an-/abschalten",
        "open:": "Eröffnung:",
        "high:": "Höchstkurs:",
        "low:": "Tiefstkurs:",
        "Toggle show closest data on hover": "Anzeige der nähesten Daten an-/abschalten",
        "incoming flow count:": "Anzahl eingehender Verbindungen:",
        "outgoing flow count:": "Anzahl ausgehender Verbindungen:",
        "kde:": "Dichte:"
      },
      "format": {
        "days": [
          "Sonntag",
          "Montag",
          "Dienstag",
          "Mittwoch",
          "Donnerstag",
          "Freitag",
          "Samstag"
        ],
        "shortDays": [
          "So",
          "Mo",
          "Di",
          "Mi",
          "Do",
          "Fr",
          "Sa"
        ],
        "months": [
          "Januar",
          "Februar",
          "März",
          "April",
          "Mai",
          "Juni",
          "Juli",
          "August",
          "September",
          "Oktober",
          "November",
          "Dezember"
        ],
        "shortMonths": [
          "Jan",
          "Feb",
          "Mär",
          "Apr",
          "Mai",
          "Jun",
          "Jul",
          "Aug",
          "Sep",
          "Okt",
          "Nov",
          "Dez"
        ],
        "date": "%d.%m.%Y",
        "decimal": ",",
        "thousands": "."
      }
    },
    {
      "moduleType": "locale",
      "name": "es",
      "dictionary": {
        "Autoscale": "Autoescalar",
        "Box Select": "Seleccionar Caja",
        "Click to enter Colorscale title": "Introducir el título de la Escala de Color",
        "Click to enter Component A title": "Introducir el título del Componente A",
        "Click to enter Component B title": "Introducir el título del Componente B",
        "Click to enter Component C title": "Introducir el título del Componente C",
        "Click to enter Plot title": "Introducir el título de la Gráfica",
        "Click to enter Plot subtitle": "Introducir el subtítulo de la Gráfica",
        "Click to enter X axis title": "Introducir el título del eje X",
        "Click to enter Y axis title": "Introducir el título del eje Y",
        "Click to enter radial axis title": "Introducir el título del eje radial",
        "Compare data on hover": "Comparar datos al pasar por encima",
        "Double-click on legend to isolate one trace": "Haga doble-clic en la leyenda para aislar una traza",
        "Double-click to zoom back out": "Haga doble-clic para restaurar la escala",
        "Download plot as a PNG": "Descargar gráfica como PNG",
        "Download plot": "Descargar gráfica",
        "Edit in Chart Studio": "Editar en Chart Studio",
        "IE only supports svg.  Changing format to svg.": "IE solo soporta svg. Cambiando formato a svg.",
        "Lasso Select": "Seleccionar con lazo",
        "Orbital rotation": "Rotación esférica",
        "Pan": "Modo Panorámica",
        "Produced with Plotly.js": "Hecho con Plotly.js",
        "Reset": "Reiniciar",
        "Reset axes": "Reiniciar ejes",
        "Reset camera to default": "Restaurar cámara predeterminada",
        "Reset camera to last save": "Restaurar anterior cámara",
        "Reset view": "Restaurar vista",
        "Reset views": "Restaurar vistas",
        "Show closest data on hover": "Mostrar el dato más cercano al pasar por encima",
        "Snapshot succeeded": "La captura de la instantánea finalizó correctamente",
        "Sorry, there was a problem downloading your snapshot!": "¡La descarga de la instantánea falló!",
        "Taking snapshot - this may take a few seconds": "Capturando una instantánea - podría tardar unos segundos",
        "Toggle Spike Lines": "Mostrar/Ocultar Guías",
        "Toggle show closest data on hover": "Activar/Desactivar mostrar el dato más cercano al pasar por encima",
        "Turntable rotation": "Rotación plana",
        "Zoom": "Modo Ampliar/Reducir",
        "Zoom in": "Ampliar",
        "Zoom out": "Reducir",
        "close:": "cierre:",
        "high:": "alza:",
        "incoming flow count:": "flujo de entrada:",
        "kde:": "edp:",
        "lat:": "lat:",
        "lon:": "lon:",
        "low:": "baja:",
        "lower fence:": "límite inferior:",
        "max:": "máx:",
        "mean ± σ:": "media ± σ:",
        "mean:": "media:",
        "median:": "mediana:",
        "min:": "mín:",
        "new text": "nuevo texto",
        "open:": "apertura:",
        "outgoing flow count:": "flujo de salida:",
        "q1:": "q1:",
        "q3:": "q3:",
        "source:": "fuente:",
        "target:": "destino:",
        "trace": "traza",
        "upper fence:": "límite superior:"
      },
      "format": {
        "days": [
          "Domingo",
          "Lunes",
          "Martes",
          "Miércoles",
          "Jueves",
          "Viernes",
          "Sábado"
        ],
        "shortDays": [
          "Dom",
          "Lun",
          "Mar",
          "Mié",
          "Jue",
          "Vie",
          "Sáb"
        ],
        "months": [
          "Enero",
          "Febrero",
          "Marzo",
          "Abril",
          "Mayo",
          "Junio",
          "Julio",
          "Agosto",
          "Septiembre",
          "Octubre",
          "Noviembre",
          "Diciembre"
        ],
        "shortMonths": [
          "Ene",
          "Feb",
          "Mar",
          "Abr",
          "May",
          "Jun",
          "Jul",
          "Ago",
          "Sep",
          "Oct",
          "Nov",
          "Dic"
        ],
        "date": "%d/%m/%Y",
        "decimal": ",",
        "thousands": " "
      }
    }
  ];

  if (typeof window.Plotly !== "undefined" && window.Plotly.register) {
    window.Plotly.register(locales);
  } else {
    window.PlotlyLocales = (window.PlotlyLocales || []).concat(locales);
  }
})();
