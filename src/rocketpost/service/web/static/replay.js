// The control room's replay of a planned or simulated day (/ui/api/replay), at any speed.
// A factory over the page's state and drawing functions, so the page keeps one clock and one
// flight layer whichever mode it is in.

export function makeReplay(ui, { api, touchdownS, renderFlights, renderFlightList, renderKpis, clearFlights }) {
  async function enterReplay() {
    if (!ui.replay) ui.replay = await api("/ui/api/replay");
    const r = ui.replay;
    document.body.classList.add("replaying");
    document.getElementById("replaybar").hidden = false;
    document.getElementById("clock-label").textContent = "REPLAY UTC";
    ui.flights = r.flights.filter((f) => f.launch_s !== null).map((f) => ({
      id: `plan-${f.id}`, origin: f.origin, destination: f.destination,
      launchMs: f.launch_s * 1000, landingMs: (f.landing_s ?? f.launch_s + touchdownS(f.origin, f.destination)) * 1000,
      status: f.outcome === "flown" ? "landed" : f.outcome, massKg: f.mass_kg, orders: f.orders,
      airframe: f.airframe, repositioning: f.repositioning,
      label: `plan flight ${f.id} · ${f.origin}→${f.destination} · ${f.orders} orders`,
    }));
    const info = document.getElementById("replay-info");
    if (!r.available || r.start_s === null) {
      info.textContent = r.available ? "the replay day has no flights" : `no replay day: ${r.reason}`;
      ui.replayStart = Date.now(); ui.replayEnd = Date.now();
    } else {
      ui.replayStart = (r.start_s - 600) * 1000;
      ui.replayEnd = (r.end_s + 600) * 1000;
      info.textContent = `${r.simulated ? "simulated" : "planned"} day · ${ui.flights.length} flights · ${r.plan_dir.split("/").slice(-2).join("/")}`;
    }
    ui.replayT = ui.replayStart;
    clearFlights();
    drawReplayFrame();
  }

  function drawReplayFrame() {
    const slider = document.getElementById("replay-time");
    const span = Math.max(1, ui.replayEnd - ui.replayStart);
    slider.value = String(Math.round(1000 * (ui.replayT - ui.replayStart) / span));
    renderFlights(ui.replayT);
    renderFlightList(ui.replayT);
    renderKpis();
  }

  function replayTick(frameMs) {
    if (!ui.playing) return;
    const dt = ui.lastFrame ? frameMs - ui.lastFrame : 0;
    ui.lastFrame = frameMs;
    const speed = Number(document.getElementById("replay-speed").value);
    ui.replayT += dt * speed;
    if (ui.replayT >= ui.replayEnd) { ui.replayT = ui.replayEnd; setPlaying(false); }
    drawReplayFrame();
    requestAnimationFrame(replayTick);
  }

  function setPlaying(on) {
    ui.playing = on;
    ui.lastFrame = 0;
    document.getElementById("replay-play").textContent = on ? "❚❚" : "▶";
    if (on) {
      if (ui.replayT >= ui.replayEnd) ui.replayT = ui.replayStart;
      requestAnimationFrame(replayTick);
    }
  }

  document.getElementById("replay-play").addEventListener("click", () => setPlaying(!ui.playing));
  document.getElementById("replay-time").addEventListener("input", (event) => {
    ui.replayT = ui.replayStart + (ui.replayEnd - ui.replayStart) * Number(event.target.value) / 1000;
    drawReplayFrame();
  });

  return { enterReplay, setPlaying };
}
