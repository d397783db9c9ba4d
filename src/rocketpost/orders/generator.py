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
  mix and 83 kg/m³ for a full hold), so light parcels fill volume first.
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
  target drawn uniformly in 3–10 t, without exceeding 10,000 kg or 120 m³. Values: the
  product's USD value per kg × goods mass × 0.6 (wholesale), in USD, EUR or CNY.
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
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from importlib import resources
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.orders.table import MICROS_PER_UNIT, ItemTable, OrderTable

__all__ = [
    "GENERATOR_STAGES",
    "Catalogue",
    "CityArrays",
    "describe",
    "generate_orders",
    "load_catalogue",
]

GENERATOR_STAGES: tuple[str, ...] = ("destinations", "times", "items", "tables")
"""Stages reported to ``progress``, in order."""

_KM_PER_DEG = 111.195  # mean-radius sphere: 6371.0 km × π / 180
_ROCKET_KG = 10_000.0
_ROCKET_M3 = 120.0

# (weight, mean hour, sd hours); sd 0 = flat over the day.
_B2C_CURVE = ((0.25, 12.0, 0.0), (0.08, 9.0, 1.2), (0.27, 12.5, 1.25), (0.40, 20.75, 1.75))
_B2B_CURVE = ((0.06, 12.0, 0.0), (0.54, 10.5, 1.5), (0.40, 14.75, 1.5))

# Indicative units per USD (2025 order of magnitude): the generator needs plausible prices in
# each currency, not a rate to settle with; customs converts with its own rates.
_FX: dict[str, tuple[float, int]] = {
    "USD": (1.0, 2),
    "CNY": (7.2, 2),
    "EUR": (0.92, 2),
    "KRW": (1380.0, 0),
    "JPY": (150.0, 0),
    "GBP": (0.79, 2),
}
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
_SKU_VARIANTS = 20
_ZIPF_WEIGHTS = np.arange(1, _N_B2C_MERCHANTS + 1, dtype=np.float64) ** -1.07


class CityArrays(Protocol):
    """The columns of :class:`rocketpost.world.cities.CityTable` the generator reads."""

    @property
    def country_code(self) -> NDArray[Any]: ...

    @property
    def lat_deg(self) -> NDArray[np.float64]: ...

    @property
    def lon_deg(self) -> NDArray[np.float64]: ...

    @property
    def population(self) -> NDArray[np.int64]: ...

    @property
    def timezone(self) -> NDArray[Any]: ...


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Products of ``data/catalogue.csv`` as columns (see the file's header comment)."""

    sku: NDArray[np.str_]
    description: NDArray[np.str_]
    hs_code: NDArray[np.str_]
    unit_mass_kg: NDArray[np.float64]
    unit_volume_m3: NDArray[np.float64]
    unit_value_usd: NDArray[np.float64]
    b2c_weight: NDArray[np.float64]
    b2b_weight: NDArray[np.float64]
    dangerous_goods_class: NDArray[np.str_]
    export_countries: tuple[frozenset[str], ...]

    def __len__(self) -> int:
        return len(self.sku)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged product catalogue (cached)."""
    text = resources.files("rocketpost.orders").joinpath("data/catalogue.csv").read_text("utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return Catalogue(
        sku=np.array([r["sku"] for r in rows]),
        description=np.array([r["description"] for r in rows]),
        hs_code=np.array([r["hs_code"] for r in rows]),
        unit_mass_kg=np.array([float(r["unit_mass_kg"]) for r in rows]),
        unit_volume_m3=np.array([float(r["unit_volume_m3"]) for r in rows]),
        unit_value_usd=np.array([float(r["unit_value_usd"]) for r in rows]),
        b2c_weight=np.array([float(r["b2c_weight"]) for r in rows]),
        b2b_weight=np.array([float(r["b2b_weight"]) for r in rows]),
        dangerous_goods_class=np.array([r["dangerous_goods_class"] for r in rows]),
        export_countries=tuple(
            frozenset(c for c in r["export_countries"].split(";") if c) for r in rows
        ),
    )


# --------------------------------------------------------------------------------------------
# small vectorised helpers


def _numbered(prefix: str, numbers: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """``prefix`` + zero-padded decimal numbers, built as bytes (no per-row Python)."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out[:, len(head) :] = (numbers[:, None] // powers) % 10 + 48
    return out.view(f"S{out.shape[1]}").ravel().astype(f"U{out.shape[1]}")


def _pick(weights: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index drawn with probability ∝ ``weights`` for each uniform ``u`` (inverse CDF)."""
    cumulative = np.cumsum(weights)
    index = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    return np.minimum(index, len(weights) - 1).astype(np.int64)


def _hours_of_day(
    curve: tuple[tuple[float, float, float], ...], n: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    weights = np.array([c[0] for c in curve])
    mean = np.array([c[1] for c in curve])
    sd = np.array([c[2] for c in curve])
    component = _pick(weights, rng.random(n))
    flat = sd[component] == 0
    hours = mean[component] + sd[component] * rng.standard_normal(n)
    hours = np.where(flat, rng.random(n) * 24.0, hours)
    return np.mod(hours, 24.0)


def _utc_offsets_s(
    timezones: NDArray[np.str_], longitudes: NDArray[np.float64], day: date
) -> NDArray[np.int64]:
    """UTC offset of each zone at local noon of ``day``, one zoneinfo call per distinct zone.

    An unknown or empty zone falls back to the nautical offset of the longitude (15° per hour).
    """
    names, inverse = np.unique(timezones, return_inverse=True)
    offsets = np.zeros(len(names), dtype=np.int64)
    fallback = np.zeros(len(names), dtype=bool)
    noon = datetime.combine(day, time(12))
    for k, name in enumerate(names.tolist()):
        try:
            delta = noon.replace(tzinfo=ZoneInfo(name)).utcoffset() if name else None
        except (ZoneInfoNotFoundError, ValueError):
            delta = None
        if delta is None:
            fallback[k] = True
        else:
            offsets[k] = int(delta.total_seconds())
    result = offsets[inverse]
    nautical = np.round(longitudes / 15.0).astype(np.int64) * 3600
    return np.where(fallback[inverse], nautical, result)


def _merchant_currency(
    numbers: NDArray[np.int64], shares: tuple[tuple[str, float], ...]
) -> NDArray[np.str_]:
    """A merchant's currency as a fixed function of its number (stable across days and seeds)."""
    codes = np.array([c for c, _ in shares])
    weights = np.array([w for _, w in shares])
    hashed = (numbers.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(1 << 32)
    return codes[_pick(weights, hashed.astype(np.float64) / float(1 << 32))]


def _to_micros(amount: NDArray[np.float64], currency: NDArray[np.str_]) -> NDArray[np.int64]:
    """Amounts rounded to each currency's minor unit, as exact micros (at least one minor unit)."""
    decimals = np.zeros(len(currency), dtype=np.int64)
    for code, (_, places) in _FX.items():
        decimals[currency == code] = places
    scale = 10.0**decimals
    minor = np.maximum(np.round(amount * scale), 1).astype(np.int64)
    return minor * (MICROS_PER_UNIT // (10**decimals))


def _fx(currency: NDArray[np.str_]) -> NDArray[np.float64]:
    rate = np.ones(len(currency))
    for code, (per_usd, _) in _FX.items():
        rate[currency == code] = per_usd
    return rate


# --------------------------------------------------------------------------------------------
# the generator


def generate_orders(
    n: int,
    *,
    day: date,
    rng: np.random.Generator,
    cities: CityArrays | None = None,
    b2b_share: float = 0.02,
    full_load_share: float = 0.15,
    backhaul_origins: Mapping[str, str] | None = None,
    backhaul_share: float = 0.3,
    backhaul_markets: Collection[str] = ("CN", "US"),
    dangerous_goods_share: float = 0.01,
    repeat_recipient_share: float = 0.03,
    keep_on_land: bool = True,
    progress: Callable[[str], None] | None = None,
) -> tuple[OrderTable, ItemTable]:
    """A synthetic day of ``n`` orders (B2C parcels and B2B freight); see the module doc.

    Parameters
    ----------
    n
        Number of orders (≥ 0).
    day
        Local calendar day of the orders at their destinations (UTC times span ~50 h).
    rng
        The only source of randomness: same seed, same tables.
    cities
        Destination cities; default :func:`rocketpost.world.cities.load_cities` (≥ 15,000
        people).
    b2b_share
        Share of orders that are B2B freight.
    full_load_share
        Share of B2B orders that are rocket loads (3–10 t) rather than a few pallets.
    backhaul_origins
        Hub id → ISO country of hubs in export markets (e.g. ``{"ICN": "KR", "FRA": "DE"}``);
        empty or ``None``: no backhaul.
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
    progress
        Called with each stage name of :data:`GENERATOR_STAGES` as it starts.

    Raises
    ------
    InputError
        Naming the parameter: negative ``n``, a share outside [0, 1], a backhaul country with no
        city in the markets, an empty city table.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise InputError("n", n, "must be a whole number ≥ 0")
    for name, share in (
        ("b2b_share", b2b_share),
        ("full_load_share", full_load_share),
        ("backhaul_share", backhaul_share),
        ("dangerous_goods_share", dangerous_goods_share),
        ("repeat_recipient_share", repeat_recipient_share),
    ):
        if not (isinstance(share, int | float) and 0.0 <= share <= 1.0):
            raise InputError(name, share, "must be a share in [0, 1]")
    n = int(n)
    report = progress or (lambda stage: None)
    catalogue = load_catalogue()
    if cities is None:
        from rocketpost.world.cities import load_cities

        cities = load_cities()
    city = _CityColumns.of(cities)
    origins = dict(backhaul_origins or {})

    # -- who and where ---------------------------------------------------------------------
    report("destinations")
    is_b2b = rng.random(n) < b2b_share
    backhaul = is_b2b & (rng.random(n) < backhaul_share) if origins else np.zeros(n, dtype=bool)
    full_load = is_b2b & (rng.random(n) < full_load_share)

    city_index = _pick(city.population, rng.random(n))
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
            city_index[mine] = candidates[_pick(city.population[candidates], rng.random(len(mine)))]

    lat, lon = _scatter(city, city_index, rng, keep_on_land)
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
    hours = np.where(is_b2b, _hours_of_day(_B2B_CURVE, n, rng), _hours_of_day(_B2C_CURVE, n, rng))
    local_midnight = int(datetime.combine(day, time(0), tzinfo=UTC).timestamp())
    offsets = city.utc_offset_s(day)[city_index]
    created_s = local_midnight + np.floor(hours * 3600.0).astype(np.int64) - offsets
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
        _pick(_ZIPF_WEIGHTS, rng.random(n)),
    )
    currency = np.where(
        is_b2b,
        _merchant_currency(merchant_number + 7_919, _B2B_CURRENCY_SHARES),
        _merchant_currency(merchant_number, _B2C_CURRENCY_SHARES),
    )
    euro_origin = np.isin(origin_country, sorted(_EURO_AREA))
    currency = np.where(backhaul, np.where(euro_origin, "EUR", "USD"), currency)
    items = _items(
        catalogue, rng, is_b2b=is_b2b, full_load=full_load, backhaul=backhaul,
        origin_country=origin_country, currency=currency,
        dangerous_goods_share=dangerous_goods_share,
    )  # fmt: skip

    # -- tables ------------------------------------------------------------------------------
    report("tables")
    width = max(7, len(str(max(n - 1, 0))))
    exporter = np.strings.add(
        np.strings.add("B", origin_country),
        _numbered("", merchant_number % _N_EXPORTERS_PER_COUNTRY, 3),
    )
    merchant_id = np.where(
        backhaul,
        exporter,
        np.where(is_b2b, _numbered("B", merchant_number, 4), _numbered("M", merchant_number, 5)),
    )
    orders = OrderTable.from_items(
        items,
        order_id=_numbered(f"O{day:%Y%m%d}-", np.arange(n, dtype=np.int64), width),
        merchant_id=merchant_id,
        channel=np.where(is_b2b, "b2b", "b2c"),
        created_at=created_s.astype("datetime64[s]"),
        destination_lat_deg=lat,
        destination_lon_deg=lon,
        destination_country=city.country[city_index],
        recipient_id=_numbered("R", recipient_number, 9),
        origin_hub=origin_hub.astype(str) if n else np.zeros(0, "<U1"),
    )
    return orders, items


@dataclass(frozen=True, eq=False)
class _CityColumns:
    """The city columns in the types the generator computes with (converted once)."""

    country: NDArray[np.str_]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    population: NDArray[np.float64]
    timezone: NDArray[np.str_]

    @classmethod
    def of(cls, cities: CityArrays) -> _CityColumns:
        population = np.asarray(cities.population, dtype=np.float64)
        if len(population) == 0 or not (population > 0).any():
            raise InputError("cities", len(population), "need at least one populated city")
        return cls(
            country=np.asarray(cities.country_code).astype("<U2"),
            lat=np.asarray(cities.lat_deg, dtype=np.float64),
            lon=np.asarray(cities.lon_deg, dtype=np.float64),
            population=np.maximum(population, 0.0),
            timezone=np.asarray(cities.timezone).astype(str),
        )

    def utc_offset_s(self, day: date) -> NDArray[np.int64]:
        return _utc_offsets_s(self.timezone, self.lon, day)


def _scatter(
    city: _CityColumns, index: NDArray[np.int64], rng: np.random.Generator, keep_on_land: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Delivery points around the city centres (see the module doc for the radius)."""
    n = len(index)
    centre_lat, centre_lon = city.lat[index], city.lon[index]
    sigma_km = np.clip(2.0 * np.sqrt(city.population[index] / 1e6), 0.5, 8.0)
    lat = np.empty(n)
    lon = np.empty(n)
    todo = np.arange(n)
    is_land = _land_mask() if keep_on_land else None
    for attempt in range(5):
        if attempt == 4 or not len(todo):
            lat[todo], lon[todo] = centre_lat[todo], centre_lon[todo]
            break
        north, east = (sigma_km[todo, None] * rng.standard_normal((len(todo), 2))).T
        new_lat = np.clip(centre_lat[todo] + north / _KM_PER_DEG, -89.9, 89.9)
        cos_lat = np.maximum(np.cos(np.radians(new_lat)), 0.01)
        new_lon = np.mod(centre_lon[todo] + east / (_KM_PER_DEG * cos_lat) + 180.0, 360.0) - 180.0
        lat[todo], lon[todo] = new_lat, new_lon
        if is_land is None:
            break
        todo = todo[~is_land(new_lat, new_lon)]
    return np.round(lat, 6), np.round(lon, 6)


def _land_mask() -> Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.bool_]]:
    from rocketpost.world.landmask import is_land

    return is_land


def _items(
    catalogue: Catalogue,
    rng: np.random.Generator,
    *,
    is_b2b: NDArray[np.bool_],
    full_load: NDArray[np.bool_],
    backhaul: NDArray[np.bool_],
    origin_country: NDArray[np.str_],
    currency: NDArray[np.str_],
    dangerous_goods_share: float,
) -> ItemTable:
    n = len(is_b2b)
    lines = np.where(
        is_b2b,
        np.where(full_load, 1, 1 + np.minimum(rng.poisson(0.5, n), 2)),
        1 + np.minimum(rng.poisson(0.5, n), 4),
    )
    order_index = np.repeat(np.arange(n, dtype=np.int64), lines)
    m = len(order_index)
    line_b2b = is_b2b[order_index]
    line_full = full_load[order_index]
    line_backhaul = backhaul[order_index]

    # Products: B2C by popularity (dangerous goods at their own share), B2B by freight weight,
    # backhaul by what the hub's country exports.
    dg = catalogue.dangerous_goods_class != ""
    regular_b2c = np.where(dg, 0.0, catalogue.b2c_weight)
    dg_b2c = np.where(dg, catalogue.b2c_weight, 0.0)
    u = rng.random(m)
    wants_dg = rng.random(m) < dangerous_goods_share
    product = _pick(regular_b2c, u)
    if dg.any():
        product = np.where(wants_dg, _pick(dg_b2c, u), product)
    product = np.where(line_b2b, _pick(catalogue.b2b_weight, u), product)
    if line_backhaul.any():
        line_country = origin_country[order_index]
        for country in np.unique(line_country[line_backhaul]).tolist():
            exports = np.array([country in e for e in catalogue.export_countries])
            weights = np.where(exports, catalogue.b2b_weight, 0.0)
            if not weights.any():
                weights = catalogue.b2b_weight
            mine = line_backhaul & (line_country == country)
            product[mine] = _pick(weights, u[mine])

    # B2C units: typical packed size × shared size factor × small independent noise.
    size = rng.lognormal(0.0, 0.25, m)
    mass = catalogue.unit_mass_kg[product] * size * rng.lognormal(0.0, 0.1, m)
    volume = catalogue.unit_volume_m3[product] * size * rng.lognormal(0.0, 0.1, m)
    quantity = 1 + np.minimum(rng.poisson(0.25, m), 8)
    value_usd = catalogue.unit_value_usd[product] * rng.lognormal(0.0, 0.35, m)

    # B2B pallets: 1-2 m³ of goods at the product's density, stacked lower when dense.
    density = catalogue.unit_mass_kg[product] / catalogue.unit_volume_m3[product]
    pallet_m3 = rng.uniform(1.0, 2.0, m)
    goods_kg = 0.85 * density * pallet_m3
    heavy = goods_kg + 25.0 > 1000.0
    pallet_m3 = np.where(heavy, (1000.0 - 25.0) / (0.85 * density), pallet_m3)
    goods_kg = np.where(heavy, 975.0, goods_kg)
    pallet_kg = goods_kg + 25.0
    pallets = 1 + np.minimum(rng.poisson(2.0, m), 15)
    target_kg = rng.uniform(3_000.0, 10_000.0, m)
    fit = np.minimum(np.floor(_ROCKET_KG / pallet_kg), np.floor(_ROCKET_M3 / pallet_m3))
    full_pallets = np.clip(np.floor(target_kg / pallet_kg), 1, np.maximum(fit, 1))
    pallets = np.where(line_full, full_pallets, pallets).astype(np.int64)
    value_per_kg = catalogue.unit_value_usd[product] / catalogue.unit_mass_kg[product]
    pallet_value_usd = value_per_kg * goods_kg * 0.6 * rng.lognormal(0.0, 0.2, m)

    mass = np.where(line_b2b, np.round(pallet_kg, 1), np.maximum(np.round(mass, 3), 0.001))
    volume = np.where(line_b2b, np.round(pallet_m3, 3), np.maximum(np.round(volume, 6), 1e-5))
    quantity = np.where(line_b2b, pallets, quantity)
    line_currency = currency[order_index]
    value = np.where(line_b2b, pallet_value_usd, value_usd) * _fx(line_currency)

    variant = rng.integers(0, _SKU_VARIANTS, size=m)
    sku_table = np.strings.add(
        np.repeat(catalogue.sku, _SKU_VARIANTS),
        np.tile(_numbered("-", np.arange(_SKU_VARIANTS, dtype=np.int64), 2), len(catalogue)),
    )
    pallet_sku = np.strings.add(catalogue.sku, "-PAL")
    sku = np.where(line_b2b, pallet_sku[product], sku_table[product * _SKU_VARIANTS + variant])
    return ItemTable(
        order_index=order_index,
        sku=sku,
        description=catalogue.description[product],
        hs_code=catalogue.hs_code[product],
        quantity=quantity,
        unit_value_micros=_to_micros(value, line_currency),
        currency=line_currency,
        unit_mass_kg=mass,
        unit_volume_m3=volume,
        dangerous_goods_class=catalogue.dangerous_goods_class[product],
    )


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
