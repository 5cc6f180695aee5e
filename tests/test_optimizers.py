"""Quasi-Newton methods (pinnzoo.optimizers): the update's secant condition, convergence where the optimum
is known (a quadratic, Rosenbrock, a linear PDE's least-squares solution in a small basis), and a PINN phase."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import call_cli

from pinnzoo.errors import InputError
from pinnzoo.optimizers import QUASI_NEWTON, get_method
from pinnzoo.optimizers.dense import InverseHessian, broyden_update

DENSE = ["bfgs", "ssbfgs", "ssbroyden"]
ALL = ["lbfgs", *DENSE]
LEAST_SQUARES = ["lm"]


def _spd(rng, n):
    """A random symmetric positive definite ``n × n`` matrix (eigenvalues ≥ 1)."""
    Q = rng.normal(size=(n, n))
    return Q @ Q.T / n + np.eye(n)


def _minimize(name, fun, x0, maxiter):
    return get_method(name).minimize(fun, np.asarray(x0, dtype=np.float64), maxiter, lambda x: None)


@pytest.mark.parametrize("name", DENSE)
@pytest.mark.parametrize("first", [True, False])
def test_every_update_meets_the_secant_condition_and_keeps_h_symmetric_positive_definite(name, first):
    rng = np.random.default_rng(3)
    n = 12
    H = _spd(rng, n)
    g = rng.normal(size=n)
    alpha = 0.7
    s = -alpha * (H @ g)  # a step along the quasi-Newton direction, as the method takes it
    B = rng.normal(size=(n, n))
    y = (B @ B.T / n + 0.5 * np.eye(n)) @ s  # the gradient change of a convex quadratic: y^T s > 0
    H_new = InverseHessian.from_array(H)
    get_method(name).update(H_new, s, y, g, alpha, first)
    np.testing.assert_allclose(H_new @ y, s, rtol=1e-10, atol=1e-12)  # H+ y = s for every member of the family
    full = H_new.dense()
    np.testing.assert_allclose(full @ y, s, rtol=1e-10, atol=1e-12)
    assert np.linalg.eigvalsh(full).min() > 0


@pytest.mark.parametrize("phi", [0.0, 0.4, 1.0])
@pytest.mark.parametrize("tau", [1.0, 1.7])
def test_the_blas_rank_two_update_equals_the_textbook_formula(phi, tau):
    """The in-place rank-2 ``dgemm`` form against the update written out with full matrices."""
    rng = np.random.default_rng(7)
    n = 9
    H = _spd(rng, n)
    s = rng.normal(size=n)
    y = s + 0.3 * rng.normal(size=n)
    rho = 1.0 / (y @ s)
    Hy = H @ y
    yHy = y @ Hy
    v = rho * s - Hy / yHy
    textbook = (H - np.outer(Hy, Hy) / yHy + phi * yHy * np.outer(v, v)) / tau + rho * np.outer(s, s)
    fast = InverseHessian.from_array(H)
    broyden_update(fast, s, y, rho, phi, tau)
    np.testing.assert_allclose(fast.dense(), textbook, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(fast @ y, textbook @ y, rtol=1e-12, atol=1e-13)


def test_prefetched_products_follow_the_update_and_equal_fresh_ones():
    rng = np.random.default_rng(11)
    n = 10
    H0 = _spd(rng, n)
    H = InverseHessian.from_array(H0)
    s, g = rng.normal(size=n), rng.normal(size=n)
    y = s + 0.2 * rng.normal(size=n)
    H.prefetch(y, g)
    np.testing.assert_allclose(H @ y, H.dense() @ y, rtol=1e-13)
    broyden_update(H, s, y, 1.0 / (y @ s), 0.5, 1.3)
    H.scale(0.7)
    carried = H @ g  # kept up to date through the update, not recomputed
    np.testing.assert_allclose(carried, H.dense() @ g, rtol=1e-12)
    assert not np.allclose(carried, H0 @ g)


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
    assert set(QUASI_NEWTON.names()) == set(ALL + LEAST_SQUARES)


@pytest.mark.slow
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
    proc = call_cli("train", *args, "--quick", "--out", tmp_path / "run")
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "run").exists()


def _least_squares(residual, jacobian, x0, maxiter):
    def residuals(x, with_jacobian):
        return (residual(x), jacobian(x)) if with_jacobian else residual(x)

    return get_method("lm").minimize_residuals(residuals, np.asarray(x0, dtype=np.float64), maxiter, lambda x: None)


def test_levenberg_marquardt_solves_the_sine_basis_least_squares_problem_in_a_few_steps():
    """The same linear PDE fit as above as residuals ``A c - f``: Gauss-Newton is exact on a linear residual,
    so the damped steps reach numpy's lstsq solution within a few iterations (the damping shrinks each time)."""
    x = (np.arange(64) + 0.5) / 64
    k = np.arange(1, 9)
    A = (k * np.pi) ** 2 * np.sin(np.pi * np.outer(x, k)) / np.sqrt(x.size)
    f = np.ones_like(x) / np.sqrt(x.size)
    direct = np.linalg.lstsq(A, f, rcond=None)[0]
    result = _least_squares(lambda c: A @ c - f, lambda c: A, np.zeros(k.size), 50)
    np.testing.assert_allclose(result.x, direct, rtol=1e-8, atol=1e-12)
    assert result.iterations <= 15
    with pytest.raises(TypeError, match="sum of squares"):
        get_method("lm").minimize(lambda c: (0.0, c), np.zeros(2), 5, lambda c: None)


def test_levenberg_marquardt_reaches_the_minimum_of_rosenbrock_as_residuals():
    """Rosenbrock's function is ``r1² + r2²`` with ``r1 = 10 (x2 - x1²)``, ``r2 = 1 - x1``: minimum at (1, 1)."""
    def residual(x):
        return np.array([10.0 * (x[1] - x[0] ** 2), 1.0 - x[0]])

    def jacobian(x):
        return np.array([[-20.0 * x[0], 10.0], [-1.0, 0.0]])

    result = _least_squares(residual, jacobian, [-1.2, 1.0], 200)
    np.testing.assert_allclose(result.x, [1.0, 1.0], atol=1e-10)
    assert result.iterations < 50


def test_the_residual_vector_of_a_pinn_squares_to_its_loss_and_its_jacobian_gives_the_gradient():
    """Three paths to the same numbers, on the Burgers preset's network and points: ‖ρ‖² equals the total loss;
    2 Jᵀρ (the Jacobian of per-point gradients, vectorised over the points) equals the loss gradient by
    backpropagation; and that Jacobian equals tape.jacobian of the stacked vector."""
    import tensorflow as tf

    from pinnzoo import get_preset
    from pinnzoo.dtypes import float_type
    from pinnzoo.sampling import fixed_batch
    from pinnzoo.solvers.lbfgs import flat_residuals, flat_value_and_gradient
    from pinnzoo.families.pinn.fit import build_solver

    preset = get_preset("burgers")
    schedule = preset.schedule.quick().replace(dtype="float64")
    with float_type("float64"):
        solver = build_solver(preset, schedule, seed=0, verbose=0)
        batch = fixed_batch(solver, 256, seed=0)
        value_and_grad, get_flat = flat_value_and_gradient(solver, batch, jit_compile=False)
        flat = tf.constant(get_flat())
        loss, grad, terms = value_and_grad(flat)
        rho, jac, rterms = flat_residuals(solver, batch)(flat, True)
        with tf.GradientTape() as tape:
            stacked, _ = solver.residual_vector(batch)
        pfor = tf.concat([tf.reshape(b, [stacked.shape[0], -1]) for b in tape.jacobian(
            stacked, solver.trainable_variables, unconnected_gradients=tf.UnconnectedGradients.ZERO)], axis=1)
    np.testing.assert_allclose(jac.numpy(), pfor.numpy(), rtol=1e-9, atol=1e-12 * float(np.abs(pfor.numpy()).max()))
    assert float(tf.reduce_sum(rho ** 2)) == pytest.approx(float(loss), rel=1e-12)
    np.testing.assert_allclose(2.0 * jac.numpy().T @ rho.numpy(), grad.numpy(), rtol=1e-9,
                               atol=1e-12 * float(np.abs(grad.numpy()).max()))
    assert {k: pytest.approx(float(v), rel=1e-12) for k, v in terms.items()} == {k: float(v) for k, v in rterms.items()}


@pytest.mark.slow
def test_a_pinn_levenberg_marquardt_phase_lowers_the_loss_below_lbfgs_at_equal_iterations():
    from pinnzoo import get_preset

    preset = get_preset("burgers")
    schedule = preset.schedule.quick().replace(lbfgs={"maxiter": 40, "log_every": 20}, dtype="float64")
    losses = {}
    for name in ("lbfgs", "lm"):
        result = preset.train(seed=0, verbose=0, schedule=schedule, optimizer=name)
        assert result.history["lbfgs_info"]["iterations"] > 0
        losses[name] = result.history["lbfgs"]["loss"][-1]
    assert losses["lm"] < losses["lbfgs"]



@pytest.mark.parametrize("shape", [(40, 12), (12, 40)])
def test_the_damped_step_is_the_same_in_the_weights_space_and_in_the_residuals_space(shape):
    """More residuals than weights: the n × n system; fewer: its M × M Woodbury form. Both are (JᵀJ + μD)⁻¹Jᵀρ."""
    from pinnzoo.optimizers.least_squares import _DampedStep

    rng = np.random.default_rng(4)
    J, r = rng.normal(size=shape), rng.normal(size=shape[0])
    D = np.einsum("ij,ij->j", J, J)
    for mu in (1e-6, 1e-2, 10.0):
        expected = np.linalg.solve(J.T @ J + mu * np.diag(D), -J.T @ r)
        np.testing.assert_allclose(_DampedStep(J, r)(mu), expected, rtol=1e-7, atol=1e-10)
