"""The fastest arc within a burnout-speed budget, checked against an independent integration.

The reference is a numerical two-body integration (SciPy ``solve_ivp``) from the reported
inertial burnout state: after ``coast_s`` it must be at the re-entry point, on the reported range
angle. Properties: more speed never makes a flight slower; at the minimum-energy speed the
fastest arc is the minimum-energy one (exactly on a fixed Earth; on a rotating Earth never
slower); a budget below the minimum-energy speed cannot fly the lane.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.integrate import solve_ivp

from rocketpost.core.ballistics import min_energy_coast_s, min_energy_trajectory
from rocketpost.core.earth import EARTH_MU_KM3_S2, EARTH_RADIUS_KM
from rocketpost.core.fastest import fastest_burnout_state, fastest_trajectory, symmetric_coast_s
from rocketpost.errors import InputError

MU = EARTH_MU_KM3_S2
R_BURNOUT = EARTH_RADIUS_KM + 100.0
CIRCULAR_MS = 1000.0 * math.sqrt(MU / R_BURNOUT)

NEW_YORK = (40.71, -74.01)
LONDON = (51.51, -0.13)
HANGZHOU_BAY = (30.35, 121.2)
BUENOS_AIRES = (-34.6, -58.38)
SYDNEY = (-33.87, 151.21)
LANES = [
    (NEW_YORK, LONDON),
    (LONDON, NEW_YORK),
    (HANGZHOU_BAY, NEW_YORK),
    (HANGZHOU_BAY, BUENOS_AIRES),
    (HANGZHOU_BAY, SYDNEY),
    ((35.0, 129.0), (37.45, 126.6)),  # a short hop, Busan to Incheon
]


def _two_body(_t: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
    r = y[:3]
    return np.concatenate([y[3:], -MU * r / np.linalg.norm(r) ** 3])


def _integrate(position: NDArray[np.float64], velocity: NDArray[np.float64], t_s: float):
    sol = solve_ivp(
        _two_body, (0.0, t_s), np.concatenate([position, velocity]), rtol=1e-11, atol=1e-9
    )
    return sol.y[:3, -1], sol.y[3:, -1]


def _angle_deg(u: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    return math.degrees(math.atan2(np.linalg.norm(np.cross(u, v)), float(np.dot(u, v))))


@pytest.mark.parametrize("rotating", [True, False])
@pytest.mark.parametrize(("origin", "target"), LANES)
@pytest.mark.parametrize("budget_ms", [6800.0, 7400.0, 8200.0])
def test_fastest_arc_matches_a_numerical_integration(origin, target, budget_ms, rotating):
    state = fastest_burnout_state(
        *origin, *target, max_burnout_speed_ms=budget_ms, rotating=rotating
    )
    trajectory = fastest_trajectory(
        *origin, *target, max_burnout_speed_ms=budget_ms, rotating=rotating
    )
    coast = float(state.coast_s)
    if not math.isfinite(coast):
        # Only when the budget is below what even the minimum-energy arc needs.
        need = float(min_energy_trajectory(*origin, *target, rotating=rotating).burnout_speed_ms)
        assert need > budget_ms
        return
    assert coast == pytest.approx(float(trajectory.coast_s), rel=1e-12)
    end, _ = _integrate(state.position_km, state.velocity_km_s, coast)
    # The integrated coast ends on the re-entry point (metres on thousands of kilometres) ...
    assert np.linalg.norm(end - state.target_position_km) < 0.05
    # ... after flying the reported range angle (the bound is 0.5 %).
    flown = _angle_deg(state.position_km, end)
    assert flown == pytest.approx(float(trajectory.range_angle_deg), rel=1e-6, abs=1e-6)
    # The burnout state has the reported speed and never coasts below the burnout altitude.
    assert 1000.0 * np.linalg.norm(state.velocity_km_s) == pytest.approx(
        float(trajectory.burnout_speed_ms), rel=1e-9
    )
    assert 1000.0 * np.linalg.norm(state.velocity_km_s) <= budget_ms * (1 + 1e-9)
    assert float(trajectory.flight_path_angle_deg) >= 0.0
    assert float(trajectory.apogee_km) >= 100.0 - 1e-6


def test_faster_than_minimum_energy_on_long_lanes():
    slow = min_energy_trajectory(*NEW_YORK, *LONDON)
    fast = fastest_trajectory(*NEW_YORK, *LONDON, max_burnout_speed_ms=7500.0)
    assert float(fast.coast_s) < 0.6 * float(slow.coast_s)
    assert float(fast.flight_s) == pytest.approx(
        float(fast.ascent_s + fast.coast_s + fast.descent_s)
    )


@pytest.mark.parametrize(("origin", "target"), LANES)
def test_at_the_minimum_energy_speed_the_two_solutions_agree(origin, target):
    fixed = min_energy_trajectory(*origin, *target, rotating=False)
    same = fastest_trajectory(
        *origin, *target, max_burnout_speed_ms=float(fixed.burnout_speed_ms), rotating=False
    )
    # The speed carries rounding, which the square-root edge of the conic family amplifies.
    assert float(same.coast_s) == pytest.approx(float(fixed.coast_s), rel=1e-6)
    assert float(same.flight_path_angle_deg) == pytest.approx(
        float(fixed.flight_path_angle_deg), abs=1e-4
    )
    # On a rotating Earth an eastward target runs away: a conic of the same energy can meet it
    # earlier than the minimum-energy one does, never later.
    rotating = min_energy_trajectory(*origin, *target)
    fastest = fastest_trajectory(
        *origin, *target, max_burnout_speed_ms=float(rotating.burnout_speed_ms) * (1 + 1e-12)
    )
    assert float(fastest.coast_s) <= float(rotating.coast_s) + 1e-3


def test_a_budget_below_the_minimum_energy_speed_cannot_fly():
    need = float(min_energy_trajectory(*HANGZHOU_BAY, *BUENOS_AIRES).burnout_speed_ms)
    trajectory = fastest_trajectory(*HANGZHOU_BAY, *BUENOS_AIRES, max_burnout_speed_ms=need - 300)
    assert math.isinf(float(trajectory.coast_s))
    assert math.isinf(float(trajectory.flight_s))
    assert math.isnan(float(trajectory.burnout_speed_ms))


def test_more_than_circular_speed_buys_nothing_more():
    psi = math.radians(40.0)
    # Without rotation, a budget above circular speed flies the circular arc at burnout altitude.
    origin = (0.0, 0.0)
    target = (0.0, 40.0)
    t = fastest_trajectory(*origin, *target, max_burnout_speed_ms=9000.0, rotating=False)
    assert float(t.coast_s) == pytest.approx(psi * math.sqrt(R_BURNOUT**3 / MU), rel=1e-9)
    assert float(t.burnout_speed_ms) == pytest.approx(CIRCULAR_MS, rel=1e-9)
    assert float(t.apogee_km) == pytest.approx(100.0, abs=1e-6)


@given(
    psi=st.floats(0.01, math.pi - 0.01),
    fraction=st.floats(0.0, 1.0),
)
def test_symmetric_coast_spans_minimum_energy_to_circular(psi, fraction):
    s = math.sin(psi / 2)
    a_min = R_BURNOUT * (1 + s) / 2
    assert symmetric_coast_s(psi, a_min, R_BURNOUT) == pytest.approx(
        float(min_energy_coast_s(psi, R_BURNOUT)), rel=1e-7
    )
    assert symmetric_coast_s(psi, R_BURNOUT, R_BURNOUT) == pytest.approx(
        psi * math.sqrt(R_BURNOUT**3 / MU), rel=1e-9
    )
    a = a_min + fraction * (R_BURNOUT - a_min)
    t = float(symmetric_coast_s(psi, a, R_BURNOUT))
    assert psi * math.sqrt(R_BURNOUT**3 / MU) * (1 - 1e-9) <= t
    assert t <= float(min_energy_coast_s(psi, R_BURNOUT)) * (1 + 1e-9)
    assert math.isnan(float(symmetric_coast_s(psi, a_min * 0.99, R_BURNOUT)))


_latitudes = st.floats(-70.0, 70.0)
_longitudes = st.floats(-180.0, 180.0)


@settings(max_examples=200, deadline=None)
@given(
    lat1=_latitudes,
    lon1=_longitudes,
    lat2=_latitudes,
    lon2=_longitudes,
    slow_ms=st.floats(5000.0, 8500.0),
    extra_ms=st.floats(0.0, 1500.0),
    rotating=st.booleans(),
)
def test_more_speed_never_makes_a_flight_slower(
    lat1, lon1, lat2, lon2, slow_ms, extra_ms, rotating
):
    budgets = np.array([slow_ms, slow_ms + extra_ms])
    t = fastest_trajectory(lat1, lon1, lat2, lon2, max_burnout_speed_ms=budgets, rotating=rotating)
    slow, fast = (float(x) for x in t.coast_s)
    assert fast <= slow + 1e-6 or math.isinf(slow)


def test_broadcasts_like_the_minimum_energy_solver():
    lat = np.array([NEW_YORK[0], LONDON[0], HANGZHOU_BAY[0]])
    lon = np.array([NEW_YORK[1], LONDON[1], HANGZHOU_BAY[1]])
    matrix = fastest_trajectory(
        lat[:, None], lon[:, None], lat[None, :], lon[None, :], max_burnout_speed_ms=7600.0
    )
    assert matrix.coast_s.shape == (3, 3)
    single = fastest_trajectory(*NEW_YORK, *LONDON, max_burnout_speed_ms=7600.0)
    assert float(matrix.coast_s[0, 1]) == pytest.approx(float(single.coast_s), rel=1e-9)
    assert not matrix.coast_s.flags.writeable


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_burnout_speed_ms": -1.0}, "max_burnout_speed_ms"),
        ({"max_burnout_speed_ms": float("nan")}, "max_burnout_speed_ms"),
        ({"max_burnout_speed_ms": 7000.0, "rotating": "yes"}, "rotating"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    with pytest.raises(InputError) as error:
        fastest_trajectory(*NEW_YORK, *LONDON, **kwargs)
    assert error.value.field == field


def test_latitude_out_of_range():
    with pytest.raises(InputError, match="launch_lat_deg"):
        fastest_trajectory(91.0, 0.0, 0.0, 10.0, max_burnout_speed_ms=7000.0)
