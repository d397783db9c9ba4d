"""The coverage matrix: which candidate landing site gives which demand point a one-hour rocket
promise, computed by the one door-to-door kernel.

A site ``d`` *covers* a point ``c`` when a rocket from one of the stock hubs, landing at ``d``,
delivers to ``c`` with ETA + the network's promise buffer within the promise hour
(``network.promise``) — exactly what ``rocketpost reach --mode rocket`` counts. No leg is
computed here: every time comes from :func:`rocketpost.core.eta.eta_to_places` (a thin wrapper
over :func:`rocketpost.core.doortodoor.door_to_door`), which returns the *fastest* site per
point. To learn what each candidate alone gives, the candidates are split into groups whose
last-mile reaches share no point (a greedy colouring of the conflict graph); within a group a
point can be reached by at most one candidate, so the kernel's fastest site for that point is
either that candidate or a stock hub's own zone, and

* if it is the candidate, its time is the time via that candidate;
* if it is a hub zone whose time misses the hour, the candidate (no faster) misses it too;
* if it is a hub zone within the hour, the point is covered by the base network anyway.

The base network (its hubs and any sites kept fixed) is routed once for every point. The kernel
runs once per group on only the points within reach of the group's sites: sparse, and as many
kernel calls as colours (a few dozen for the 2,550 worldwide candidates).

The reach radius of a site is the farthest a last mile can go within the hour at all: the
drone range (from the vessel and from the port) or the distance a van covers in the hour
(``legs.van_s_per_km``), around the port; a point outside it cannot be covered by the site.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from rocketpost.core.earth import EARTH_RADIUS_KM
from rocketpost.core.eta import DEFAULT_PARCEL, EtaOptions, Parcel, eta_to_places
from rocketpost.core.geo import unit_vector
from rocketpost.core.networklegs import NetworkLegs, network_legs
from rocketpost.core.routes import LEG_NAMES
from rocketpost.design.demand import Demand
from rocketpost.design.selection import drones_for
from rocketpost.design.table import CandidateTable
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.network.model import LandingSite
from rocketpost.network.vehicles import Drone
from rocketpost.world.ports import load_ports

__all__ = ["CoverageMatrix", "build_coverage", "candidate_sites"]


def candidate_sites(candidates: CandidateTable, drone: Drone) -> tuple[LandingSite, ...]:
    """The candidates as network landing sites (``drones`` the deck sized for ``drone`` by
    :func:`rocketpost.design.selection.drones_for`, the number the TOML writer writes)."""
    ports = load_ports()
    drones = drones_for(candidates, drone)
    sites = []
    for i, site in enumerate(candidates):
        port = ports.get(site.port)
        sites.append(
            LandingSite(
                site_id=site.site_id,
                position=(site.lat_deg, site.lon_deg),
                port=site.port,
                port_position=(port.lat_deg, port.lon_deg),
                boat_route_km=site.boat_route_km,
                drones=int(drones[i]),
                sea_state_closed_share=site.sea_state_closed_share,
                serves=f"{site.city}, {site.country_code}",
            )
        )
    return tuple(sites)


@dataclass(frozen=True, eq=False)
class CoverageMatrix:
    """Who covers whom: base coverage and a sparse candidate × demand matrix.

    Attributes
    ----------
    network
        The base network (its hubs and the sites kept fixed).
    stock_hubs
        Hubs holding the stock (the rockets' origins).
    demand, candidates
        The demand points and the candidate sites (rows of :attr:`covers`).
    base_covered
        Points the base network already promises within the hour.
    covers
        ``(candidates, points)`` boolean CSR matrix: candidate ``d`` alone (with the base)
        gives point ``c`` the promise, for points the base does not cover.
    pair_candidate, pair_point, pair_time_s, pair_legs_s
        Every (candidate, point) pair for which the kernel routed the point via the candidate:
        its door-to-door seconds (ETA, without the promise buffer) and each leg
        (columns :data:`rocketpost.core.routes.LEG_NAMES`); near misses included, for the
        sensitivity analysis.
    groups
        Kernel calls made (colours of the conflict graph).
    """

    network: Network
    stock_hubs: tuple[str, ...]
    demand: Demand
    candidates: CandidateTable
    base_covered: NDArray[np.bool_]
    covers: sparse.csr_matrix
    pair_candidate: NDArray[np.intp]
    pair_point: NDArray[np.intp]
    pair_time_s: NDArray[np.float64]
    pair_legs_s: NDArray[np.float64]
    groups: int

    def covered(self, chosen: Sequence[int] | NDArray[np.intp]) -> NDArray[np.bool_]:
        """Points covered by the base network plus the ``chosen`` candidates (row indices)."""
        index = np.asarray(chosen, dtype=np.intp)
        hits = np.asarray(self.covers[index].sum(axis=0)).ravel() > 0
        return self.base_covered | hits

    def covered_weight(self, chosen: Sequence[int] | NDArray[np.intp]) -> float:
        """Demand (people or orders) covered by the base plus ``chosen``."""
        return float(self.demand.weight[self.covered(chosen)].sum())

    @property
    def base_weight(self) -> float:
        """Demand the base network covers alone."""
        return float(self.demand.weight[self.base_covered].sum())

    @property
    def coverable(self) -> NDArray[np.bool_]:
        """Points covered by the base or by at least one candidate (the design's ceiling)."""
        return self.base_covered | (np.asarray(self.covers.sum(axis=0)).ravel() > 0)


def _unit(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(unit_vector(lat, lon), dtype=np.float64).reshape(-1, 3)


def _chord(km: float) -> float:
    return float(2.0 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2.0))


def _within(
    tree_points: cKDTree, lat: NDArray[np.float64], lon: NDArray[np.float64], km: float
) -> sparse.coo_matrix:
    """``(len(lat), points)`` pairs within ``km`` of each (lat, lon)."""
    tree = cKDTree(_unit(lat, lon))
    matrix = tree.sparse_distance_matrix(tree_points, _chord(km), output_type="coo_matrix")
    return sparse.coo_matrix((np.ones(matrix.nnz, dtype=bool), (matrix.row, matrix.col)))


def last_mile_reach_km(legs: NetworkLegs, hour_s: float) -> float:
    """Farthest door a last mile reaches within ``hour_s`` at all: drone range or van hour."""
    van_km = max(hour_s - float(legs.van_stop_s), 0.0) / float(legs.van_s_per_km)
    return max(float(legs.drone_range_km), van_km)


def _reach_pairs(
    legs: NetworkLegs, sites: tuple[LandingSite, ...], demand: Demand, hour_s: float
) -> sparse.csr_matrix:
    """``(sites, points)`` boolean: points inside each site's last-mile reach (a superset of
    the points it can cover)."""
    points = cKDTree(_unit(demand.lat_deg, demand.lon_deg))
    port_lat = np.array([s.port_position[0] for s in sites])
    port_lon = np.array([s.port_position[1] for s in sites])
    shape = (len(sites), len(demand))
    pairs = _within(points, port_lat, port_lon, last_mile_reach_km(legs, hour_s))
    pairs.resize(shape)
    if legs.network.drone.from_vessel:
        site_lat = np.array([s.position[0] for s in sites])
        site_lon = np.array([s.position[1] for s in sites])
        vessel = _within(points, site_lat, site_lon, float(legs.drone_range_km))
        vessel.resize(shape)
        pairs = pairs + vessel
    return sparse.csr_matrix(pairs, dtype=bool)


def colour_groups(reach: sparse.csr_matrix) -> list[NDArray[np.intp]]:
    """Candidates in groups whose reaches share no point (greedy colouring, largest degree
    first; deterministic)."""
    incidence = reach.astype(np.int32)
    conflict = sparse.csr_matrix(incidence @ incidence.T)
    conflict.setdiag(0)
    conflict.eliminate_zeros()
    degree = np.diff(conflict.indptr)
    order = np.lexsort((np.arange(degree.size), -degree))
    colour = np.full(degree.size, -1, dtype=np.intp)
    for node in order:
        neighbours = conflict.indices[conflict.indptr[node] : conflict.indptr[node + 1]]
        used = set(colour[neighbours].tolist())
        c = 0
        while c in used:
            c += 1
        colour[node] = c
    return [np.flatnonzero(colour == c) for c in range(int(colour.max()) + 1 if colour.size else 0)]


def build_coverage(
    network: Network,
    candidates: CandidateTable,
    demand: Demand,
    *,
    stock_hubs: Sequence[str],
    parcel: Parcel = DEFAULT_PARCEL,
    options: EtaOptions | None = None,
) -> CoverageMatrix:
    """The coverage matrix of ``candidates`` over ``demand`` on top of ``network``.

    Parameters
    ----------
    network
        The base network: its hubs (stock hubs among them) and any landing sites kept fixed
        (``extra_sites``). A candidate with the id of a fixed site is skipped (it is in).
    candidates
        Candidate sites (:func:`rocketpost.design.candidates.build_candidates`).
    demand
        Demand points (:mod:`rocketpost.design.demand`).
    stock_hubs
        Hubs that hold the goods (the reference story: ``HZB, SHA, SZX``).
    parcel, options
        As for reach: the parcel decides drone eligibility; the options' wave-wait policy
        (default: the worst case, so a promise holds at any hour). Ground deliveries never
        count (``--mode rocket``).
    """
    if not stock_hubs:
        raise InputError("stock_hubs", list(stock_hubs), "must name at least one hub")
    stock = tuple(network.hub(h).hub_id for h in stock_hubs)
    eta_options = dataclasses.replace(options or EtaOptions(), allow_ground=False, may_fly=True)
    hour_min = network.promise.one_hour_min
    base = eta_to_places(
        network, demand.lat_deg, demand.lon_deg, origins=stock, parcel=parcel, options=eta_options
    )
    base_covered = np.asarray(base.within(hour_min).any(axis=0))
    fixed = {s.site_id.upper() for s in network.extra_sites}
    keep = np.array([str(i).upper() not in fixed for i in candidates.site_id], dtype=bool)
    sites = candidate_sites(candidates, network.drone)
    universe = dataclasses.replace(
        network, hubs=tuple(network.hub(h) for h in stock), extra_sites=(), source="<design>"
    )
    legs = network_legs(universe, rotating=eta_options.rotating)
    reach = _reach_pairs(legs, sites, demand, network.promise.one_hour_s)
    reach = sparse.csr_matrix(reach.multiply(keep[:, None] & ~base_covered[None, :]), dtype=bool)
    reach.eliminate_zeros()  # the product stores the entries it zeroed
    groups = [g for g in colour_groups(reach) if reach[g].nnz]
    parts: list[tuple[NDArray[np.intp], ...]] = []
    times: list[NDArray[np.float64]] = []
    leg_parts: list[NDArray[np.float64]] = []
    covered_flags: list[NDArray[np.bool_]] = []
    hubs = len(stock)
    for group in groups:
        sub = reach[group].tocoo()
        member, point = group[sub.row], sub.col  # each point once: the group's reaches are disjoint
        net = dataclasses.replace(universe, extra_sites=tuple(sites[i] for i in group))
        eta = eta_to_places(
            net,
            demand.lat_deg[point],
            demand.lon_deg[point],
            origins=stock,
            parcel=parcel,
            options=eta_options,
        )
        row, best = eta.best_over_origins()
        columns = np.arange(point.size)
        destination = eta.destination_index[row, columns]
        via_member = destination == hubs + sub.row  # the kernel landed at this candidate
        within = eta.within(hour_min)[row, columns]
        parts.append((member[via_member], point[via_member]))
        times.append(best[via_member])
        covered_flags.append(within[via_member])
        leg_parts.append(
            np.column_stack(
                [np.asarray(getattr(eta.legs, name))[row, columns] for name in LEG_NAMES]
            )[via_member]
        )
    pair_candidate = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.intp)
    pair_point = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.intp)
    pair_time = np.concatenate(times) if times else np.zeros(0)
    pair_covered = np.concatenate(covered_flags) if covered_flags else np.zeros(0, bool)
    pair_legs = np.concatenate(leg_parts) if leg_parts else np.zeros((0, len(LEG_NAMES)))
    covers = sparse.csr_matrix(
        (
            np.ones(int(pair_covered.sum()), dtype=bool),
            (pair_candidate[pair_covered], pair_point[pair_covered]),
        ),
        shape=(len(candidates), len(demand)),
    )
    return CoverageMatrix(
        network=network,
        stock_hubs=stock,
        demand=demand,
        candidates=candidates,
        base_covered=base_covered,
        covers=covers,
        pair_candidate=pair_candidate,
        pair_point=pair_point,
        pair_time_s=pair_time,
        pair_legs_s=pair_legs,
        groups=len(groups),
    )
