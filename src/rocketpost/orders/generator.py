"""Synthetic days of orders: real cities, local-time demand, parcels and freight, all vectorised.

A generated day is what the planner is benchmarked and demonstrated on, so each ingredient is a
documented distribution rather than uniform noise. Every draw goes through the ``rng`` passed in
and no draw depends on wall time or dictionary order: the same seed gives the same tables, and
:func:`~rocketpost.orders.io.write_orders` turns them into the same bytes.

Ingredients (details and sources in ``docs/orders.md``)
--------------------------------------------------------
* **Where.** A city is drawn with probability ∝ its GeoNames population
  (:func:`rocketpost.world.cities.load_cities`, cities ≥ 15,000 people), then the delivery
  point is scattered around the city centre with a 2-D normal of standard deviation
  ``σ = clip(2 km × sqrt(population / 1 M), 0.5 km, 8 km)`` per axis: urban area grows
  roughly with population, so the radius with its square root (a 1 M city: σ = 2 km, ~95 % of
  points within ~5 km; a village of 15,000: 0.5 km). Points that land in the sea are redrawn up
  to four times, then fall back to the city centre (``keep_on_land``).
* **When.** The day is the *local* calendar day at the destination. The time of day follows a
  mixture on the 24-hour circle — B2C: 25 % flat, 8 % N(9:00, 1.2 h) morning, 27 %
  N(12:30, 1.25 h) lunch, 40 % N(20:45, 1.75 h) evening (a double peak, trough before dawn at
  ~9 % of the evening peak); B2B: 6 % flat, 54 % N(10:30, 1.5 h), 40 % N(14:45, 1.5 h) office
  hours. Local time becomes UTC with each time zone's offset at local noon of that day
  (zoneinfo, computed once per distinct zone, not per order). The shape is an assumption in
  line with the usual lunch and evening peaks of online retail; it is a parameter-free default,
  not fitted data.
* **What (B2C).** ``1 + Poisson(0.5)`` lines (≤ 5), ``1 + Poisson(0.25)`` units per line
  (≤ 9), products from ``data/catalogue.csv`` by popularity weight; each unit's mass and volume
  is the product's typical packed figure × a shared log-normal size factor (σ = 0.25) × its own
  small log-normal noise (σ = 0.1): a mixture of log-normals whose order totals have median
  ≈ 0.9 kg and ≈ 6 dm³ (measured in ``docs/orders.md``). Apparel and shoes travel in mailers
  and boxes much larger than their contents (80–110 kg/m³, against ~150 kg/m³ for the whole
  mix and a rocket's payload mass per payload volume), so light parcels fill volume first.
  Prices: the product's USD price × log-normal (σ = 0.35) in the merchant's currency (fixed
  indicative rates), rounded to the currency's minor unit.
* **Dangerous goods.** A share ``dangerous_goods_share`` (default 1 %) of B2C lines are the
  catalogue's dangerous goods: class 9 lithium-ion batteries shipped alone (power banks, e-bike
  batteries; UN3480) and class 3 perfumery (UN1266), by their weights: ≈ 1 % of B2C orders
  carry class 9.
* **B2B freight** (``b2b_share`` of orders, default 2 %). Pallet freight: ``1 + Poisson(0.5)``
  lines (≤ 3) of ``1 + Poisson(2)`` pallets (≤ 16); a pallet is 1.0–2.0 m³ (a 1.2 × 0.8 m
  Euro pallet loaded 1–2 m high) of goods at the product's density × 0.85 stacking efficiency
  plus 25 kg of pallet, capped at 1,000 kg (dense goods are stacked lower), i.e. ~100–1,000 kg.
  A share ``full_load_share`` (15 %) are rocket loads: one product, as many pallets as make up a
  target drawn uniformly between 30 % of the rocket's payload mass and all of it, without
  exceeding its payload mass or volume (the rocket passed in, by default the default network's).
  Values: the product's USD value per kg × goods mass × 0.6 (wholesale), in USD, EUR or CNY.
* **Export backhaul.** With ``backhaul_origins`` (hub id → country), a share
  ``backhaul_share`` of B2B orders are exports tendered at one of those hubs (``origin_hub``
  set): products that country is known to export (``export_countries`` in the catalogue), to a
  city of ``backhaul_markets`` (default China and the US) drawn by population, never in the
  hub's own country. They fill rockets that would otherwise fly home empty.
* **Who.** 20,000 B2C merchants with Zipf-like popularity (weight ∝ rank^-1.07), 2,000 B2B
  suppliers (exporters are ``B<country><n>``); a merchant's currency is a fixed function of its
  number. 3 % of B2C orders (``repeat_recipient_share``) come from someone who already ordered
  that day (same recipient id and address), which customs rules such as Korea's same-day sum
  need.

Orders come out sorted by ``created_at``; ids are ``O<yyyymmdd>-<sequence>`` in that order.

The parts: :mod:`~rocketpost.orders.demand` (where and when),
:mod:`~rocketpost.orders.basket` (what), :mod:`~rocketpost.orders.catalogue` (the products),
:mod:`~rocketpost.orders.draws` (vectorised draws); this module draws who and assembles the day.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import RocketClass, default_network
from rocketpost.orders.basket import OrderKinds, draw_items
from rocketpost.orders.catalogue import load_catalogue
from rocketpost.orders.demand import (
    B2B_CURVE,
    B2C_CURVE,
    SECONDS_PER_HOUR,
    CityArrays,
    CityColumns,
    hours_of_day,
    scatter,
)
from rocketpost.orders.draws import numbered, pick
from rocketpost.orders.table import ItemTable, OrderTable, concat_orders
from rocketpost.paramfile import FromFile

__all__ = [
    "GENERATOR_STAGES",
    "GeneratorParams",
    "describe",
    "generate_days",
    "generate_orders",
]

GENERATOR_STAGES: tuple[str, ...] = ("destinations", "times", "items", "tables")
"""Stages reported to ``progress``, in order."""


_B2C_CURRENCY_SHARES = (
    ("CNY", 0.45),
    ("USD", 0.25),
    ("EUR", 0.12),
    ("KRW", 0.06),
    ("JPY", 0.06),
    ("GBP", 0.06),
)
_B2B_CURRENCY_SHARES = (("USD", 0.70), ("EUR", 0.20), ("CNY", 0.10))
_EURO_AREA = frozenset(
    ("AT", "BE", "HR", "CY", "EE", "FI", "FR", "DE", "GR", "IE", "IT", "LV", "LT", "LU")
).union(("MT", "NL", "PT", "SK", "SI", "ES"))

_N_B2C_MERCHANTS = 20_000
_N_B2B_MERCHANTS = 2_000
_N_EXPORTERS_PER_COUNTRY = 200

_ZIPF_WEIGHTS = np.arange(1, _N_B2C_MERCHANTS + 1, dtype=np.float64) ** -1.07


def _merchant_currency(
    numbers: NDArray[np.int64], shares: tuple[tuple[str, float], ...]
) -> NDArray[np.str_]:
    """A merchant's currency as a fixed function of its number (stable across days and seeds)."""
    codes = np.array([c for c, _ in shares])
    weights = np.array([w for _, w in shares])
    hashed = (numbers.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1 << 32)
    return codes[pick(weights, hashed.astype(np.float64) / float(1 << 32))]


# --------------------------------------------------------------------------------------------
# the generator


@dataclass(frozen=True)
class GeneratorParams(FromFile):
    """The mix of a generated day (see the module doc), in PyVRP's ``SolveParams`` style.

    Immutable and validated; variants by :func:`dataclasses.replace`; loadable from TOML with
    ``GeneratorParams.from_file(path)`` (``rocketpost orders generate --params FILE``)::

        b2b_share = 0.05
        backhaul_markets = ["CN", "US"]
        [backhaul_origins]
        ICN = "KR"

    Parameters
    ----------
    b2b_share
        Share of orders that are B2B freight.
    full_load_share
        Share of B2B orders that are rocket loads (30–100 % of the rocket's payload mass) rather
        than a few pallets.
    backhaul_origins
        Hub id → ISO country of hubs in export markets (e.g. ``{"ICN": "KR", "FRA": "DE"}``);
        empty: no backhaul.
    backhaul_share
        Share of B2B orders that are export backhaul (when there are origins).
    backhaul_markets
        Countries that backhaul freight is bound for.
    dangerous_goods_share
        Share of B2C lines that are dangerous goods (lithium batteries, perfume).
    repeat_recipient_share
        Share of B2C orders from a recipient who already ordered that day.
    keep_on_land
        Redraw scattered points that fall in the sea (GLOBE land mask).
    """

    b2b_share: float = 0.02
    full_load_share: float = 0.15
    backhaul_origins: Mapping[str, str] = field(default_factory=dict)
    backhaul_share: float = 0.3
    backhaul_markets: tuple[str, ...] = ("CN", "US")
    dangerous_goods_share: float = 0.01
    repeat_recipient_share: float = 0.03
    keep_on_land: bool = True

    def __post_init__(self) -> None:
        for name in (
            "b2b_share",
            "full_load_share",
            "backhaul_share",
            "dangerous_goods_share",
            "repeat_recipient_share",
        ):
            share = getattr(self, name)
            if not (
                isinstance(share, int | float)
                and not isinstance(share, bool)
                and 0.0 <= share <= 1.0
            ):
                raise InputError(name, share, "must be a share in [0, 1]")
        # Frozen means frozen: a caller's dict or list cannot change the parameters later.
        object.__setattr__(self, "backhaul_origins", dict(self.backhaul_origins or {}))
        object.__setattr__(self, "backhaul_markets", tuple(self.backhaul_markets))


_DEFAULT_PARAMS = GeneratorParams()


def generate_orders(
    n: int,
    params: GeneratorParams = _DEFAULT_PARAMS,
    *,
    day: date,
    rng: np.random.Generator,
    cities: CityArrays | None = None,
    rocket: RocketClass | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[OrderTable, ItemTable]:
    """A synthetic day of ``n`` orders (B2C parcels and B2B freight); see the module doc.

    Parameters
    ----------
    n
        Number of orders (≥ 0).
    params
        The mix of the day: shares of B2B, rocket loads, backhaul, dangerous goods, repeat
        recipients (:class:`GeneratorParams`).
    day
        Local calendar day of the orders at their destinations (UTC times span ~50 h).
    rng
        The only source of randomness: same seed, same tables.
    cities
        Destination cities; default :func:`rocketpost.world.cities.load_cities` (≥ 15,000
        people).
    rocket
        The rocket class that flies the freight: rocket loads are sized to its payload mass and
        volume. Default: the rocket of :func:`rocketpost.network.default_network`.
    progress
        Called with each stage name of :data:`GENERATOR_STAGES` as it starts.

    Raises
    ------
    InputError
        Naming the parameter: negative ``n``, a backhaul country with no city in the markets,
        an empty city table (a share outside [0, 1] fails in :class:`GeneratorParams`).
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError("n", n, "must be a whole number ≥ 0")
    b2b_share, full_load_share = params.b2b_share, params.full_load_share
    backhaul_share, backhaul_markets = params.backhaul_share, params.backhaul_markets
    repeat_recipient_share, keep_on_land = params.repeat_recipient_share, params.keep_on_land
    dangerous_goods_share = params.dangerous_goods_share
    backhaul_origins = params.backhaul_origins
    n = int(n)
    report = progress or (lambda stage: None)
    catalogue = load_catalogue()
    if cities is None:
        from rocketpost.world.cities import load_cities

        cities = load_cities()
    city = CityColumns.of(cities)
    origins = dict(backhaul_origins or {})
    rocket = rocket or default_network().rocket

    # -- who and where ---------------------------------------------------------------------
    report("destinations")
    is_b2b = rng.random(n) < b2b_share
    backhaul = is_b2b & (rng.random(n) < backhaul_share) if origins else np.zeros(n, dtype=bool)
    full_load = is_b2b & (rng.random(n) < full_load_share)

    city_index = pick(city.population, rng.random(n))
    origin_hub = np.full(n, "", dtype=object)
    origin_country = np.full(n, "", dtype="<U2")
    if backhaul.any():
        hub_ids = np.array(sorted(origins))
        hub_country = np.array([str(origins[h]).upper() for h in hub_ids])
        rows = np.flatnonzero(backhaul)
        chosen = rng.integers(0, len(hub_ids), size=len(rows))
        origin_hub[rows] = hub_ids[chosen]
        origin_country[rows] = hub_country[chosen]
        markets = np.array(sorted({str(m).upper() for m in backhaul_markets}))
        for country in np.unique(hub_country[chosen]).tolist():
            allowed = np.isin(city.country, markets) & (city.country != country)
            if not allowed.any():
                raise InputError(
                    "backhaul_markets", sorted(markets), f"has no city outside {country}"
                )
            candidates = np.flatnonzero(allowed)
            mine = rows[hub_country[chosen] == country]
            city_index[mine] = candidates[pick(city.population[candidates], rng.random(len(mine)))]

    lat, lon = scatter(city, city_index, rng, keep_on_land)
    recipient_number = rng.integers(0, 1_000_000_000, size=n)
    b2c_rows = np.flatnonzero(~is_b2b)
    n_repeat = round(repeat_recipient_share * len(b2c_rows))
    if n_repeat and len(b2c_rows) > 1:
        repeat = rng.choice(b2c_rows, size=n_repeat, replace=False)
        source = b2c_rows[rng.integers(0, len(b2c_rows), size=n_repeat)]
        recipient_number[repeat] = recipient_number[source]
        lat[repeat], lon[repeat] = lat[source], lon[source]
        city_index[repeat] = city_index[source]

    # -- when ----------------------------------------------------------------------------------
    report("times")
    hours = np.where(is_b2b, hours_of_day(B2B_CURVE, n, rng), hours_of_day(B2C_CURVE, n, rng))
    local_midnight = int(datetime.combine(day, time(0), tzinfo=UTC).timestamp())
    offsets = city.utc_offset_s(day)[city_index]
    created_s = local_midnight + np.floor(hours * SECONDS_PER_HOUR).astype(np.int64) - offsets
    order = np.argsort(created_s, kind="stable")
    created_s, is_b2b, backhaul, full_load = (
        created_s[order],
        is_b2b[order],
        backhaul[order],
        full_load[order],
    )
    city_index, lat, lon = city_index[order], lat[order], lon[order]
    recipient_number, origin_hub, origin_country = (
        recipient_number[order],
        origin_hub[order],
        origin_country[order],
    )

    # -- what ----------------------------------------------------------------------------------
    report("items")
    merchant_number = np.where(
        is_b2b,
        rng.integers(0, _N_B2B_MERCHANTS, size=n),
        pick(_ZIPF_WEIGHTS, rng.random(n)),
    )
    currency = np.where(
        is_b2b,
        _merchant_currency(merchant_number + 7_919, _B2B_CURRENCY_SHARES),
        _merchant_currency(merchant_number, _B2C_CURRENCY_SHARES),
    )
    euro_origin = np.isin(origin_country, sorted(_EURO_AREA))
    currency = np.where(backhaul, np.where(euro_origin, "EUR", "USD"), currency)
    items = draw_items(
        catalogue,
        rng,
        OrderKinds(is_b2b, full_load, backhaul, origin_country, currency),
        dangerous_goods_share=dangerous_goods_share,
        rocket=rocket,
    )

    # -- tables ------------------------------------------------------------------------------
    report("tables")
    width = max(7, len(str(max(n - 1, 0))))
    exporter = np.strings.add(
        np.strings.add("B", origin_country),
        numbered("", merchant_number % _N_EXPORTERS_PER_COUNTRY, 3),
    )
    merchant_id = np.where(
        backhaul,
        exporter,
        np.where(is_b2b, numbered("B", merchant_number, 4), numbered("M", merchant_number, 5)),
    )
    orders = OrderTable.from_items(
        items,
        order_id=numbered(f"O{day:%Y%m%d}-", np.arange(n, dtype=np.int64), width),
        merchant_id=merchant_id,
        channel=np.where(is_b2b, "b2b", "b2c"),
        created_at=created_s.astype("datetime64[s]"),
        destination_lat_deg=lat,
        destination_lon_deg=lon,
        destination_country=city.country[city_index],
        recipient_id=numbered("R", recipient_number, 9),
        origin_hub=origin_hub.astype(str) if n else np.zeros(0, "<U1"),
    )
    return orders, items


def describe(orders: OrderTable) -> dict[str, float]:
    """A few summary figures of a generated day (used by the docs and the benchmark)."""
    b2c = ~orders.is_b2b
    return {
        "orders": float(len(orders)),
        "b2b_share": float(orders.is_b2b.mean()) if len(orders) else math.nan,
        "b2c_median_kg": float(np.median(orders.mass_kg[b2c])) if b2c.any() else math.nan,
        "b2c_median_dm3": float(np.median(orders.volume_m3[b2c]) * 1000) if b2c.any() else math.nan,
        "dangerous_goods_share": float(orders.has_dangerous_goods.mean())
        if len(orders)
        else math.nan,
    }


def generate_days(
    n: int,
    params: GeneratorParams = _DEFAULT_PARAMS,
    *,
    first_day: date,
    days: int,
    seed: int,
    cities: CityArrays | None = None,
    rocket: RocketClass | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[OrderTable, ItemTable]:
    """``days`` consecutive days of ``n`` orders each (:func:`generate_orders`), one table.

    Day ``k`` draws from a stream of its own: day 0 from ``default_rng(seed)``, so it is the
    one-day file of the same seed, day ``k`` from ``default_rng([seed, k])``. Order ids carry
    their day (``O20261126-…``), so they never repeat; recipients do, as people order again.
    """
    if isinstance(days, bool) or not isinstance(days, int | np.integer) or days < 1:
        raise InputError("days", days, "must be a whole number ≥ 1")
    if (date.max - first_day).days < int(days) - 1:
        raise InputError("days", days, f"runs past the last date there is from {first_day}")
    if cities is None:
        from rocketpost.world.cities import load_cities

        cities = load_cities()
    parts = []
    for k in range(int(days)):
        rng = np.random.default_rng(seed if k == 0 else [seed, k])
        day = first_day + timedelta(days=k)
        parts.append(
            generate_orders(
                n, params, day=day, rng=rng, cities=cities, rocket=rocket, progress=progress
            )
        )
    return concat_orders(parts)
