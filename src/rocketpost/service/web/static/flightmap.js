// The day's flights on the map and in the list: each flight's phase at the clock (live or
// replay), drawn on the page's own flight canvas (flightcanvas.js: arcs and rockets, clicked
// through its hit-testing), and the list of the day's flights beside the map.

import { COLORS, esc, greatCircle, hhmm, pointAt } from "./maplib.js";
import { FlightCanvas } from "./flightcanvas.js";

// A flight for the map: {id, origin, destination, launchMs, landingMs, status, label, apiId}
export function makeFlightMap(ui, { sitePosition, selectFlight }) {
  function flightPhase(f, nowMs) {
    if (f.status === "scrubbed" || f.status === "lost") return f.status;
    if (ui.mode === "replay") {
      if (nowMs < f.launchMs) return "scheduled";
      if (nowMs < f.landingMs) return "in_air";
      return f.status === "diverted" ? "diverted" : "landed";
    }
    if (f.status === "landed") return "landed";
    if (f.status === "launched") return "in_air"; // until ops record the landing
    return "scheduled";
  }

  function progress(f, nowMs, phase) {
    if (phase === "landed" || phase === "diverted") return 1;
    if (phase !== "in_air") return 0;
    const span = Math.max(1, f.landingMs - f.launchMs);
    return Math.min(0.97, Math.max(0.02, (nowMs - f.launchMs) / span));
  }

  // The canvas, added to the map once (buildMap made the map and its "flights" pane).
  function canvas() {
    if (!ui.flightCanvas) {
      ui.flightCanvas = new FlightCanvas({ pane: "flights" }).addTo(ui.map);
      ui.flightCanvas.on("flightclick", (event) => selectFlight(event.id));
    }
    return ui.flightCanvas;
  }

  // Great circles by lane (origin, destination): a day has a thousand flights on a few
  // hundred lanes.
  const arcs = new Map();
  function arcOf(f) {
    const lane = `${f.origin}>${f.destination}`;
    if (!arcs.has(lane)) {
      const a = sitePosition(f.origin);
      const b = sitePosition(f.destination);
      arcs.set(lane, a && b ? greatCircle(a, b) : null);
    }
    return arcs.get(lane);
  }

  function renderFlights(nowMs) {
    const layer = canvas();
    const seen = new Set();
    for (const f of ui.flights) {
      const points = arcOf(f);
      if (!points) continue;
      seen.add(f.id);
      const phase = flightPhase(f, nowMs);
      layer.set(f.id, points, phase, pointAt(points, progress(f, nowMs, phase)), f.label);
    }
    for (const id of layer.ids()) if (!seen.has(id)) layer.delete(id);
    layer.selected = ui.selected;
    layer.redraw();
  }

  function clearFlights() {
    ui.flightCanvas?.clear();
    ui.selected = null;
  }

  function renderFlightList(nowMs) {
    const list = document.getElementById("flights-list");
    const rows = ui.flights.slice(-300).reverse();
    document.getElementById("flights-count").textContent = `(${ui.flights.length})`;
    list.innerHTML = rows.map((f) => {
      const phase = flightPhase(f, nowMs);
      const load = f.bookedKg === undefined ? `${f.orders ?? ""} ord` : `${f.bookedKg.toFixed(1)} kg`;
      return `<li data-flight="${esc(f.id)}" data-status="${phase}"${ui.selected === f.id ? ' class="selected"' : ""}>` +
        `<span class="badge ${phase}">${phase.replace("_", " ")}</span>` +
        `<span>${hhmm(f.launchMs)}</span><span>${esc(f.origin)}→${esc(f.destination)}</span>` +
        `<span class="dim">${load}</span></li>`;
    }).join("");
  }

  // What the map shows of one flight, for the browser tests and the console: its phase, its
  // colour and where its rocket and the middle of its arc are on the map (container pixels).
  function flightOnMap(id) {
    const f = ui.flightCanvas?.get(id);
    if (!f) return null;
    const at = (latlng) => { const p = ui.map.latLngToContainerPoint(latlng); return [p.x, p.y]; };
    const rocket = at(f.rocket);
    return {
      phase: f.phase, color: COLORS[f.phase], rocket, middle: at(pointAt(f.latlngs, 0.5)),
      drawn: ui.flightCanvas.colourAt(L.point(rocket)), // the canvas pixel under the rocket
    };
  }

  return { flightPhase, renderFlights, renderFlightList, flightOnMap, clearFlights };
}
