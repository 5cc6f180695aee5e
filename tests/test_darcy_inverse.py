"""Coefficient recovery: the differentiable Darcy solve, its adjoint gradient, the problem's data, the solver, export."""

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.callbacks import DiscrepancyStopping
from pinnzoo.errors import InputError
from pinnzoo.export import evaluate_export, load_export
from pinnzoo.grids import DarcyGrid, DarcyInverse
from pinnzoo.operators import Diffusion
from pinnzoo.operators.grid import diffusion_matrix
from pinnzoo.presets import GridFit, TunedBaseline, get_preset
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.priors import PriorSpec
from pinnzoo.regularizers import H1Penalty, TVPenalty, dirichlet_energy


def test_vectorised_assembly_equals_the_loop_assembly():
    op = Diffusion(np.random.default_rng(0).uniform(0.5, 5.0, (9, 9)))
    assert abs(diffusion_matrix(op.face_x, op.face_y) - op.matrix()).max() < 1e-9 * abs(op.matrix()).max()


def test_the_forward_solve_is_the_discrete_darcy_solution_and_the_truth_explains_the_data():
    p = DarcyInverse(m=32, noise=0.01)
    u = p.forward(tf.constant(np.log(p.truth))).numpy()
    ref = DarcyGrid(32, 0).discrete_solution()
    assert np.abs(u - ref).max() < 1e-12 * np.abs(ref).max()
    assert p.data.shape == (16, 16)
    # the misfit at the truth is the noise's own mean square / sigma^2: chi-square / N, about 1
    assert 0.8 < p.scores(p.truth)["misfit"] < 1.2
    assert p.scores(p.truth)["rel_l2"] == 0.0 and p.scores(p.truth)["wrong_phase"] == 0.0


def test_the_adjoint_state_gradient_agrees_with_finite_differences():
    p = DarcyInverse(m=16, stride=2)
    rng = np.random.default_rng(1)
    theta = tf.Variable(np.log(p.truth) + 0.3 * rng.standard_normal(p.shape))
    with tf.GradientTape() as tape:
        value = p.misfit(theta)
    grad = tape.gradient(value, theta).numpy()
    d = rng.standard_normal(p.shape)
    eps = 1e-6
    fd = (float(p.misfit(theta + eps * d)) - float(p.misfit(theta - eps * d))) / (2 * eps)
    assert float(np.sum(grad * d)) == pytest.approx(fd, rel=1e-6)


def test_penalties_vanish_on_constants_and_measure_a_ramp():
    x = np.tile(np.arange(8.0), (8, 1))[None, :, :, None]
    assert float(dirichlet_energy(tf.constant(np.ones_like(x)))) == 0.0
    assert float(dirichlet_energy(tf.constant(x))) == pytest.approx(8 * 7 / 64)
    assert float(H1Penalty(2.0)(tf.constant(x))) == pytest.approx(2 * 8 * 7 / 64)
    tv = (56 * np.sqrt(1 + 1e-6) + 8 * 1e-3) / 64 - 1e-3  # 56 unit steps, smoothed by eps = 1e-6
    assert float(TVPenalty(1.0)(tf.constant(x))) == pytest.approx(tv, rel=1e-9)
    with pytest.raises(InputError):
        H1Penalty(-1.0)


def test_bad_problem_parameters_are_named_errors():
    with pytest.raises(InputError, match="stride"):
        DarcyInverse(m=16, stride=0)
    with pytest.raises(InputError, match="noise"):
        DarcyInverse(m=16, noise=-0.1)


def test_a_regularised_fit_reduces_the_error_and_the_discrepancy_rule_stops_it():
    p = DarcyInverse(m=16)
    solver = build_coefficient_solver(p, PriorSpec("raw_grid", {}), H1Penalty(1.0))
    start = p.scores(solver.solution())["rel_l2"]
    stop = DiscrepancyStopping(tau=1e9)  # fires at the first epoch
    fit_coefficient(solver, GridFit(lbfgs_iterations=200, log_every=5), [stop])
    assert stop.stopped_at == 1
    history = fit_coefficient(solver, GridFit(lbfgs_iterations=150, log_every=50))
    assert history["lbfgs"]["misfit"][-1] < history["lbfgs"]["misfit"][0]
    assert p.scores(solver.solution())["rel_l2"] < 0.8 * start
    a = solver.solution()
    assert a.min() >= p.low - 1e-9 and a.max() <= p.high + 1e-9  # the sigmoid keeps a within the phases


def test_tuned_baseline_picks_its_best_weight():
    p = DarcyInverse(m=16)
    result = TunedBaseline("tv", (0.1, 10.0), iterations=30).run(p)
    assert result["rel_l2"] == min(r["rel_l2"] for r in result["sweep"])
    assert {r["weight"] for r in result["sweep"]} == {0.1, 10.0}


def test_the_no_truth_baseline_takes_the_weight_whose_misfit_is_nearest_the_noise_level():
    from pinnzoo.families.grid_inverse.preset import discrepancy_pick, no_truth_baselines

    p = DarcyInverse(m=16)
    sweep = TunedBaseline("h1", (0.01, 1.0, 1e4), iterations=40).run(p)["sweep"]
    misfits = [r["misfit"] for r in sweep]
    assert misfits[0] < 1.0 < misfits[-1]  # too weak fits the noise, too strong cannot reach it
    pick = discrepancy_pick(sweep, 1.0)
    assert abs(pick["misfit"] - 1.0) == min(abs(m - 1.0) for m in misfits)
    assert discrepancy_pick(sweep, 1e9)["misfit"] == max(misfits) and discrepancy_pick(sweep, 0.0)["misfit"] == min(misfits)
    blind = no_truth_baselines([{"method": "H1", "sweep": sweep}], None)
    assert blind == [{"method": "H1", "rule": "discrepancy", **pick}]
    with pytest.raises(InputError):
        discrepancy_pick([], 1.0)


def test_darcy_inverse_quick_train_exports_and_evaluates(tmp_path):
    result = get_preset("darcy_inverse").train(quick=True, out=tmp_path / "inv", verbose=0)
    model, meta = load_export(tmp_path / "inv")
    a = model.signatures["serving_default"]()["a"].numpy()
    np.testing.assert_allclose(a, result.solver.solution(), rtol=1e-6)
    report = evaluate_export(tmp_path / "inv")
    assert report["matches_metadata"]
    assert report["metrics"]["u_vs_served"] < 1e-5
    assert report["metrics"]["rel_l2"] == pytest.approx(meta["metrics"]["rel_l2"], rel=1e-4)
    blind = report["no_truth_baselines"]
    assert [b["method"] for b in blind] == [b["method"] for b in meta["baselines"]]
    assert report["no_truth_target"] == min(b["rel_l2"] for b in blind) >= report["target"]  # the oracle's is best


def test_input_noise_perturbs_only_the_steps_and_is_kept_in_the_config():
    from pinnzoo.solvers import CoefficientSolver

    p = DarcyInverse(m=16)
    spec = PriorSpec("deep_decoder", {"channels": 8, "layers": 2})
    noisy = build_coefficient_solver(p, spec, learning_rate=1e-3, input_noise_std=0.1)
    clean = build_coefficient_solver(p, spec, learning_rate=1e-3)
    before = noisy.solution()
    assert np.array_equal(before, clean.solution())  # same seed, same weights: the input noise is not in the solution
    fit_coefficient(noisy, GridFit(adam_steps=3, log_every=3))
    fit_coefficient(clean, GridFit(adam_steps=3, log_every=3))
    assert np.array_equal(noisy.step_inputs.numpy(), noisy.inputs.numpy())  # z restored after the steps
    assert np.array_equal(noisy.solution(), noisy.solution())
    assert not np.allclose(noisy.solution(), clean.solution(), rtol=0, atol=1e-9)  # the steps saw other inputs
    assert CoefficientSolver.from_config(noisy.get_config()).input_noise_std == 0.1
    with pytest.raises(InputError, match="input_noise_std"):
        build_coefficient_solver(p, spec, input_noise_std=-1.0)
