// rocketpost control room: world map, the day's flights on their arcs, KPIs, replay, design.
// Plain ES module over the vendored Leaflet (global L) and topojson-client (global topojson).
// Reads the ops API: /v1/ops/overview (the first render: network, day, KPIs and conditions in
// one answer, requested by boot.js from the page's <head>), /v1/ops/flights/positions and
// /v1/ops/kpis (the day, polled), /v1/flights/{id}/manifest and /v1/shipments/{id} (on click);
// and the page's own reads for what only it draws (/ui/api/reach, /ui/api/replay,
// /ui/api/design).

import { WEATHER, cssId, esc, fmtInt, hhmm, hhmmss } from "./maplib.js";
import { CountryCanvas, countryRings } from "./countrycanvas.js";
import { makeFlightMap } from "./flightmap.js";
import { enterDesign, toggleReach } from "./layers.js";
import { makeReplay } from "./replay.js";
import { renderKpis as drawKpis, renderLegend as drawLegend } from "./panels.js";

const renderKpis = () => drawKpis(ui, flightPhase);
const renderLegend = () => drawLegend(ui);

const KEY_STORE = "rocketpost.opsKey";
const PARAMS = new URLSearchParams(location.search);
const POLL_MS = Math.max(250, Number(PARAMS.get("poll_ms")) || 3000); // ?poll_ms= for tests
const CONDITIONS_EVERY = 4; // polls
const ui = {
  mode: "live", key: sessionStorage.getItem(KEY_STORE), map: null, net: null,
  hubIndex: {}, siteIndex: {}, flights: [], flightCanvas: null, selected: null,
  layers: {}, conditions: null,
  replay: null, replayT: 0, playing: false, lastFrame: 0, polls: 0, kpis: null,
  readyMs: null, updateMs: [], // first render and each live update, for the benchmark
};
window.controlRoom = ui; // for the browser tests and the console

// ---------------------------------------------------------------- HTTP
class HttpError extends Error {
  constructor(status, body) { super(`HTTP ${status}`); this.status = status; this.body = body; }
}

async function api(path, { auth = true } = {}) {
  const headers = auth ? { Authorization: `Bearer ${ui.key}` } : {};
  return answer(await fetch(path, { headers }));
}

async function answer(response) {
  if (!response.ok) {
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    throw new HttpError(response.status, body);
  }
  return response.json();
}

// ---------------------------------------------------------------- map
// The countries come in two levels of detail from world-atlas: the 110m set (~100 KB) is drawn
// for the first paint, the 50m set (~750 KB, ten times the vertices) replaces it once the page
// is ready, so the detailed coastlines cost the first render nothing. The coarse set is
// requested by boot.js from the page's <head>, in parallel with the first API read.
const WORLD = "/ui/static/vendor/world-atlas";
const BOOT = window.controlRoomBoot ?? {};
const worldCoarse = (BOOT.world ?? fetch(`${WORLD}/countries-110m.json`)).then(answer);
worldCoarse.catch(() => {}); // awaited by start()
let worldFine = null; // fetched once the page is ready (see swapInFineCountries)

function drawCountries(world) {
  // One canvas in its own pane under the overlays, drawn by the page (countrycanvas.js): all
  // the rings in one path, one fill and one stroke.
  const layer = new CountryCanvas(countryRings(world), { pane: "countries" });
  layer.addTo(ui.map);
  if (ui.layers.countries) ui.map.removeLayer(ui.layers.countries);
  ui.layers.countries = layer;
}

// After the first render, when the browser is idle: fetch and draw the detailed countries.
function swapInFineCountries() {
  if (worldFine) return;
  const idle = window.requestIdleCallback ?? ((fn) => setTimeout(fn, 200));
  idle(() => {
    worldFine = api(`${WORLD}/countries-50m.json`, { auth: false });
    worldFine.then(drawCountries).catch(() => {}); // the coarse map stays if it fails
  });
}

function buildMap() {
  const map = L.map("map", {
    worldCopyJump: false, minZoom: 2, maxZoom: 8, zoomSnap: 0.25, attributionControl: true,
    maxBounds: [[-85, -400], [85, 400]], preferCanvas: false,
  }).fitBounds([[-45, -165], [68, 190]]);
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth via world-atlas · Leaflet");
  // Panes, bottom to top: the countries' canvas (350, above tiles at 200), the overlay pane
  // (400: the reach heat map's canvas), the flights' canvas (450) and the network's SVG (500:
  // hubs, landing sites, a shipment's last mile, the design view). The SVG's root lets the
  // pointer through (controlroom.css) so that the canvas under it gets the clicks its own
  // shapes do not take.
  map.createPane("countries").style.zIndex = 350;
  map.createPane("flights").style.zIndex = 450;
  map.createPane("network").style.zIndex = 500;
  ui.networkRenderer = L.svg({ pane: "network" });
  ui.map = map;
  ui.layers.reach = L.layerGroup();
  ui.layers.sites = L.layerGroup().addTo(map);
  ui.layers.hubs = L.layerGroup().addTo(map);
  ui.layers.design = L.layerGroup();
  ui.layers.focus = L.layerGroup().addTo(map);
}

function drawNetwork() {
  const net = ui.net;
  net.hubs.forEach((hub, i) => { ui.hubIndex[hub.id] = i; });
  net.sites.forEach((site, i) => { ui.siteIndex[site.id] = i; });
  ui.layers.sites.clearLayers();
  ui.siteMarkers = {};
  for (const site of net.sites) {
    const marker = L.circleMarker([site.lat_deg, site.lon_deg], {
      radius: 3.5, color: "#35c6f4", weight: 1.5, fillColor: "#0c1a28", fillOpacity: 1,
      renderer: ui.networkRenderer, className: `site site-${cssId(site.id)}`,
    }).bindTooltip(`landing site ${esc(site.id)} · port ${esc(site.port)}`);
    marker.addTo(ui.layers.sites);
    ui.siteMarkers[site.id] = marker;
  }
  ui.layers.hubs.clearLayers();
  ui.hubMarkers = {};
  for (const hub of net.hubs) {
    const marker = L.circleMarker([hub.lat_deg, hub.lon_deg], {
      radius: 6, color: "#7f93a8", weight: 2.5, fillColor: "#ffb000", fillOpacity: 1,
      renderer: ui.networkRenderer, className: `hub hub-${cssId(hub.id)}`,
    });
    marker.bindTooltip(esc(hub.id), {
      permanent: true, direction: "right", offset: [6, 0], className: "hub-label",
    });
    marker.on("click", () => showHub(hub.id));
    marker.addTo(ui.layers.hubs);
    ui.hubMarkers[hub.id] = marker;
  }
}

function sitePosition(id) {
  const site = ui.net.sites[ui.siteIndex[id]];
  if (site) return [site.lat_deg, site.lon_deg];
  const hub = ui.net.hubs[ui.hubIndex[id]];
  return hub ? [hub.lat_deg, hub.lon_deg] : null;
}

function touchdownS(origin, destination) {
  const o = ui.hubIndex[origin];
  const s = ui.siteIndex[destination];
  const value = o === undefined || s === undefined ? null : ui.net.touchdown_s[o][s];
  return value ?? 30 * 60;
}

// ---------------------------------------------------------------- flights on arcs (flightmap.js)
const { flightPhase, renderFlights, renderFlightList, flightOnMap, clearFlights } = makeFlightMap(ui, {
  sitePosition, selectFlight: (id) => selectFlight(id),
});
ui.flightOnMap = flightOnMap;

document.getElementById("flights-list").addEventListener("click", (event) => {
  const li = event.target.closest("li[data-flight]");
  if (li) selectFlight(li.dataset.flight);
});

// ---------------------------------------------------------------- live data
// One row of /v1/ops/flights/positions ([id, origin, site, status, progress, launch_at,
// booked_kg]) as a flight for the map.
function liveFlight([id, origin, site, status, , launchAt, bookedKg]) {
  const launchMs = Date.parse(launchAt);
  return {
    id, apiId: id, origin, destination: site, launchMs,
    landingMs: launchMs + 1000 * touchdownS(origin, site), status, bookedKg,
    label: `${id} · ${status} · ${Number(bookedKg).toFixed(1)} kg`,
  };
}

// The day shown live: today (UTC), or the page's ?date=YYYY-MM-DD.
function liveDay() {
  const asked = PARAMS.get("date") ?? "";
  return /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : new Date().toISOString().slice(0, 10);
}

function fetchLiveDay() {
  const day = liveDay();
  // Both answers are small whatever the day's size: a compact row per flight, and counts.
  return Promise.all([api(`/v1/ops/flights/positions?date=${day}`), api(`/v1/ops/kpis?date=${day}`)]);
}

function applyLiveDay([positions, kpis]) {
  ui.flights = positions.rows.map(liveFlight);
  ui.kpis = kpis;
}

async function loadConditions(fetched = api("/v1/conditions")) {
  try {
    ui.conditions = await fetched;
  } catch (e) { ui.conditions = null; return; }
  for (const hub of ui.conditions.hubs) {
    const marker = ui.hubMarkers[hub.hub_id];
    if (marker) {
      marker.setStyle({ color: WEATHER[hub.weather] ?? "#3ddc97" });
      marker.getElement()?.setAttribute("data-weather", hub.weather);
    }
  }
  for (const site of ui.conditions.sites) {
    const marker = ui.siteMarkers[site.site_id];
    if (marker) {
      marker.setStyle({ color: site.sea === "closed" ? "#ff5c6c" : "#35c6f4" });
      marker.getElement()?.setAttribute("data-sea", site.sea);
    }
  }
}

// One live update: fetch the day (and every few polls the conditions), then redraw.
async function poll() {
  if (ui.mode === "replay") return;
  const started = performance.now();
  try {
    const withConditions = ui.polls % CONDITIONS_EVERY === 0;
    const conditions = withConditions ? api("/v1/conditions") : null;
    conditions?.catch(() => {}); // awaited (and its failure handled) by loadConditions below
    applyLiveDay(await fetchLiveDay());
    if (withConditions) await loadConditions(conditions);
    drawLiveDay();
    ui.updateMs.push(performance.now() - started);
    if (ui.selected && ui.mode === "live") refreshSelected();
  } catch (e) {
    document.getElementById("conn").className = "conn bad";
    if (e instanceof HttpError && e.status === 401) askKey("That key was refused.");
  }
}

function drawLiveDay() {
  ui.polls += 1;
  const conn = document.getElementById("conn");
  conn.className = "conn ok";
  conn.title = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
  renderKpis();
  renderFlightList(Date.now());
  renderFlights(Date.now());
}

// ---------------------------------------------------------------- details: flight, shipment, hub
async function selectFlight(id) {
  ui.selected = id;
  for (const li of document.querySelectorAll("#flights-list li")) li.classList.toggle("selected", li.dataset.flight === id);
  const f = ui.flights.find((x) => x.id === id);
  if (ui.flightCanvas) { ui.flightCanvas.selected = id; ui.flightCanvas.redraw(); } // on top
  if (!f) return;
  if (ui.mode === "replay") {
    const phase = flightPhase(f, ui.replayT);
    document.getElementById("details").innerHTML =
      `<h3>Planned flight ${esc(f.id)}</h3><p><span class="badge ${phase}">${phase.replace("_", " ")}</span> ` +
      `${esc(f.origin)} → ${esc(f.destination)} · airframe ${esc(f.airframe)}</p>` +
      `<p>launch ${hhmmss(f.launchMs)} · landing ${hhmmss(f.landingMs)} UTC<br>` +
      `${fmtInt(f.orders)} orders · ${f.massKg.toFixed(1)} kg${f.repositioning ? " · repositioning" : ""}</p>`;
    return;
  }
  await refreshSelected();
}

async function refreshSelected() {
  const id = ui.selected;
  let manifest;
  try {
    manifest = await api(`/v1/flights/${encodeURIComponent(id)}/manifest`);
  } catch (e) {
    document.getElementById("details").innerHTML =
      `<h3>Flight ${esc(id)}</h3><p class="dim">No manifest (${esc(e.status ?? e.message)}).</p>`;
    return;
  }
  if (ui.selected !== id) return;
  const fl = manifest.flight;
  const rows = manifest.shipments.map((s) =>
    `<tr class="clickable" data-shipment="${esc(s.id)}"><td>${esc(s.tracking_number)}</td>` +
    `<td title="${esc(s.merchant_id)}">${esc(s.merchant_id.slice(0, 10))}…</td><td>${Number(s.mass_kg).toFixed(2)}</td>` +
    `<td>${esc(s.destination?.name ?? "")}</td></tr>`).join("");
  const box = document.getElementById("details");
  const keep = box.querySelector("#shipment-detail")?.outerHTML ?? "";
  box.innerHTML =
    `<h3>Flight ${esc(fl.id)}</h3><p id="flight-detail" data-status="${esc(fl.status)}">` +
    `<span class="badge ${esc(fl.status)}">${esc(fl.status)}</span> ${esc(fl.origin_hub)} → ${esc(fl.destination_hub)} · ` +
    `launch ${hhmm(Date.parse(fl.launch_at))} UTC · ${Number(fl.booked_kg).toFixed(1)} / ${fmtInt(fl.capacity_kg)} kg</p>` +
    `<table id="manifest"><thead><tr><th>tracking</th><th>merchant</th><th>kg</th><th>to</th></tr></thead>` +
    `<tbody>${rows || '<tr><td colspan="4" class="dim">empty</td></tr>'}</tbody></table>${keep}`;
  box.querySelectorAll("tr[data-shipment]").forEach((tr) => tr.addEventListener("click", () => showShipment(tr.dataset.shipment)));
}

async function showShipment(id) {
  const [s, events] = await Promise.all([
    api(`/v1/shipments/${encodeURIComponent(id)}`), api(`/v1/shipments/${encodeURIComponent(id)}/events`),
  ]);
  const legs = (s.legs ?? []).map((l) => `<tr><td>${esc(l.leg)}</td><td>${(l.duration_s / 60).toFixed(1)} min</td></tr>`).join("");
  const evs = events.data.map((e) => `<tr><td>${hhmmss(Date.parse(e.occurred_at))}</td><td>${esc(e.status)}/${esc(e.sub_status)}</td></tr>`).join("");
  const html = `<div id="shipment-detail" data-shipment="${esc(s.id)}"><h3>Shipment ${esc(s.tracking_number)}</h3>` +
    `<p>${esc(s.status)} / ${esc(s.sub_status)} · promised ${hhmm(Date.parse(s.promised_delivery_at))} UTC · ` +
    `<a href="/track/${encodeURIComponent(s.tracking_number)}" target="_blank">tracking page</a></p>` +
    `<table><thead><tr><th>leg</th><th>time</th></tr></thead><tbody>${legs}</tbody></table>` +
    `<table><thead><tr><th>at</th><th>event</th></tr></thead><tbody>${evs}</tbody></table></div>`;
  const box = document.getElementById("details");
  box.querySelector("#shipment-detail")?.remove();
  box.insertAdjacentHTML("beforeend", html);
  ui.layers.focus.clearLayers();
  const from = s.destination_hub ? sitePosition(s.destination_hub) : sitePosition(s.origin_hub);
  if (from && s.destination) {
    const style = { renderer: ui.networkRenderer, interactive: false, color: "#ffffff" };
    L.polyline([from, [s.destination.lat_deg, s.destination.lon_deg]], { ...style, weight: 2, dashArray: "2 4" }).addTo(ui.layers.focus);
    L.circleMarker([s.destination.lat_deg, s.destination.lon_deg], { ...style, radius: 4, fillOpacity: 1 }).addTo(ui.layers.focus);
  }
}

async function showHub(id) {
  // The hub takes the details panel: no flight stays selected, or the next poll would
  // refresh that flight's manifest over the hub.
  ui.selected = null;
  for (const li of document.querySelectorAll("#flights-list li.selected")) li.classList.remove("selected");
  if (ui.flightCanvas) { ui.flightCanvas.selected = null; ui.flightCanvas.redraw(); }
  const hub = ui.net.hubs[ui.hubIndex[id]];
  const weather = ui.conditions?.hubs.find((h) => h.hub_id === id);
  const sea = ui.conditions?.sites.find((s) => s.site_id === id);
  const box = document.getElementById("details");
  box.innerHTML =
    `<h3>Hub ${esc(hub.id)} · ${esc(hub.name)}</h3><p>${esc(hub.country)} · fleet ${hub.fleet} · ` +
    `${hub.pads} pad(s) · launches every ${hub.launch_interval_min} min · port ${esc(hub.port)}</p>` +
    (weather ? `<p>weather <b style="color:${WEATHER[weather.weather]}">${esc(weather.weather)}</b>` +
      ` (${weather.declared ? "declared" : "climate"}, scrub p ${weather.scrub_p.toFixed(3)})` +
      ` · sea <b>${esc(sea?.sea ?? "open")}</b></p>` : "") +
    `<p id="hub-fleet" class="dim">airframes of the day…</p>`;
  // The day's airframes as bookings count them (GET /v1/ops/fleet): what is left to sell.
  const day = await api(`/v1/ops/fleet?date=${liveDay()}`);
  const mine = day.hubs.find((h) => h.hub_id === id);
  const line = document.getElementById("hub-fleet");
  if (!mine || !line) return; // another hub or flight was opened meanwhile
  const left = mine.flights_left === null ? "set by the day's schedule" : `${fmtInt(mine.flights_left)} left`;
  line.className = mine.flights_left === 0 ? "warn" : "";
  line.dataset.left = String(mine.flights_left);
  line.dataset.held = String(mine.held_from_earlier_days);
  // Airframes earlier days' flights still hold (away, or flying home and turning around).
  const back = mine.next_back_at
    ? `, first back ${mine.next_back_at.slice(5, 10)} ${hhmm(Date.parse(mine.next_back_at))} UTC` : "";
  const held = mine.held_from_earlier_days ? `, ${fmtInt(mine.held_from_earlier_days)} not yet home${back}` : "";
  line.textContent = `airframes of ${day.date}: ${fmtInt(mine.loaded_flights)} of ` +
    `${fmtInt(mine.bookable)} bookable flights opened (${fmtInt(mine.kept)} kept spare${held}) · ${left}`;
}

// ---------------------------------------------------------------- replay (replay.js)
const { enterReplay, setPlaying } = makeReplay(ui, {
  api, touchdownS, renderFlights, renderFlightList, renderKpis, clearFlights,
});

// ---------------------------------------------------------------- modes, legend, clock
async function setMode(mode) {
  if (mode === ui.mode) return;
  const previous = ui.mode;
  ui.mode = mode;
  for (const b of document.querySelectorAll("button.mode")) b.classList.toggle("active", b.dataset.mode === mode);
  if (previous === "design") ui.map.removeLayer(ui.layers.design);
  if (mode === "replay") { await enterReplay(); return; }
  setPlaying(false);
  document.body.classList.remove("replaying");
  document.getElementById("replaybar").hidden = true;
  document.getElementById("clock-label").textContent = "UTC";
  if (previous === "replay") { clearFlights(); ui.flights = []; }
  if (mode === "design") await enterDesign(ui, api);
  await poll();
}

for (const b of document.querySelectorAll("button.mode")) b.addEventListener("click", () => setMode(b.dataset.mode));
document.getElementById("layer-reach").addEventListener("change", (e) => toggleReach(ui, e.target.checked, api, renderLegend));
document.getElementById("layer-sites").addEventListener("change", (e) => {
  if (e.target.checked) ui.layers.sites.addTo(ui.map); else ui.map.removeLayer(ui.layers.sites);
});

function tickClock() {
  const now = ui.mode === "replay" ? ui.replayT : Date.now();
  document.getElementById("clock").textContent = hhmmss(now);
  if (ui.mode !== "replay" && ui.net) renderFlights(now);
}

// ---------------------------------------------------------------- start
function askKey(message = "") {
  document.getElementById("login").hidden = false;
  document.getElementById("login-error").textContent = message;
  document.getElementById("login-key").focus();
}

document.getElementById("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  ui.key = document.getElementById("login-key").value.trim();
  try {
    await api("/v1/conditions");
  } catch (e) {
    askKey(e instanceof HttpError && e.status === 403 ? "That is not the operations key." : "That key was refused.");
    return;
  }
  sessionStorage.setItem(KEY_STORE, ui.key);
  document.getElementById("login").hidden = true;
  await start();
});

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

// The first render: one read (GET /v1/ops/overview, which boot.js asked for from the page's
// <head> when the key was already stored) and the coarse countries, then everything drawn once.
// performance.mark()s split the time for the benchmark (the browser's performance timeline).
async function start() {
  const booted = BOOT.overview && BOOT.day === liveDay() ? BOOT.overview.then(answer) : null;
  BOOT.overview = null; // once: a second start (after a refused key) asks again
  const overview = booted ?? api(`/v1/ops/overview?date=${liveDay()}`);
  if (!ui.map) buildMap();
  const coarse = ui.layers.countries ? null : worldCoarse; // a second start (after a refused key)
  const [first, world] = await Promise.all([overview, coarse]);
  performance.mark("controlroom:answers");
  ui.net = first.sites;
  if (world) drawCountries(world);
  performance.mark("controlroom:countries");
  drawNetwork();
  renderLegend();
  applyLiveDay([first.positions, first.kpis]);
  await loadConditions(Promise.resolve(first.conditions));
  drawLiveDay();
  performance.mark("controlroom:flights");
  await nextFrame(); // the canvases draw in the frame Leaflet asked for: count it in
  performance.mark("controlroom:painted");
  ui.readyMs = performance.now(); // since navigation: map, network, flights and KPIs drawn
  document.body.dataset.ready = "true";
  setInterval(poll, POLL_MS);
  setInterval(tickClock, 1000);
  tickClock();
  swapInFineCountries();
}

if (ui.key) {
  start().catch((e) => { if (e instanceof HttpError && e.status === 401) askKey("That key was refused."); else throw e; });
} else {
  askKey();
}
