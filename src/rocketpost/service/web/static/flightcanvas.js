// The day's flights drawn on one canvas by the page itself: every arc of a phase is one path
// and one stroke, every rocket of a phase one fill, and a click or hover is matched to the
// nearest rocket or arc under the pointer (the hit-testing a canvas needs).
//
// Why not Leaflet's own canvas renderer: it keeps one layer object per shape, projects, clips
// and strokes each alone (setLineDash, stroke, per shape), so a thousand flights cost ~0.6 s of
// JavaScript to create and a full redraw per clock tick; SVG costs as much in DOM. Here a
// flight is a few numbers, its arc is projected once per zoom level, the arcs are redrawn (a
// handful of strokes) only when one of them changed, and the clock's tick redraws only the
// rockets, on a canvas of their own above the arcs.

import { COLORS, fitCanvases, mercator } from "./maplib.js";

// How each phase is drawn (the legend in panels.js says the same), bottom to top.
const PHASES = ["landed", "scheduled", "scrubbed", "lost", "diverted", "in_air"];
const ARC = {
  scheduled: { width: 1.4, alpha: 0.85, dash: [4, 5] },
  scrubbed: { width: 1.4, alpha: 0.85, dash: [4, 5] },
  lost: { width: 1.4, alpha: 0.85, dash: [] },
  landed: { width: 1.4, alpha: 0.45, dash: [] },
  diverted: { width: 1.4, alpha: 0.85, dash: [] },
  in_air: { width: 2.2, alpha: 0.85, dash: [] },
};
const ROCKET_RADIUS = { in_air: 5 };
const HIT_PX = 5; // how far from an arc a click still takes it

function distanceToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const length2 = dx * dx + dy * dy;
  const t = length2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length2)) : 0;
  const x = ax + t * dx - px;
  const y = ay + t * dy - py;
  return Math.sqrt(x * x + y * y);
}

export const FlightCanvas = L.Layer.extend({
  options: { pane: "flights" },

  initialize(options) {
    L.setOptions(this, options);
    this._flights = new Map(); // id -> {latlngs, proj (per zoom), phase, rocket [lat, lon], label}
    this.selected = null;
    this._drawnSelected = null;
    this._arcsDirty = true; // the arcs change with a phase, a flight, the selection or the view
  },

  onAdd(map) {
    // Two canvases: the arcs (redrawn only when one of them changed) under the rockets
    // (redrawn on every clock tick, as they move).
    this._arcCanvas = L.DomUtil.create("canvas", "flight-canvas flight-arcs", this.getPane());
    this._rocketCanvas = L.DomUtil.create("canvas", "flight-canvas flight-rockets", this.getPane());
    this._tooltip = L.tooltip({ direction: "top", offset: [0, -6] });
    map.on("moveend resize", this._reset, this);
    map.on("zoomstart", this._hide, this);
    map.on("click", this._onClick, this);
    map.on("mousemove", this._onMove, this);
    map.on("mouseout", this._closeTooltip, this);
    this._reset();
  },

  onRemove(map) {
    map.off("moveend resize", this._reset, this);
    map.off("zoomstart", this._hide, this);
    map.off("click", this._onClick, this);
    map.off("mousemove", this._onMove, this);
    map.off("mouseout", this._closeTooltip, this);
    this._closeTooltip();
    L.DomUtil.remove(this._arcCanvas);
    L.DomUtil.remove(this._rocketCanvas);
  },

  // A flight's arc (great-circle points, [lat, lon]) and what is drawn of it now.
  set(id, latlngs, phase, rocket, label) {
    let f = this._flights.get(id);
    if (!f || f.latlngs !== latlngs) {
      f = { latlngs, proj: null, zoom: null, phase: null };
      this._flights.set(id, f);
    }
    if (f.phase !== phase) this._arcsDirty = true;
    f.phase = phase;
    f.rocket = rocket;
    f.label = label;
  },

  delete(id) { if (this._flights.delete(id)) this._arcsDirty = true; },
  clear() { this._flights.clear(); this._arcsDirty = true; this.redraw(); },
  ids() { return [...this._flights.keys()]; },
  get(id) { return this._flights.get(id); },

  // The colour drawn at a container point ("#rrggbb"; null where nothing is), rockets over
  // arcs, for the tests.
  colourAt(containerPoint) {
    const layer = this._map.containerPointToLayerPoint(containerPoint);
    const x = Math.round((layer.x - this._origin.x) * this._ratio);
    const y = Math.round((layer.y - this._origin.y) * this._ratio);
    for (const canvas of [this._rocketCanvas, this._arcCanvas]) {
      const [r, g, b, a] = canvas.getContext("2d").getImageData(x, y, 1, 1).data;
      if (a) return `#${[r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("")}`;
    }
    return null;
  },

  // Draw on the next frame (once, however many flights changed since).
  redraw() {
    if (!this._map || this._frame) return this;
    this._frame = requestAnimationFrame(() => { this._frame = null; this._draw(); });
    return this;
  },

  _hide() {
    this._arcCanvas.style.visibility = "hidden";
    this._rocketCanvas.style.visibility = "hidden";
  },

  _reset() {
    const { origin, ratio } = fitCanvases(this._map, [this._arcCanvas, this._rocketCanvas]);
    this._origin = origin;
    this._ratio = ratio;
    if (this._frame) { cancelAnimationFrame(this._frame); this._frame = null; }
    this._arcsDirty = true;
    this._draw();
  },

  // The arc's points in pixels at the map's zoom (projected once per zoom level).
  _projected(f) {
    const zoom = this._map.getZoom();
    if (f.zoom !== zoom) {
      const out = new Float64Array(2 * f.latlngs.length);
      f.latlngs.forEach(([lat, lon], i) => {
        [out[2 * i], out[2 * i + 1]] = mercator(lat, lon, zoom);
      });
      f.proj = out;
      f.zoom = zoom;
    }
    return f.proj;
  },

  // Pixel offset from projected (zoom-level) coordinates to the canvas.
  _offset() {
    const origin = this._map.getPixelOrigin();
    return [origin.x + this._origin.x, origin.y + this._origin.y];
  },

  _rocketPoint(f) {
    return mercator(f.rocket[0], f.rocket[1], this._map.getZoom());
  },

  _context(canvas) {
    const ctx = canvas.getContext("2d");
    ctx.setTransform(this._ratio, 0, 0, this._ratio, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return ctx;
  },

  _draw() {
    const [ox, oy] = this._offset();
    const byPhase = new Map(PHASES.map((phase) => [phase, []]));
    for (const f of this._flights.values()) byPhase.get(f.phase)?.push(f);
    if (this._arcsDirty || this._drawnSelected !== this.selected) this._drawArcs(byPhase, ox, oy);
    this._drawRockets(byPhase, ox, oy);
  },

  _drawArcs(byPhase, ox, oy) {
    const ctx = this._context(this._arcCanvas);
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const phase of PHASES) {
      const flights = byPhase.get(phase);
      if (!flights.length) continue;
      const style = ARC[phase];
      ctx.beginPath();
      for (const f of flights) this._trace(ctx, f, ox, oy);
      ctx.setLineDash(style.dash);
      ctx.globalAlpha = style.alpha;
      ctx.lineWidth = style.width;
      ctx.strokeStyle = COLORS[phase];
      ctx.stroke();
    }
    const selected = this._flights.get(this.selected);
    if (selected) { // on top, wider: the flight whose manifest is open
      ctx.beginPath();
      this._trace(ctx, selected, ox, oy);
      ctx.setLineDash([]);
      ctx.globalAlpha = 1;
      ctx.lineWidth = 3.2;
      ctx.strokeStyle = COLORS[selected.phase];
      ctx.stroke();
    }
    this._arcsDirty = false;
    this._drawnSelected = this.selected;
  },

  _drawRockets(byPhase, ox, oy) {
    const ctx = this._context(this._rocketCanvas);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = "#0a121c";
    for (const phase of PHASES) {
      const flights = byPhase.get(phase);
      if (!flights.length) continue;
      const radius = ROCKET_RADIUS[phase] ?? 3.5;
      ctx.beginPath();
      for (const f of flights) {
        const [x, y] = this._rocketPoint(f);
        ctx.moveTo(x - ox + radius, y - oy);
        ctx.arc(x - ox, y - oy, radius, 0, 2 * Math.PI);
      }
      ctx.fillStyle = COLORS[phase];
      ctx.fill();
      ctx.stroke();
    }
  },

  _trace(ctx, f, ox, oy) {
    const p = this._projected(f);
    ctx.moveTo(p[0] - ox, p[1] - oy);
    for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i] - ox, p[i + 1] - oy);
  },

  // The flight under a container point: the nearest rocket within its radius, else the
  // nearest arc within HIT_PX; null when there is none.
  flightAt(containerPoint) {
    const map = this._map;
    const origin = map.getPixelOrigin();
    const layer = map.containerPointToLayerPoint(containerPoint);
    const px = layer.x + origin.x;
    const py = layer.y + origin.y;
    let best = null;
    let bestD = Infinity;
    for (const [id, f] of this._flights) {
      const [x, y] = this._rocketPoint(f);
      const d = Math.hypot(x - px, y - py);
      if (d <= (ROCKET_RADIUS[f.phase] ?? 3.5) + 2 && d < bestD) { best = id; bestD = d; }
    }
    if (best !== null) return best;
    for (const [id, f] of this._flights) {
      const p = this._projected(f);
      for (let i = 2; i < p.length; i += 2) {
        const d = distanceToSegment(px, py, p[i - 2], p[i - 1], p[i], p[i + 1]);
        if (d <= HIT_PX && d < bestD) { best = id; bestD = d; }
      }
    }
    return best;
  },

  _onInteractive(event) { // a hub or a landing site (SVG) took it: not a flight's
    return event.originalEvent?.target?.classList?.contains("leaflet-interactive");
  },

  _onClick(event) {
    if (this._onInteractive(event)) return;
    const id = this.flightAt(event.containerPoint);
    if (id !== null) this.fire("flightclick", { id });
  },

  _onMove(event) {
    if (this._onInteractive(event)) { this._closeTooltip(); return; }
    this._pointer = event.containerPoint;
    if (this._hover) return; // one hit test per frame
    this._hover = requestAnimationFrame(() => {
      this._hover = null;
      const id = this.flightAt(this._pointer);
      this._map.getContainer().style.cursor = id === null ? "" : "pointer";
      if (id === null) { this._closeTooltip(); return; }
      const f = this._flights.get(id);
      this._tooltip.setLatLng(this._map.containerPointToLatLng(this._pointer)).setContent(f.label);
      if (!this._map.hasLayer(this._tooltip)) this._tooltip.addTo(this._map);
    });
  },

  _closeTooltip() {
    if (this._map?.hasLayer(this._tooltip)) this._map.removeLayer(this._tooltip);
  },
});
