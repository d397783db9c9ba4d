// The control room's first reads, started from the page's <head> before anything else: the
// day's overview (GET /v1/ops/overview: network, positions, KPIs, conditions in one answer)
// and the coarse countries travel while leaflet.js downloads and parses, instead of after the
// module scripts have run. controlroom.js takes them over (window.controlRoomBoot); without a
// stored key there is nothing to ask yet and it asks after the key prompt.
"use strict";
(() => {
  const params = new URLSearchParams(location.search);
  const asked = params.get("date") ?? "";
  const day = /^\d{4}-\d{2}-\d{2}$/.test(asked) ? asked : new Date().toISOString().slice(0, 10);
  const key = sessionStorage.getItem("rocketpost.opsKey");
  const quiet = (promise) => { promise.catch(() => {}); return promise; }; // handled by the taker
  window.controlRoomBoot = {
    day,
    world: quiet(fetch("/ui/static/vendor/world-atlas/countries-110m.json")),
    overview: key
      ? quiet(fetch(`/v1/ops/overview?date=${day}`, { headers: { Authorization: `Bearer ${key}` } }))
      : null,
  };
})();
