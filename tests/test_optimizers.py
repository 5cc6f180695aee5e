"""Quasi-Newton methods (pinnzoo.optimizers): the update's secant condition, convergence where the optimum
is known (a quadratic, Rosenbrock, a linear PDE's least-squares solution in a small basis), and a PINN phase."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_cli

from pinnzoo.errors import InputError
from pinnzoo.optimizers import QUASI_NEWTON, get_method

DENSE = ["bfgs", "ssbfgs", "ssbroyden"]
ALL = ["lbfgs", *DENSE]


def _minimize(name, fun, x0, maxiter):
    return get_method(name).minimize(fun, np.asarray(x0, dtype=np.float64), maxiter, lambda x: None)


@pytest.mark.parametrize("name", DENSE)
@pytest.mark.parametrize("first", [True, False])
def test_every_update_meets_the_secant_condition_and_keeps_h_symmetric_positive_definite(name, first):
    rng = np.random.default_rng(3)
    n = 12
    Q = rng.normal(size=(n, n))
    H = Q @ Q.T / n + np.eye(n)
    g = rng.normal(size=n)
    alpha = 0.7
    s = -alpha * (H @ g)  # a step along the quasi-Newton direction, as the method takes it
    B = rng.normal(size=(n, n))
    y = (B @ B.T / n + 0.5 * np.eye(n)) @ s  # the gradient change of a convex quadratic: y^T s > 0
    H_new = H.copy()
    get_method(name).update(H_new, s, y, g, alpha, first)
    np.testing.assert_allclose(H_new @ y, s, rtol=1e-10, atol=1e-12)  # H+ y = s for every member of the family
    np.testing.assert_allclose(H_new, H_new.T, atol=1e-12)
    assert np.linalg.eigvalsh(0.5 * (H_new + H_new.T)).min() > 0


@pytest.mark.parametrize("name", ALL)
def test_a_convex_quadratic_is_minimised_to_its_solution(name):
    rng = np.random.default_rng(0)
    n = 30
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    A = Q @ np.diag(np.linspace(1.0, 20.0, n)) @ Q.T
    b = rng.normal(size=n)
    exact = np.linalg.solve(A, b)
    result = _minimize(name, lambda x: (0.5 * x @ A @ x - b @ x, A @ x - b), np.zeros(n), 500)
    assert np.max(np.abs(result.x - exact)) < 1e-7 * np.max(np.abs(exact))
    assert result.iterations <= 3 * n


@pytest.mark.parametrize("name", ALL)
def test_rosenbrock_reaches_its_minimum(name):
    from scipy.optimize import rosen, rosen_der

    result = _minimize(name, lambda x: (rosen(x), rosen_der(x)), np.full(10, -1.2), 5000)
    assert np.max(np.abs(result.x - 1.0)) < 1e-6


@pytest.mark.parametrize("name", ALL)
def test_a_linear_pde_least_squares_fit_in_a_sine_basis_matches_the_direct_solution(name):
    """-u'' = 1 on (0, 1), u(0) = u(1) = 0, with u = sum_k c_k sin(k pi x), k = 1..8: the mean squared residual
    at 64 points is a quadratic in c whose minimiser is the linear least-squares solution (numpy's lstsq)."""
    x = (np.arange(64) + 0.5) / 64
    k = np.arange(1, 9)
    A = (k * np.pi) ** 2 * np.sin(np.pi * np.outer(x, k))  # -d2/dx2 of each basis function at each point
    f = np.ones_like(x)
    direct = np.linalg.lstsq(A, f, rcond=None)[0]

    def loss(c):
        r = A @ c - f
        return float(r @ r) / x.size, 2.0 * A.T @ r / x.size

    result = _minimize(name, loss, np.zeros(k.size), 2000)
    np.testing.assert_allclose(result.x, direct, rtol=1e-6, atol=1e-9)
    # and it is the PDE's solution up to the basis: the sine series of x(1 - x)/2 has c_k = 2 (1 - (-1)^k)/(k pi)^3
    series = 2 * (1 - (-1.0) ** k) / (k * np.pi) ** 3
    np.testing.assert_allclose(result.x, series, atol=2e-3)


def test_unknown_method_names_the_closest_one():
    from pinnzoo.presets import LBFGSPhase

    with pytest.raises(InputError, match="did you mean 'ssbroyden'"):
        LBFGSPhase(maxiter=10, method="ssbroydn")
    assert set(QUASI_NEWTON.names()) == set(ALL)


def test_a_pinn_quasi_newton_phase_with_self_scaled_broyden_lowers_the_loss():
    from pinnzoo import get_preset

    preset = get_preset("burgers")
    schedule = preset.schedule.quick().replace(lbfgs={"maxiter": 60, "log_every": 20}, dtype="float64")
    result = preset.train(seed=0, verbose=0, schedule=schedule, optimizer="ssbroyden")
    info = result.history["lbfgs_info"]
    assert info["iterations"] > 0
    adam_loss = result.history["adam"]["loss"][-1]
    assert result.history["lbfgs"]["loss"][-1] < 0.5 * adam_loss
    assert result.metrics["rel_l2"] < 1.0


@pytest.mark.parametrize("args, message", [
    (["burgers", "--optimizer", "ssbroydn"], "did you mean 'ssbroyden'"),
    (["darcy_grid", "--optimizer", "ssbroyden"], "applies to PINN presets"),
])
def test_the_cli_refuses_a_bad_optimizer_before_training(tmp_path, args, message):
    proc = run_cli("train", *args, "--quick", "--out", tmp_path / "run")
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "run").exists()
