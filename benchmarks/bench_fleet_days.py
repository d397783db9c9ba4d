"""What a hub sells across days, and what one admission answer costs.

``.venv/bin/python benchmarks/bench_fleet_days.py`` offers a flight on every wave of 30 days
at one hub (the shipped ``today`` fleets), as saturating demand would, and lets the service's
rule across days (``service/fleetcarry.py``) admit what it flies: the flights sold per day,
for a lane that lands at another hub (NYC → Miami: the airframe is flown home) and, on the
shipped network with its landing sites, one whose site ships the airframe back to the hub it
left (SZX → the Hong Kong site HK-WECJYR; a hub never flies to its own zone). Beside
them, what the day model sold (every day from the fleet home and ready: ``fleet − spare`` a
day), and the time of one ``HubFlights.opens`` answer on the window a booking reads.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from rocketpost.network import Network, default_network
from rocketpost.service.fleetadmission import RESERVE_PER_HUB
from rocketpost.service.fleetcarry import DAY_S, HubFlights, carry_days


def sold_per_day(network: Network, hub_id: str, site_id: str, days: int) -> list[int]:
    """Flights the rule admits on each of ``days`` days, one offered on every wave."""
    hub, site = network.hub_index(hub_id), network.site_index(site_id)
    fleet = network.hub(hub_id).fleet
    interval_s = float(network.launch_wave_interval_s[hub])
    start_s = 20_000 * DAY_S  # a UTC midnight
    flights = HubFlights.of(network, hub, np.zeros(0, dtype=np.intp), np.zeros(0))
    for wave_s in np.arange(start_s, start_s + days * DAY_S, interval_s):
        if flights.opens(site, float(wave_s), fleet, RESERVE_PER_HUB):
            flights = flights.with_flight(site, float(wave_s))
    day = ((flights.launch_s - start_s) // DAY_S).astype(int)
    return np.bincount(day, minlength=days).tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    network = default_network("today")
    nyc = network.hub("NYC")
    print(f"NYC: {nyc.fleet} airframes, {RESERVE_PER_HUB} kept spare; {args.days} days")
    print(f"day model (every day home and ready): {nyc.fleet - RESERVE_PER_HUB} flights a day")
    shipped = default_network()
    szx = shipped.hub("SZX")
    print(f"SZX (shipped network): {szx.fleet} airframes, {RESERVE_PER_HUB} kept spare")
    for net, hub_id, site in ((network, "NYC", "MIA"), (shipped, "SZX", "HK-WECJYR")):
        sold = sold_per_day(net, hub_id, site, args.days)
        print(
            f"across days, {hub_id} → {site}: {sum(sold)} flights in {args.days} days "
            f"({sum(sold) / args.days:.2f} a day); first 12 days: {sold[:12]}"
        )
    # One admission answer on a busy window: the hub's flights of carry_days either side.
    hub, site = network.hub_index("NYC"), network.site_index("MIA")
    reach = carry_days(network)
    rng = np.random.default_rng(1)
    start_s = 20_000 * DAY_S
    launch = start_s + np.sort(rng.uniform(-reach, reach + 1, 40 * (2 * reach + 1))) * DAY_S
    window = HubFlights.of(network, hub, np.full(len(launch), site), launch)
    began = time.perf_counter()
    for _ in range(args.repeat):
        window.opens(site, start_s + 43_200.0, 1_000, RESERVE_PER_HUB)
    per_call_us = (time.perf_counter() - began) / args.repeat * 1e6
    print(
        f"one opens() answer on {len(launch)} flights ({2 * reach + 1} days, 1,000 airframes): "
        f"{per_call_us:.0f} µs"
    )


if __name__ == "__main__":
    main()
