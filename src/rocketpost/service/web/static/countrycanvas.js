// The countries drawn on one canvas by the page itself: every ring of every country in one
// path, filled and stroked once, projected once per zoom level (the map's own Web Mercator,
// maplib.js mercator). Nothing on it is clicked: the pointer goes through (controlroom.css).
//
// Why not L.geoJSON on Leaflet's canvas renderer: it builds a layer per country and a LatLng
// and a Point per vertex, then clips and simplifies each ring on every redraw: ~0.1-0.3 s of the
// first render for the 110m set (8,000 vertices), seconds for the 50m set (ten times more).

import { fitCanvases, mercator } from "./maplib.js";

export const CountryCanvas = L.Layer.extend({
  options: { pane: "countries", fill: "#1a2836", stroke: "#2b3d50", weight: 0.6 },

  // rings: Float64Array of [lon, lat, lon, lat, …] per ring (longitudes unwrapped).
  initialize(rings, options) {
    L.setOptions(this, options);
    this._rings = rings;
    this._zoom = null;
  },

  rings() { return this._rings.length; },

  onAdd(map) {
    this._canvas = L.DomUtil.create("canvas", "country-canvas", this.getPane());
    map.on("moveend resize", this._reset, this);
    map.on("zoomstart", this._hide, this);
    this._reset();
  },

  onRemove(map) {
    map.off("moveend resize", this._reset, this);
    map.off("zoomstart", this._hide, this);
    L.DomUtil.remove(this._canvas);
  },

  _hide() { this._canvas.style.visibility = "hidden"; },

  _reset() {
    const { origin, ratio } = fitCanvases(this._map, [this._canvas]);
    this._origin = origin;
    this._draw(ratio);
  },

  // Every ring in pixels at the map's zoom, once per zoom level.
  _projected() {
    const zoom = this._map.getZoom();
    if (this._zoom !== zoom) {
      this._proj = this._rings.map((ring) => {
        const out = new Float64Array(ring.length);
        for (let i = 0; i < ring.length; i += 2) {
          const [x, y] = mercator(ring[i + 1], ring[i], zoom);
          out[i] = x;
          out[i + 1] = y;
        }
        return out;
      });
      this._zoom = zoom;
    }
    return this._proj;
  },

  _draw(ratio) {
    const ctx = this._canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this._canvas.width, this._canvas.height);
    const origin = this._map.getPixelOrigin();
    const ox = origin.x + this._origin.x;
    const oy = origin.y + this._origin.y;
    ctx.beginPath();
    for (const p of this._projected()) {
      ctx.moveTo(p[0] - ox, p[1] - oy);
      for (let i = 2; i < p.length; i += 2) ctx.lineTo(p[i] - ox, p[i + 1] - oy);
      ctx.closePath();
    }
    ctx.fillStyle = this.options.fill;
    ctx.fill("evenodd");
    ctx.lineWidth = this.options.weight;
    ctx.strokeStyle = this.options.stroke;
    ctx.lineJoin = "round";
    ctx.stroke();
  },
});

// The rings of a world-atlas TopoJSON's countries (Antarctica left out: Mercator cannot draw
// the pole), each ring's longitudes unwrapped so that a ring over the antimeridian runs on past
// 180 instead of striping the map.
export function countryRings(world) {
  const rings = [];
  for (const feature of topojson.feature(world, world.objects.countries).features) {
    if (feature.id === "010" || !feature.geometry) continue;
    const g = feature.geometry;
    for (const polygon of g.type === "Polygon" ? [g.coordinates] : g.coordinates) {
      for (const ring of polygon) {
        const out = new Float64Array(2 * ring.length);
        let previous = null;
        ring.forEach(([lon0, lat], i) => {
          let lon = lon0;
          if (previous !== null) {
            while (lon - previous > 180) lon -= 360;
            while (lon - previous < -180) lon += 360;
          }
          previous = lon;
          out[2 * i] = lon;
          out[2 * i + 1] = lat;
        });
        rings.push(out);
      }
    }
  }
  return rings;
}
