// The control room's KPI cards and legend, rendered from the page state it is given.

import { COLORS, REACH_BANDS, WEATHER, fmtInt, fmtPct, fmtUsd } from "./maplib.js";

// ---------------------------------------------------------------- KPIs
function kpiCard(label, value, tone = "", id = "") {
  return `<div class="kpi ${tone}"${id ? ` data-kpi="${id}"` : ""}><div class="value">${value}</div><div class="label">${label}</div></div>`;
}

export function renderKpis(ui, flightPhase) {
  const box = document.getElementById("kpis");
  if (ui.mode === "replay" && ui.replay) {
    const now = ui.replayT;
    const phases = { scheduled: 0, in_air: 0, landed: 0, scrubbed: 0, lost: 0, diverted: 0 };
    let kg = 0;
    let orders = 0;
    for (const f of ui.flights) {
      const phase = flightPhase(f, now);
      phases[phase] += 1;
      if (phase === "landed" || phase === "diverted") { kg += f.massKg; orders += f.orders; }
    }
    const sim = ui.replay.simulation_kpis ?? {};
    const kept = sim.promises_kept_share?.mean;
    box.innerHTML = [
      kpiCard("in the air", fmtInt(phases.in_air), "warn", "in_air"),
      kpiCard("landed", fmtInt(phases.landed + phases.diverted), "good", "landed"),
      kpiCard("scheduled", fmtInt(phases.scheduled), "", "scheduled"),
      kpiCard("orders delivered by air", fmtInt(orders), "good", "orders"),
      kpiCard("scrubs", fmtInt(phases.scrubbed), phases.scrubbed ? "bad" : "", "scrubs"),
      kpiCard("lost", fmtInt(phases.lost), phases.lost ? "bad" : "", "lost"),
      kpiCard("kept (sim. day)", fmtPct(kept), "good", "kept"),
      kpiCard("kg flown", fmtInt(kg), "", "kg"),
      kpiCard("plan flights", fmtInt(ui.flights.length), "", "flights"),
    ].join("");
    return;
  }
  const k = ui.kpis ?? {};
  const flights = k.flights ?? {};
  // GET /v1/ops/kpis, as it is.
  const cards = [
    kpiCard("in the air", fmtInt(flights.launched), "warn", "in_air"),
    kpiCard("landed", fmtInt(flights.landed), "good", "landed"),
    kpiCard("scheduled", fmtInt(flights.scheduled), "", "scheduled"),
    kpiCard("shipments", fmtInt(k.shipments), "", "shipments"),
    kpiCard("promises kept", fmtInt(k.promises_kept), "good", "promises_kept"),
    kpiCard("late", fmtInt(k.late), k.late ? "bad" : "good", "late"),
    kpiCard("at risk", fmtInt(k.at_risk), k.at_risk ? "warn" : "", "at_risk"),
    kpiCard("scrubs", fmtInt(k.scrubs), k.scrubs ? "bad" : "", "scrubs"),
    kpiCard("fill", fmtPct(k.fill), "", "fill"),
    kpiCard("cost / kg", fmtUsd(k.cost_per_kg_usd), "", "cost_per_kg"),
  ];
  box.innerHTML = cards.join("");
}

export function renderLegend(ui) {
  const line = (color, label, dashed = false) =>
    `<div class="legend-row"><span class="swatch line${dashed ? " dashed" : ""}" style="background:${color};border-color:${color}"></span>${label}</div>`;
  const dot = (color, label, ring = null) =>
    `<div class="legend-row"><span class="swatch dot" style="background:${color};${ring ? `box-shadow:0 0 0 2px ${ring}` : ""}"></span>${label}</div>`;
  const box = (color, label) => `<div class="legend-row"><span class="swatch" style="background:${color};opacity:.7"></span>${label}</div>`;
  document.getElementById("legend").innerHTML = `<h3>Legend</h3><div class="legend-grid">` +
    line(COLORS.scheduled, "scheduled", true) + line(COLORS.in_air, "in the air (dot: rocket)") +
    line(COLORS.landed, "landed") + line(COLORS.scrubbed, "scrubbed / lost", true) +
    dot("#ffb000", "hub: weather clear", WEATHER.clear) +
    dot("#ffb000", "hub: climate (holds)", WEATHER.hold_risk) +
    dot("#ffb000", "hub: front", WEATHER.front) + dot("#0c1a28", "site: sea open", "#35c6f4") +
    dot("#0c1a28", "site: sea closed", "#ff5c6c") + "</div>" +
    (ui.reachLoaded ? `<h3>Reach (${fmtPct(ui.reachShare)} of city pop. in the hour)</h3><div class="legend-grid">` +
      REACH_BANDS.map(([, color, label]) => box(color, label)).join("") + "</div>" : "");
}
