"""Evaluation of screening on labelled parcels: precision, recall and flag rate per risk.

No public data set labels e-commerce parcels as counterfeit or empty, so screening is evaluated on
synthetic parcels whose labels are known by construction (:mod:`.labelled_parcels`, where the
generator's assumptions are documented).

:func:`evaluate` scores a :class:`~rocketpost.customs.screening.ScreeningResult` against the labels.
For each risk: *flagged* = the risk's own score reached its inspect threshold; precision = share of
flagged parcels that carry the label; recall = share of labelled parcels flagged for it; flag rate
= flagged / all. *Caught* = labelled parcels stopped for any reason. Overall inspection and hold
rates are reported too. Same seed, same parcels, same report.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from rocketpost.customs.labelled_parcels import LabelledParcels, LabelRates, generate_parcels
from rocketpost.customs.screening import ScreeningResult, screen
from rocketpost.customs.screening_signals import ScreeningConfig
from rocketpost.errors import InputError

__all__ = [
    "LABEL_RISK",
    "EvaluationReport",
    "RiskMetrics",
    "evaluate",
    "format_report",
    "run_evaluation",
]

LABEL_RISK = {
    "counterfeit": "counterfeit",
    "empty_box": "empty_box",
    "undervalued": "undervaluation",
}
"""Generator label → screening risk that should catch it."""


@dataclass(frozen=True)
class RiskMetrics:
    """Screening quality for one label.

    Parameters
    ----------
    label, risk
        Generator label and the screening risk expected to catch it.
    labelled
        Parcels carrying the label.
    flagged
        Parcels whose ``risk`` score reached its inspect threshold.
    true_positives
        Flagged parcels carrying the label.
    precision, recall
        ``true_positives / flagged`` and ``true_positives / labelled`` (NaN when undefined).
    flag_rate
        ``flagged / n``: the inspection load this risk causes.
    caught
        Share of labelled parcels stopped (inspected or held) for any reason.
    """

    label: str
    risk: str
    labelled: int
    flagged: int
    true_positives: int
    precision: float
    recall: float
    flag_rate: float
    caught: float


@dataclass(frozen=True)
class EvaluationReport:
    """Per-risk metrics plus overall decision rates.

    ``compliance_rate`` is the share stopped for restricted / prohibited goods or overweight —
    rules-driven stops that carry no generator label.
    """

    n_parcels: int
    seed: int | None
    rates: LabelRates
    risks: tuple[RiskMetrics, ...]
    release_rate: float
    inspection_rate: float
    hold_rate: float
    any_label_precision: float
    any_label_recall: float
    compliance_rate: float = 0.0
    thresholds: Mapping[str, tuple[float, float]] = field(default_factory=dict)


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def evaluate(
    labelled: LabelledParcels, result: ScreeningResult, *, seed: int | None = None
) -> EvaluationReport:
    """Score a screening result against the generator's labels."""
    n = len(result)
    if n != labelled.batch.n_parcels:
        raise InputError(
            "result", n, f"does not match the labelled batch ({labelled.batch.n_parcels})"
        )
    stopped = result.decision_code != 0
    metrics = []
    for label, risk in LABEL_RISK.items():
        truth = np.asarray(labelled.labels[label], dtype=bool)
        flagged = result.stopped(risk)
        tp = int((flagged & truth).sum())
        metrics.append(
            RiskMetrics(
                label=label,
                risk=risk,
                labelled=int(truth.sum()),
                flagged=int(flagged.sum()),
                true_positives=tp,
                precision=_ratio(tp, int(flagged.sum())),
                recall=_ratio(tp, int(truth.sum())),
                flag_rate=_ratio(int(flagged.sum()), n),
                caught=_ratio(int((stopped & truth).sum()), int(truth.sum())),
            )
        )
    any_label = np.zeros(n, dtype=bool)
    for values in labelled.labels.values():
        any_label |= np.asarray(values, dtype=bool)
    counts = result.counts()
    cfg: ScreeningConfig = result.config
    return EvaluationReport(
        n_parcels=n,
        seed=seed,
        rates=labelled.rates,
        risks=tuple(metrics),
        release_rate=counts["release"] / n,
        inspection_rate=counts["inspect"] / n,
        hold_rate=counts["hold"] / n,
        any_label_precision=_ratio(int((stopped & any_label).sum()), int(stopped.sum())),
        any_label_recall=_ratio(int((stopped & any_label).sum()), int(any_label.sum())),
        compliance_rate=_ratio(int(result.stopped("compliance").sum()), n),
        thresholds={
            r: (getattr(cfg, f"inspect_{r}"), getattr(cfg, f"hold_{r}"))
            for r in LABEL_RISK.values()
        },
    )


def run_evaluation(
    n: int = 100_000,
    seed: int = 1,
    *,
    rates: LabelRates | None = None,
    config: ScreeningConfig | None = None,
) -> EvaluationReport:
    """Generate ``n`` parcels with ``seed``, screen them, and report (the CLI's ``evaluate``)."""
    labelled = generate_parcels(n, np.random.default_rng(seed), rates=rates)
    result = screen(labelled.batch, trust=labelled.trust, config=config)
    return evaluate(labelled, result, seed=seed)


def format_report(report: EvaluationReport) -> list[str]:
    """Plain-text lines, one figure per line (used by the CLI and the benchmark)."""
    rates = report.rates
    lines = [
        f"parcels: {report.n_parcels:,} (seed {report.seed}); label rates: counterfeit "
        f"{rates.counterfeit:.1%}, empty box {rates.empty_box:.1%},"
        f" undervalued {rates.undervalued:.1%}",
        f"decisions: release {report.release_rate:.2%}, inspect {report.inspection_rate:.2%}, "
        f"hold {report.hold_rate:.2%}",
    ]
    for m in report.risks:
        lines.append(
            f"{m.label}: precision {m.precision:.1%}, recall {m.recall:.1%}, flag rate "
            f"{m.flag_rate:.2%} ({m.true_positives:,} of {m.labelled:,} labelled; "
            f"{m.flagged:,} flagged; caught for any reason {m.caught:.1%})"
        )
    lines.append(
        "compliance (restricted or prohibited goods, overweight): flag rate"
        f" {report.compliance_rate:.2%}"
        " (unlabelled: counted against 'any label' precision)"
    )
    lines.append(
        f"any label: precision {report.any_label_precision:.1%} of stopped parcels, recall "
        f"{report.any_label_recall:.1%}"
    )
    return lines
