"""Customs benchmark: screening throughput (vectorised), the booking path, and the evaluation.

Prints one figure per line and exits 0. Timings are the best of several runs after a warm-up
(the reference data and rules load once per process and are not counted).

    .venv/bin/python benchmarks/bench_customs.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np

from rocketpost.customs import assess_duties, clearance, declare, screen
from rocketpost.customs.evaluation import evaluate, format_report
from rocketpost.customs.labelled_parcels import generate_parcels
from rocketpost.orders.model import Channel, Order, OrderItem

TARGET_PARCELS_PER_S = 100_000


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Shortest wall time of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def booking_orders(n: int, rng: np.random.Generator) -> list[Order]:
    """Small B2C orders into the shipped markets (for the per-order Decimal path)."""
    goods = [("cotton T-shirt", "610910", "19.90"), ("running shoes", "640411", "79.00"),
             ("wireless earbuds", "851830", "39.00"), ("face cream", "330499", "28.00"),
             ("paperback novel", "490199", "14.00")]  # fmt: skip
    countries = ["KR", "US", "DE", "FR", "PT", "JP", "GB", "CN"]
    orders = []
    for i in range(n):
        description, hs, price = goods[int(rng.integers(len(goods)))]
        orders.append(
            Order(
                order_id=f"B{i}",
                merchant_id=f"M{int(rng.integers(200))}",
                channel=Channel.B2C,
                created_at=datetime(2025, 9, 1, 2, tzinfo=UTC),
                destination_lat_deg=0.0,
                destination_lon_deg=0.0,
                destination_country=countries[i % len(countries)],
                recipient_id=f"R{i}",
                items=(
                    OrderItem(
                        "SKU",
                        description,
                        hs,
                        1 + int(rng.integers(3)),
                        Decimal(price),
                        "USD",
                        0.4,
                        0.002,
                    ),
                ),
            )
        )
    return orders


def main() -> None:
    start = time.perf_counter()
    labelled = generate_parcels(100_000, np.random.default_rng(1))
    generation_s = time.perf_counter() - start
    batch, trust = labelled.batch, labelled.trust
    screen(batch, trust=trust)  # warm-up: reference data, rules, restriction tables
    screening_s = best_of(5, lambda: screen(batch, trust=trust))
    rate = batch.n_parcels / screening_s
    print(f"generate 100,000 labelled parcels ({batch.n_lines:,} lines): {generation_s:.2f} s")
    verdict = "met" if rate >= TARGET_PARCELS_PER_S else "MISSED"
    print(
        f"screening 100,000 parcels, all signals: {screening_s:.3f} s = {rate:,.0f} parcels/s "
        f"(target {TARGET_PARCELS_PER_S:,}/s: {verdict})"
    )

    big = generate_parcels(1_000_000, np.random.default_rng(2))
    screen(big.batch, trust=big.trust)
    big_s = best_of(3, lambda: screen(big.batch, trust=big.trust))
    print(f"screening 1,000,000 parcels: {big_s:.2f} s = {1_000_000 / big_s:,.0f} parcels/s")

    # Worst case for the text path: every line has its own description.
    unique = replace(
        batch,
        description=np.arange(batch.n_lines, dtype=np.int64),
        descriptions=tuple(
            f"{batch.descriptions[int(d)]} #{i}" for i, d in enumerate(batch.description)
        ),
    )
    unique_s = best_of(3, lambda: screen(unique, trust=trust))
    print(
        f"screening 100,000 parcels, every description distinct: {unique_s:.3f} s = "
        f"{batch.n_parcels / unique_s:,.0f} parcels/s"
    )

    result = screen(batch, trust=trust)
    stopped = np.flatnonzero(result.decision_code != 0)
    reasons_s = best_of(1, lambda: [result.reasons(int(i)) for i in stopped])
    print(
        f"reasons for the {len(stopped):,} stopped parcels (formatted on demand): {reasons_s:.2f} s"
    )

    orders = booking_orders(2_000, np.random.default_rng(3))
    on = date(2025, 9, 1)

    def declare_and_assess() -> None:
        for o in orders:
            origin = "KR" if o.destination_country == "CN" else "CN"
            assess_duties(declare(o, origin_country=origin, import_date=on))

    declare_and_assess()
    duties_s = best_of(3, declare_and_assess)
    print(
        f"declare + assess duties (Decimal, per order): {len(orders) / duties_s:,.0f} orders/s "
        f"({duties_s / len(orders) * 1e6:,.0f} µs each)"
    )
    single = orders[:200]
    clear_s = best_of(
        3,
        lambda: [
            clearance(o, origin_country="KR" if o.destination_country == "CN" else "CN")
            for o in single
        ],
    )
    per_booking_ms = clear_s / len(single) * 1e3
    print(f"clearance() for one booking (declare + duties + screen): {per_booking_ms:.2f} ms")

    print("evaluation report (100,000 parcels, seed 1):")
    for line in format_report(evaluate(labelled, result, seed=1)):
        print(f"  {line}")


if __name__ == "__main__":
    main()
