"""Promises at a stated confidence: conditions, the door-to-door distribution, the decision.

Layer: above ``core`` and ``network``, below ``planning``, ``simulation`` and ``service`` (the
simulator re-exports :mod:`rocketpost.promise.rates`). See ``docs/promise.md``.
"""
