"""The Taylor–Hood Navier–Stokes reference: exact on Poiseuille flow (in the element space) with an outlet,
third-order velocity convergence to Kovasznay's exact solution with a pressure pin, and the backward-facing step's
reference keeping its own conditions and mass."""

import numpy as np
import pytest
from scipy.integrate import simpson

from pinnzoo.geometry import Rectangle
from pinnzoo.problems import get_problem
from pinnzoo.references.navier_stokes import solve_navier_stokes


def relative(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2) / np.mean(b ** 2)))


def test_poiseuille_flow_is_reproduced_to_round_off_with_a_do_nothing_outlet(rng):
    nu = 0.05  # u = 4y(1 - y) and p = 8ν(2 - x) lie in P2 × P1, and p = 0, ∂u/∂n = 0 at the outlet x = 2
    def velocity(x, y):
        return np.where(np.isclose(x, 0), 4 * y * (1 - y), 0.0), 0.0 * x

    def outlet(points):
        return np.isclose(points[:, 0], 2.0) & (points[:, 1] > 1e-9) & (points[:, 1] < 1 - 1e-9)
    flow = solve_navier_stokes(Rectangle([0, 0], [2, 1]), 0.2, nu, velocity, outlet=outlet,
                               pressure_outlet=lambda points: np.isclose(points[:, 0], 2.0))
    pts = rng.uniform([0, 0], [2, 1], size=(500, 2))
    exact = np.stack([4 * pts[:, 1] * (1 - pts[:, 1]), 0 * pts[:, 0], 8 * nu * (2 - pts[:, 0])], axis=1)
    np.testing.assert_allclose(flow(pts), exact, atol=1e-9)


def test_velocity_converges_at_third_order_to_kovasznay_flow(rng):
    kovasznay = get_problem("kovasznay")
    nu = 1 / kovasznay.params["re"]
    box = Rectangle([-0.5, -0.5], [1.0, 1.5])
    pts = rng.uniform([-0.5, -0.5], [1.0, 1.5], size=(2000, 2))
    exact = kovasznay.reference(pts)

    def velocity(x, y):
        u = kovasznay.reference(np.stack([x, y], axis=1))
        return u[:, 0], u[:, 1]
    errors = []
    for h in (0.2, 0.1):
        flow = solve_navier_stokes(box, h, nu, velocity, pressure_at=(-0.5, -0.5))(pts)
        pressure = flow[:, 2] - np.mean(flow[:, 2] - exact[:, 2])  # the pin fixes a constant
        errors.append((relative(flow[:, :2], exact[:, :2]), relative(pressure, exact[:, 2])))
    (u_coarse, p_coarse), (u_fine, p_fine) = errors
    assert u_fine < 2e-3 and u_coarse / u_fine > 6, errors  # O(h³): 8× per halving
    assert p_fine < 2e-2 and p_coarse / p_fine > 3, errors  # O(h²): 4×


def test_the_step_s_reference_keeps_its_conditions_and_carries_the_inflow_out():
    step = get_problem("ns2d_backstep")
    flow = step.fem(0.1)
    y = np.linspace(0, 1, 41)
    inlet = flow(np.stack([0 * y, y], axis=1))
    np.testing.assert_allclose(inlet[:, 0], 4 * y * (1 - y), atol=1e-12)
    walls = np.array([[1.0, 0.0], [3.0, 0.0], [1.0, 1.0], [2.0, 1.5], [3.0, 2.0]])
    np.testing.assert_allclose(flow(walls)[:, :2], 0.0, atol=1e-12)
    out = np.linspace(0, 2, 401)
    outlet = flow(np.stack([4 + 0 * out, out], axis=1))
    np.testing.assert_allclose(outlet[:, 2], 0.0, atol=1e-12)
    flux_in, flux_out = simpson(inlet[:, 0], x=y), simpson(outlet[:, 0], x=out)
    assert flux_in == pytest.approx(2 / 3, rel=1e-6) and flux_out == pytest.approx(flux_in, rel=2e-3)
    assert outlet[:, 0].max() < 0.9  # the stream has widened to the channel's full height
