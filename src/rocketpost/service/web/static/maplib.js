// Colours, geometry and formatting of the control room (no page state).

export const COLORS = {
  scheduled: "#8a9bb0", in_air: "#ffd24a", launched: "#ffd24a", landed: "#3ddc97",
  scrubbed: "#ff5c6c", lost: "#ff5c6c", diverted: "#c38cff",
};
export const WEATHER = { clear: "#3ddc97", hold_risk: "#7f93a8", front: "#ff5c6c" };

export const REACH_BANDS = [[60, "#00d0a0", "≤ 60 min promise"], [120, "#b8e04a", "60–120 min"],
  [240, "#ff9f40", "2–4 h"]];


// ---------------------------------------------------------------- geometry
export const RAD = Math.PI / 180;

export function greatCircle(a, b, n = 64) {
  // Points along the great circle from a to b ([lat, lon] degrees), longitudes unwrapped so
  // that an arc over the antimeridian is drawn continuously.
  const [la1, lo1, la2, lo2] = [a[0] * RAD, a[1] * RAD, b[0] * RAD, b[1] * RAD];
  const d = 2 * Math.asin(Math.sqrt(Math.sin((la2 - la1) / 2) ** 2 +
    Math.cos(la1) * Math.cos(la2) * Math.sin((lo2 - lo1) / 2) ** 2));
  if (d < 1e-9) return [a, b];
  const points = [];
  let previous = null;
  for (let i = 0; i <= n; i++) {
    const f = i / n;
    const A = Math.sin((1 - f) * d) / Math.sin(d);
    const B = Math.sin(f * d) / Math.sin(d);
    const x = A * Math.cos(la1) * Math.cos(lo1) + B * Math.cos(la2) * Math.cos(lo2);
    const y = A * Math.cos(la1) * Math.sin(lo1) + B * Math.cos(la2) * Math.sin(lo2);
    const z = A * Math.sin(la1) + B * Math.sin(la2);
    const lat = Math.atan2(z, Math.sqrt(x * x + y * y)) / RAD;
    let lon = Math.atan2(y, x) / RAD;
    if (previous !== null) {
      while (lon - previous > 180) lon -= 360;
      while (lon - previous < -180) lon += 360;
    }
    previous = lon;
    points.push([lat, lon]);
  }
  return points;
}

// [x, y] pixels of a point at a zoom level in the map's Web Mercator (Leaflet's EPSG:3857 as
// map.project computes it, without building a LatLng and a Point for each of 80,000 vertices).
const MAX_LAT = 85.0511287798;
export function mercator(lat, lon, zoom) {
  const scale = 256 * 2 ** zoom;
  const s = Math.sin(Math.max(-MAX_LAT, Math.min(MAX_LAT, lat)) * RAD);
  return [scale * (0.5 + lon / 360), scale * (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI))];
}

// The page's own canvases (countries, flights) cover the map's view and this share of it
// beyond each edge, so that a short pan shows no gap before they are redrawn.
const CANVAS_PAD = 0.15;

// Size and place canvases over the view (in device pixels, for sharp lines): returns the layer
// point of their top-left corner and the device pixel ratio their drawing is scaled by.
export function fitCanvases(map, canvases) {
  const size = map.getSize();
  const margin = size.multiplyBy(CANVAS_PAD).round();
  const origin = map.containerPointToLayerPoint(margin.multiplyBy(-1)).round();
  const full = size.add(margin.multiplyBy(2));
  const ratio = window.devicePixelRatio || 1;
  for (const canvas of canvases) {
    canvas.width = full.x * ratio;
    canvas.height = full.y * ratio;
    canvas.style.width = `${full.x}px`;
    canvas.style.height = `${full.y}px`;
    L.DomUtil.setPosition(canvas, origin);
    canvas.style.visibility = "";
  }
  return { origin, ratio };
}

export function pointAt(points, f) {
  const x = Math.max(0, Math.min(1, f)) * (points.length - 1);
  const i = Math.min(points.length - 2, Math.floor(x));
  const t = x - i;
  return [points[i][0] + (points[i + 1][0] - points[i][0]) * t,
    points[i][1] + (points[i + 1][1] - points[i][1]) * t];
}

// ---------------------------------------------------------------- formatting
export const fmtInt = (v) => (v === null || v === undefined ? "–" : Math.round(v).toLocaleString("en-US"));
export const fmtPct = (v) => (v === null || v === undefined ? "–"
  : `${(100 * v).toFixed(v > 0 && v < 0.01 ? 2 : 1)} %`);
export const fmtUsd = (v) => (v === null || v === undefined ? "–" : `$${Math.round(v).toLocaleString("en-US")}`);
export const hhmm = (ms) => new Date(ms).toISOString().slice(11, 16);
export const hhmmss = (ms) => new Date(ms).toISOString().slice(11, 19);
export const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const cssId = (id) => String(id).replace(/[^A-Za-z0-9_-]/g, "_");
