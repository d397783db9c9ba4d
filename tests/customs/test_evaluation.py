"""Screening evaluated on labelled parcels: precision, recall and flag rate per risk."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.customs.evaluation import evaluate, format_report, run_evaluation
from rocketpost.customs.labelled_parcels import generate_parcels
from rocketpost.customs.screening import screen
from rocketpost.errors import InputError


def test_same_seed_same_report() -> None:
    assert run_evaluation(3_000, 7) == run_evaluation(3_000, 7)


def test_screening_finds_most_of_what_it_targets() -> None:
    labelled = generate_parcels(20_000, np.random.default_rng(5))
    report = evaluate(labelled, screen(labelled.batch, trust=labelled.trust), seed=5)
    metrics = {m.label: m for m in report.risks}
    for label in ("counterfeit", "empty_box", "undervalued"):
        assert metrics[label].precision > 0.6, label
        assert metrics[label].recall > 0.3, label
    assert report.release_rate + report.inspection_rate + report.hold_rate == pytest.approx(1.0)
    assert report.inspection_rate < 0.15
    lines = format_report(report)
    assert lines[0].startswith("parcels: 20,000 (seed 5)")
    assert any(line.startswith("counterfeit: precision") for line in lines)


def test_metrics_on_a_hand_checked_case() -> None:
    labelled = generate_parcels(1_000, np.random.default_rng(6))
    result = screen(labelled.batch, trust=labelled.trust)
    report = evaluate(labelled, result)
    flagged = result.stopped("empty_box")
    truth = labelled.labels["empty_box"]
    m = {x.label: x for x in report.risks}["empty_box"]
    assert m.flagged == flagged.sum() and m.labelled == truth.sum()
    assert m.true_positives == (flagged & truth).sum()
    assert m.flag_rate == pytest.approx(flagged.mean())


def test_a_result_for_other_parcels_is_refused() -> None:
    labelled = generate_parcels(10, np.random.default_rng(1))
    other = generate_parcels(20, np.random.default_rng(1))
    with pytest.raises(InputError):
        evaluate(labelled, screen(other.batch))
