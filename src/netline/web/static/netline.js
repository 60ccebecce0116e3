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

// Polls a background job's status fragment (simulations) and swaps it in until it has finished,
// so the rest of the page stays usable while the job runs.
document.addEventListener("DOMContentLoaded", function () {
  function poll() {
    var body = document.getElementById("simulation-body");
    if (!body) { return; }
    var url = body.getAttribute("data-poll");
    if (!url) { return; }
    fetch(url, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#simulation-body");
        if (!fresh) { return; }  // e.g. the session ended: stop; the Refresh link remains
        body.replaceWith(fresh);
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
});
