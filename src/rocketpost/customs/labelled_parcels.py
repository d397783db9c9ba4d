"""A seeded generator of labelled parcels, to evaluate screening against a known truth.

No public data set labels e-commerce parcels as counterfeit or empty, so screening is evaluated on
synthetic parcels whose labels are known by construction. The generator is documented so that
the numbers can be argued with:

* **Rates** (:class:`LabelRates`, defaults): counterfeit 2 %, empty box 0.5 %, undervalued 5 %,
  drawn independently (a parcel can carry several labels). For scale: Korea Customs recorded
  102,219 IP-infringement cases in 2024, 85 % in overseas direct purchases and 96 % shipped from
  China / Hong Kong (docs/architecture.md) — against well over 100 million direct-purchase
  parcels a year, i.e. well under 1 % caught; the 2 % rate assumes more fakes exist than are
  caught.
* **Sellers**: a few bad sellers ship most fakes. 4 % of sellers are bad and ship 70 % of the
  counterfeits; each seller has an inspection history (Poisson(3) past inspections; seizures
  Binomial with probability 0.05 + 2.5 × the seller's counterfeit rate, capped at 0.9).
* **Goods**: ~55 legitimate catalogue products across apparel, footwear, bags, watches, jewellery,
  cosmetics, phone accessories, electronics, toys, books, food and home goods (some genuine
  branded items at genuine prices), priced at catalogue price × lognormal(0, 0.25), 3 % of lines
  on sale at 40–70 %. 1–4 lines per parcel (1 + Poisson(0.4), capped).
* **Counterfeits**: one line replaced by a fake of a protected brand (~24 templates) at a fake
  price; described by brand 55 % (of which 15 % openly say "replica" / "AAA"), generically 30 %
  ("wrist watch"), and with an unrelated or vague description 15 % ("plastic toy", "gift");
  96 % shipped from CN/HK.
* **Undervalued**: every line declared at 5–35 % of its true value.
* **Empty box**: the scale reads packaging only, 0.05–0.30 kg. Legitimate parcels read declared
  mass × (1.02–1.10) + 0.03–0.20 kg, with scale noise N(0, 0.01 kg); 2 % of merchants' catalogue
  masses are off by a lognormal(0, 0.4) factor (the honest false positives).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.rules import same_customs_territory
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

__all__ = ["LabelRates", "LabelledParcels", "generate_parcels"]

# (description, HS code, catalogue price USD, unit mass kg)
_CATALOGUE: tuple[tuple[str, int, float, float], ...] = (
    ("cotton T-shirt", 610910, 18, 0.2),
    ("women's knit dress", 610443, 40, 0.35),
    ("men's cotton shirt", 620520, 35, 0.3),
    ("denim jeans", 620342, 45, 0.7),
    ("hoodie", 611030, 35, 0.6),
    ("wool sweater", 611011, 60, 0.5),
    ("sports socks 3 pairs", 611596, 9, 0.15),
    ("down jacket", 620140, 120, 1.0),
    ("silk scarf", 621410, 30, 0.1),
    ("baseball cap", 650500, 15, 0.12),
    ("running shoes", 640411, 70, 0.8),
    ("leather boots", 640391, 110, 1.3),
    ("flip flops", 640220, 20, 0.3),
    ("canvas backpack", 420292, 45, 0.7),
    ("leather wallet", 420231, 50, 0.15),
    ("nylon handbag", 420222, 40, 0.5),
    ("quartz wrist watch", 910211, 70, 0.15),
    ("silver necklace", 711311, 80, 0.05),
    ("fashion earrings", 711719, 14, 0.03),
    ("hydrating face cream", 330499, 30, 0.15),
    ("lipstick", 330410, 18, 0.05),
    ("eau de parfum 50ml", 330300, 55, 0.3),
    ("shampoo", 330510, 12, 0.4),
    ("USB-C charging cable", 854442, 9, 0.05),
    ("wireless earbuds", 851830, 45, 0.1),
    ("20W phone charger", 850440, 18, 0.08),
    ("power bank 10000mAh", 850760, 30, 0.25),
    ("silicone phone case", 392690, 10, 0.05),
    ("tempered glass screen protector", 700719, 8, 0.03),
    ("laptop 14 inch", 847130, 700, 1.6),
    ("wireless mouse", 847160, 20, 0.1),
    ("smartphone", 851713, 400, 0.25),
    ("smartwatch", 851762, 120, 0.08),
    ("portable SSD 1TB", 847170, 80, 0.06),
    ("27 inch monitor", 852852, 200, 5.0),
    ("building blocks set", 950300, 30, 0.6),
    ("plush toy", 950300, 15, 0.3),
    ("board game", 950490, 30, 0.9),
    ("paperback novel", 490199, 15, 0.4),
    ("manga volume", 490199, 10, 0.2),
    ("green tea 100g", 90210, 12, 0.15),
    ("vitamin C supplement", 210690, 20, 0.2),
    ("dark chocolate bar", 180632, 5, 0.1),
    ("ground coffee 250g", 90121, 12, 0.3),
    ("ceramic mug", 691200, 12, 0.4),
    ("cotton bath towel", 630260, 20, 0.5),
    ("LED desk lamp", 940521, 35, 0.9),
    ("sunglasses", 900410, 40, 0.05),
    ("Nike Air Max sneakers", 640411, 130, 0.9),
    ("Apple AirPods Pro", 851830, 229, 0.1),
    ("Adidas football jersey", 611030, 90, 0.25),
    ("Samsung Galaxy smartphone", 851713, 700, 0.25),
    ("Lego Technic set", 950300, 60, 1.0),
    ("Dior lipstick", 330410, 45, 0.05),
    ("Ray-Ban sunglasses", 900410, 160, 0.1),
)

# (branded description, generic description, HS code, fake price USD, unit mass kg)
_FAKES: tuple[tuple[str, str, int, float, float], ...] = (
    ("Rolex Submariner watch", "wrist watch", 910221, 45, 0.2),
    ("Omega Seamaster watch", "wrist watch", 910221, 40, 0.2),
    ("Louis Vuitton Neverfull handbag", "handbag", 420221, 60, 0.8),
    ("Gucci Marmont shoulder bag", "shoulder bag", 420221, 55, 0.7),
    ("Chanel classic flap bag", "leather bag", 420221, 70, 0.8),
    ("Nike Air Jordan 1 sneakers", "sneakers", 640411, 25, 0.9),
    ("Adidas Yeezy Boost 350", "sports shoes", 640411, 25, 0.9),
    ("Apple AirPods Pro", "wireless earbuds", 851830, 12, 0.1),
    ("Beats Studio headphones", "headphones", 851830, 15, 0.3),
    ("Chanel No 5 perfume 100ml", "perfume 100ml", 330300, 15, 0.4),
    ("Dior Sauvage eau de toilette", "eau de toilette", 330300, 14, 0.35),
    ("SK-II facial treatment essence", "facial essence", 330499, 10, 0.3),
    ("Ray-Ban Wayfarer sunglasses", "sunglasses", 900410, 8, 0.1),
    ("Canada Goose parka", "down parka", 620140, 90, 1.5),
    ("Moncler down jacket", "down jacket", 620140, 80, 1.2),
    ("Labubu blind box figure", "vinyl figure toy", 950300, 4, 0.2),
    ("Pandora charm bracelet", "charm bracelet", 711719, 5, 0.05),
    ("Apple 20W USB-C charger", "phone charger", 850440, 3, 0.08),
    ("Samsung Galaxy Watch", "smartwatch", 851762, 20, 0.1),
    ("Supreme box logo hoodie", "hoodie", 611030, 15, 0.6),
    ("Michael Kors tote bag", "tote bag", 420222, 25, 0.6),
    ("Burberry check scarf", "check scarf", 621420, 12, 0.15),
    ("Cartier Love bracelet", "bracelet", 711719, 12, 0.05),
    ("Prada nylon backpack", "backpack", 420292, 35, 0.7),
)

_DISGUISES = ("plastic toy", "ceramic mug", "gift", "sample", "accessories", "stickers")
_CUES = ("replica", "AAA", "1:1")
_DESTINATIONS = (("KR", 0.25), ("US", 0.20), ("CN", 0.15), ("JP", 0.10), ("GB", 0.10),
                 ("DE", 0.10), ("FR", 0.05), ("PT", 0.05))  # fmt: skip
_ORIGINS = (("CN", 0.55), ("HK", 0.10), ("KR", 0.10), ("US", 0.10), ("JP", 0.05),
            ("DE", 0.05), ("GB", 0.05))  # fmt: skip


@dataclass(frozen=True)
class LabelRates:
    """Share of parcels carrying each label (independent draws)."""

    counterfeit: float = 0.02
    empty_box: float = 0.005
    undervalued: float = 0.05

    def __post_init__(self) -> None:
        for name in ("counterfeit", "empty_box", "undervalued"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                raise InputError(name, value, "must be a rate in [0, 1]")


@dataclass(frozen=True, eq=False)
class LabelledParcels:
    """A generated batch with its ground truth.

    Parameters
    ----------
    batch
        The parcels, scanned masses included.
    labels
        Label (``"counterfeit"``, ``"empty_box"``, ``"undervalued"``) → (n,) bool.
    trust
        The sellers' inspection histories.
    rates
        The rates they were drawn with.
    """

    batch: ParcelBatch
    labels: Mapping[str, np.ndarray]
    trust: SellerTrust
    rates: LabelRates


def generate_parcels(
    n: int,
    rng: np.random.Generator,
    *,
    rates: LabelRates | None = None,
    n_sellers: int | None = None,
    start: date = date(2025, 9, 1),
    days: int = 7,
) -> LabelledParcels:
    """Generate ``n`` labelled parcels (vectorised; deterministic for a given ``rng`` state).

    Parameters
    ----------
    n
        Number of parcels, ≥ 1.
    rng
        The only source of randomness.
    rates
        Label rates (default :class:`LabelRates`).
    n_sellers
        Number of sellers (default ``max(20, n // 50)``).
    start, days
        Import dates are spread uniformly over ``days`` days from ``start``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError("n", n, "must be a whole number ≥ 1")
    if not isinstance(rng, np.random.Generator):
        raise InputError("rng", rng, "must be a numpy.random.Generator")
    if days < 1:
        raise InputError("days", days, "must be ≥ 1")
    rates = rates or LabelRates()
    n = int(n)
    n_sellers = int(n_sellers) if n_sellers is not None else max(20, n // 50)
    if n_sellers < 1:
        raise InputError("n_sellers", n_sellers, "must be ≥ 1")

    # Sellers: lognormal volumes, a few bad ones shipping most counterfeits.
    volume = rng.lognormal(0.0, 1.0, n_sellers)
    volume /= volume.sum()
    seller = rng.choice(n_sellers, size=n, p=volume)
    bad = rng.random(n_sellers) < 0.04
    if not bad.any():
        bad[int(np.argmax(volume))] = True
    bad_share = float(volume[bad].sum())
    q_bad = min(0.9, 0.7 * rates.counterfeit / max(bad_share, 1e-9))
    q_good = max(0.0, (rates.counterfeit - bad_share * q_bad) / max(1.0 - bad_share, 1e-9))
    q = np.where(bad, q_bad, q_good)
    inspections = rng.poisson(3.0, n_sellers)
    seizures = rng.binomial(inspections, np.minimum(0.9, 0.05 + 2.5 * q))
    seller_ids = np.array([f"S{i:05d}" for i in range(n_sellers)], dtype=object)
    trust = SellerTrust.from_counts(seller_ids.tolist(), inspections.tolist(), seizures.tolist())

    counterfeit = rng.random(n) < q[seller]
    empty_box = rng.random(n) < rates.empty_box
    undervalued = rng.random(n) < rates.undervalued

    # Lines.
    n_lines = 1 + np.minimum(rng.poisson(0.4, n), 3)
    line_parcel = np.repeat(np.arange(n), n_lines)
    m = len(line_parcel)
    starts = np.concatenate([[0], np.cumsum(n_lines)[:-1]])
    n_products, n_fakes = len(_CATALOGUE), len(_FAKES)
    product = rng.integers(0, n_products, m)
    cat_hs = np.array([p[1] for p in _CATALOGUE])
    cat_price = np.array([p[2] for p in _CATALOGUE], dtype=np.float64)
    cat_mass = np.array([p[3] for p in _CATALOGUE], dtype=np.float64)
    hs_code = cat_hs[product]
    true_price = cat_price[product] * rng.lognormal(0.0, 0.25, m)
    on_sale = rng.random(m) < 0.03
    true_price = np.where(on_sale, true_price * rng.uniform(0.4, 0.7, m), true_price)
    unit_mass = cat_mass[product] * rng.uniform(0.9, 1.1, m)
    # Description codes: [catalogue | fake branded | fake with cue | fake generic | disguises].
    description = product.copy()
    cue_labels = [f"{_CUES[i % len(_CUES)]} {f[0]}" for i, f in enumerate(_FAKES)]
    labels = [p[0] for p in _CATALOGUE] + [f[0] for f in _FAKES] + cue_labels
    labels += [f[1] for f in _FAKES] + list(_DISGUISES)

    fake_lines = starts[counterfeit]
    k = len(fake_lines)
    fake = rng.integers(0, n_fakes, k)
    fake_hs = np.array([f[2] for f in _FAKES])
    fake_price = np.array([f[3] for f in _FAKES], dtype=np.float64)
    fake_mass = np.array([f[4] for f in _FAKES], dtype=np.float64)
    hs_code[fake_lines] = fake_hs[fake]
    true_price[fake_lines] = fake_price[fake] * rng.lognormal(0.0, 0.3, k)
    unit_mass[fake_lines] = fake_mass[fake] * rng.uniform(0.9, 1.1, k)
    mode = rng.random(k)
    cue = rng.random(k) < 0.15
    branded = n_products + fake
    description[fake_lines] = np.where(
        mode < 0.55,
        np.where(cue, n_products + n_fakes + fake, branded),
        np.where(
            mode < 0.85,
            n_products + 2 * n_fakes + fake,
            n_products + 3 * n_fakes + rng.integers(0, len(_DISGUISES), k),
        ),
    )

    quantity = 1 + (rng.random(m) < 0.15) + (rng.random(m) < 0.05)
    factor = np.where(undervalued[line_parcel], rng.uniform(0.05, 0.35, m), 1.0)
    unit_value = np.round(true_price * factor, 2)
    unit_value = np.maximum(unit_value, 0.01)

    # Masses: declared from the catalogue; the scale sees the real contents plus packaging.
    declared = np.bincount(line_parcel, weights=unit_mass * quantity, minlength=n)
    catalogue_error = np.where(rng.random(n) < 0.02, rng.lognormal(0.0, 0.4, n), 1.0)
    scanned = declared * catalogue_error * rng.uniform(1.02, 1.10, n) + rng.uniform(0.03, 0.20, n)
    scanned = scanned + rng.normal(0.0, 0.01, n)
    scanned = np.where(empty_box, rng.uniform(0.05, 0.30, n), scanned)
    scanned = np.maximum(scanned, 0.01)

    # Places and dates.
    dest_codes = np.array([c for c, _ in _DESTINATIONS], dtype=object)
    dest = rng.choice(len(_DESTINATIONS), size=n, p=[w for _, w in _DESTINATIONS])
    origin_codes = np.array([c for c, _ in _ORIGINS], dtype=object)
    origin = rng.choice(len(_ORIGINS), size=n, p=[w for _, w in _ORIGINS])
    fake_origin = np.where(rng.random(n) < 0.96, np.where(rng.random(n) < 0.83, 0, 1), origin)
    origin = np.where(counterfeit, fake_origin, origin)
    # No domestic parcels: customs screens imports only. Goods for mainland China ship from Hong
    # Kong (a separate customs territory), everything else from China.
    domestic = np.array(
        [[same_customs_territory(o, d) for o in origin_codes] for d in dest_codes], dtype=bool
    )[dest, origin]
    origin = np.where(domestic, np.where(dest_codes[dest] == "CN", 1, 0), origin)
    import_date = np.datetime64(start, "D") + rng.integers(0, days, n)

    batch = ParcelBatch(
        parcel_id=np.char.add("P", np.char.zfill(np.arange(n).astype(str), 7)).astype(object),
        destination=dest.astype(np.int64),
        destinations=tuple(str(c) for c in dest_codes),
        origin=origin.astype(np.int64),
        origins=tuple(str(c) for c in origin_codes),
        seller=seller.astype(np.int64),
        sellers=tuple(seller_ids.tolist()),
        import_date=import_date,
        scanned_gross_mass_kg=scanned,
        line_parcel=line_parcel.astype(np.int64),
        hs_code=hs_code.astype(np.int64),
        description=description.astype(np.int64),
        descriptions=tuple(labels),
        unit_value_usd=unit_value,
        quantity=quantity.astype(np.int64),
        unit_mass_kg=unit_mass,
    )
    return LabelledParcels(
        batch=batch,
        labels={"counterfeit": counterfeit, "empty_box": empty_box, "undervalued": undervalued},
        trust=trust,
        rates=rates,
    )
