"""The all-at-once (penalty) formulation of darcy_inverse: residual without a solve, dual norm, the solver."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.grids import DarcyInverse
from pinnzoo.operators.grid import diffusion_matrix, face_coefficients
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit
from pinnzoo.families.grid_inverse.fit import build_coupled_solver, fit_coefficient
from pinnzoo.priors import PriorSpec
from pinnzoo.solvers import CoupledCoefficientSolver

MULTISCALE = PriorSpec("multiscale_grid", GRID_PRIOR_CONFIGS.get("multiscale_grid", {}))


def test_the_discrete_solution_puts_the_residual_to_zero_and_nothing_else_does():
    p = DarcyInverse(m=32)
    theta = tf.constant(np.log(p.truth))
    r = p.forward.residual(theta, tf.constant(p.solution)).numpy()
    assert np.abs(r).max() < 1e-10 * np.abs(p.forward.rhs).max()
    wrong = p.forward.residual(theta + 0.1, tf.constant(p.solution)).numpy()  # another coefficient
    assert np.abs(wrong).max() > 0.05


def test_the_residual_equals_the_sparse_matrix_product():
    p = DarcyInverse(m=12)
    rng = np.random.default_rng(2)
    theta, u = rng.uniform(0.5, 2.5, (12, 12)), rng.standard_normal((12, 12))
    fx, fy = (f.numpy() for f in face_coefficients(tf.exp(tf.constant(theta))))
    expected = (diffusion_matrix(fx, fy) @ u.ravel() - p.forward.rhs).reshape(12, 12)
    got = p.forward.residual(tf.constant(theta), tf.constant(u)).numpy()
    assert np.abs(got - expected).max() < 1e-10 * np.abs(expected).max()


def test_the_dual_norm_inverts_the_reference_scheme_exactly():
    p = DarcyInverse(m=16)
    solver = build_coupled_solver(p, MULTISCALE, MULTISCALE, 10.0, preconditioned=True)
    u = tf.constant(np.random.default_rng(0).random((16, 16)))
    theta = tf.constant(np.full((16, 16), 0.5 * np.log(p.low * p.high)))
    applied = p.forward.residual(theta, u) + tf.constant(p.forward.rhs.reshape(16, 16))
    assert np.abs(solver._measure(applied).numpy() - u.numpy()).max() < 1e-10


@pytest.mark.parametrize("preconditioned", [False, True])
def test_a_short_coupled_fit_lowers_its_loss_and_round_trips_its_config(preconditioned):
    p = DarcyInverse(m=16)
    solver = build_coupled_solver(p, MULTISCALE, MULTISCALE, 10.0, preconditioned=preconditioned)
    first = {k: float(v) for k, v in solver.loss_terms().items()}
    log = fit_coefficient(solver, GridFit(lbfgs_iterations=40, log_every=10))["lbfgs"]
    assert log["loss"][-1] < 0.1 * (first["misfit"] + 10.0 * first["residual"])
    assert {"misfit", "residual", "solved_misfit", "error", "wrong_phase"} <= set(log)
    again = CoupledCoefficientSolver.from_config(solver.get_config())
    assert again.preconditioned == preconditioned and again.residual_weight == 10.0
    assert len(again.trainable_variables) == len(solver.trainable_variables) > len(solver.prior.trainable_variables)


def test_bad_coupled_settings_are_named_errors():
    p = DarcyInverse(m=16)
    with pytest.raises(InputError, match="residual_weight"):
        build_coupled_solver(p, MULTISCALE, MULTISCALE, 0.0)
    with pytest.raises(InputError, match="ImageGenerator"):
        CoupledCoefficientSolver(p, MULTISCALE.build(1), keras.Sequential([keras.layers.Dense(1)]))
