// Public tracking page: one shipment's status and legs, read without a key from
// GET /v1/tracking/{tracking_number} (the API's public read), refreshed every few seconds.

const number = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() ?? "");
const box = document.getElementById("track");
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (iso) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "–");
const LABELS = {
  "pre_transit/booked": "Booked", "pre_transit/customs_cleared": "Cleared by customs",
  "pre_transit/customs_hold": "Held by customs", "pre_transit/rescheduled": "Moved to a later launch",
  "pre_transit/downgraded_to_standard": "Sent by standard service", "in_transit/launched": "In the air",
  "in_transit/landed": "Landed, on its way to you", "out_for_delivery/out_for_delivery": "Out for delivery",
  "delivered/delivered": "Delivered", "cancelled/cancelled": "Cancelled",
  "failure/seized": "Seized by customs",
};

async function refresh() {
  let t;
  try {
    const response = await fetch(`/v1/tracking/${encodeURIComponent(number)}`);
    if (response.status === 404) {
      box.innerHTML = `<p>No shipment has the tracking number <b>${esc(number)}</b>.</p>`;
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    t = await response.json();
  } catch (e) {
    box.dataset.error = String(e);
    return;
  }
  const state = `${t.status}/${t.sub_status}`;
  const legs = t.legs.map((l) => `<tr><td>${esc(l.leg.replaceAll("_", " "))}</td><td>${(l.duration_s / 60).toFixed(1)} min</td></tr>`).join("");
  const events = t.events.slice().reverse().map((e) =>
    `<li><b>${esc(LABELS[`${e.status}/${e.sub_status}`] ?? `${e.status} / ${e.sub_status}`)}</b>` +
    ` <span class="dim">${when(e.occurred_at)}</span>${e.message ? `<br><span class="dim">${esc(e.message)}</span>` : ""}</li>`).join("");
  const flight = t.flight
    ? `<p>Rocket ${esc(t.origin_hub)} → ${esc(t.destination_hub ?? "")}, launch ${when(t.flight.launch_at)} ` +
      `<span class="badge ${esc(t.flight.status)}" id="flight-status">${esc(t.flight.status)}</span></p>` : "";
  box.innerHTML =
    `<p class="dim">Tracking number <b id="tracking-number">${esc(t.tracking_number)}</b></p>` +
    `<div class="status-big" id="status" data-state="${esc(state)}">${esc(LABELS[state] ?? state)}</div>` +
    `<p>To ${esc(t.destination.name ?? "")}${t.destination.country ? `, ${esc(t.destination.country)}` : ""} · ` +
    `${esc(t.service.replace("_", " "))} by ${esc(t.mode)} · promised by <b>${when(t.promised_delivery_at)}</b></p>` +
    flight +
    (legs ? `<h3>Route</h3><table id="legs">${legs}</table>` : "") +
    `<h3>History</h3><ul class="timeline" id="events">${events}</ul>`;
  document.body.dataset.ready = "true";
}

const POLL_MS = Math.max(250, Number(new URLSearchParams(location.search).get("poll_ms")) || 3000);
refresh();
setInterval(refresh, POLL_MS);
