// Draws the course timeline from the JSON the server embedded in the page (no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("timeline");
  var data = document.getElementById("timeline-data");
  if (!holder || !data || typeof Plotly === "undefined") { return; }
  var figure = JSON.parse(data.textContent);
  var layout = figure.layout || {};
  layout.autosize = true;
  Plotly.newPlot(holder, figure.data, layout, {responsive: true, displaylogo: false});
  holder.setAttribute("data-rendered", "true");
});
