"""The seeded labelled-parcel generator: reproducible, rates as documented, valid imports."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.customs.labelled_parcels import LabelRates, generate_parcels
from rocketpost.errors import InputError


def test_same_seed_same_parcels() -> None:
    a = generate_parcels(3_000, np.random.default_rng(7))
    b = generate_parcels(3_000, np.random.default_rng(7))
    for name in (
        "hs_code",
        "unit_value_usd",
        "description",
        "line_parcel",
        "scanned_gross_mass_kg",
        "seller",
    ):
        np.testing.assert_array_equal(getattr(a.batch, name), getattr(b.batch, name))
    for label in a.labels:
        np.testing.assert_array_equal(a.labels[label], b.labels[label])
    assert a.trust.records == b.trust.records


def test_different_seeds_differ() -> None:
    a = generate_parcels(2_000, np.random.default_rng(1))
    b = generate_parcels(2_000, np.random.default_rng(2))
    assert not np.array_equal(a.batch.unit_value_usd[:100], b.batch.unit_value_usd[:100])


def test_label_rates_are_as_documented() -> None:
    labelled = generate_parcels(40_000, np.random.default_rng(3))
    assert labelled.labels["counterfeit"].mean() == pytest.approx(0.02, abs=0.004)
    assert labelled.labels["empty_box"].mean() == pytest.approx(0.005, abs=0.0015)
    assert labelled.labels["undervalued"].mean() == pytest.approx(0.05, abs=0.005)
    custom = generate_parcels(20_000, np.random.default_rng(3), rates=LabelRates(0.1, 0.0, 0.0))
    assert custom.labels["counterfeit"].mean() == pytest.approx(0.1, abs=0.02)
    assert not custom.labels["empty_box"].any()


def test_generated_parcels_are_all_imports_with_valid_codes() -> None:
    labelled = generate_parcels(5_000, np.random.default_rng(4))
    batch = labelled.batch
    origins = np.asarray(batch.origins, dtype=object)[batch.origin]
    destinations = np.asarray(batch.destinations, dtype=object)[batch.destination]
    assert not (origins == destinations).any()
    assert (batch.hs_index >= 0).all()
    counterfeit = labelled.labels["counterfeit"]
    cn_hk = np.isin(origins[counterfeit], ["CN", "HK"]).mean()
    assert cn_hk > 0.85  # KCS 2024: 96 % of seized fakes came from China / Hong Kong


def test_bad_arguments() -> None:
    with pytest.raises(InputError):
        generate_parcels(0, np.random.default_rng(1))
    with pytest.raises(InputError):
        generate_parcels(10, 1)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        LabelRates(counterfeit=1.5)
