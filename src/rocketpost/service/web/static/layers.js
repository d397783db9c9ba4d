// The control room's optional map layers: the reach heat map and the design view.

import { REACH_BANDS, esc } from "./maplib.js";

function reachColor(minutes) {
  if (minutes === null) return null;
  for (const [limit, color] of REACH_BANDS) if (minutes <= limit) return color;
  return null; // further than 4 h: no colour, the map stays readable
}

// Show or hide the reach heat map (/ui/api/reach, loaded once).
export async function toggleReach(ui, on, api, renderLegend) {
  if (!on) { ui.map.removeLayer(ui.layers.reach); return; }
  if (!ui.reachLoaded) {
    const grid = await api("/ui/api/reach");
    const renderer = L.canvas({ padding: 0.2 });
    const size = grid.cell_deg;
    for (const [lat, lon, minutes, pop] of grid.cells) {
      const color = reachColor(minutes);
      if (!color) continue;
      const opacity = Math.min(0.75, 0.35 + 0.12 * Math.log10(Math.max(pop, 1e4) / 1e4 + 1));
      L.rectangle([[lat, lon], [lat + size, lon + size]], {
        renderer, stroke: false, fillColor: color, fillOpacity: opacity, interactive: false,
      }).addTo(ui.layers.reach);
    }
    ui.reachShare = grid.share;
    ui.reachLoaded = true;
    renderLegend();
  }
  ui.layers.reach.addTo(ui.map); // in the overlay pane, under the flights' pane
}

// The design view (/ui/api/design): the designer's frontier and its chosen sites.
export async function enterDesign(ui, api) {
  const design = await api("/ui/api/design");
  ui.layers.design.clearLayers();
  for (const site of design.chosen_sites) {
    L.circleMarker([site.lat_deg, site.lon_deg], { renderer: ui.networkRenderer, radius: 5, color: "#c38cff", weight: 2, fillOpacity: 0 })
      .bindTooltip(`chosen site ${esc(site.id)}`).addTo(ui.layers.design);
  }
  ui.layers.design.addTo(ui.map);
  const rows = design.frontier.map((p) => `<tr><td>${esc(JSON.stringify(p))}</td></tr>`).join("");
  document.getElementById("details").innerHTML = `<h3>Design</h3>` + (design.available
    ? `<table id="frontier">${rows}</table>`
    : `<p class="dim">The network designer has no frontier yet; the network's ${design.chosen_sites.length} landing sites are shown as chosen.</p>`);
}
