"""The PINN solver: residual, hard constraints, training, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import small_solver
from pinnzoo.dtypes import float_type
from pinnzoo.errors import ProblemError
from pinnzoo.problems import Burgers
from pinnzoo.sampling import collocation_dataset, fixed_batch, residual_adaptive_points
from pinnzoo.solvers import PINNSolver, lbfgs_refine

NU = 0.01 / np.pi


def test_residual_equals_finite_difference_estimate(rng):
    solver = small_solver(widths=(32, 32), dtype="float64", seed=1)
    pts = rng.uniform([-0.9, 0.1], [0.9, 0.9], (64, 2))
    r = solver.residual(pts)["residual"].numpy()
    h = 1e-4
    ex, et = np.array([h, 0.0]), np.array([0.0, h])
    u = solver.predict_numpy
    u0 = u(pts)
    fd = ((u(pts + et) - u(pts - et)) / (2 * h) + u0 * (u(pts + ex) - u(pts - ex)) / (2 * h)
          - NU * (u(pts + ex) - 2 * u0 + u(pts - ex)) / h ** 2)
    np.testing.assert_allclose(r, fd, rtol=1e-5, atol=1e-7)
    assert np.abs(r).max() > 1e-3  # an untrained network does not solve Burgers


def test_exact_solution_has_near_zero_residual():
    """Put the Cole-Hopf field into the residual through the solver's derivative machinery."""
    problem = Burgers()

    class Exact(keras.Model):  # a prior that *is* the exact solution, via a fine spline-free closed form
        def call(self, s):  # s is the box-normalised input; undo it
            x, t = s[:, :1], (s[:, 1:] + 1) / 2
            # smooth early-time solution from the heat-kernel integral, evaluated with tf ops
            z, w = np.polynomial.hermite.hermgauss(80)
            y = x - tf.sqrt(4 * NU * t) * tf.constant(z[None, :], x.dtype)
            g = -tf.cos(np.pi * y) / (2 * np.pi * NU)
            e = tf.constant(w[None, :], x.dtype) * tf.exp(g - tf.reduce_max(g, axis=1, keepdims=True))
            return -tf.reduce_sum(tf.sin(np.pi * y) * e, axis=1, keepdims=True) / tf.reduce_sum(e, axis=1,
                                                                                                keepdims=True)

    with float_type("float64"):
        solver = PINNSolver(problem, Exact())
    pts = np.random.default_rng(0).uniform([-1, 0.05], [1, 0.25], (200, 2))
    r = solver.residual(pts)
    assert np.abs(r["residual"].numpy()).max() < 1e-6 * np.abs(r["u_t"].numpy()).max() + 1e-8
    np.testing.assert_allclose(solver.predict_numpy(pts)[:, 0], problem.reference(pts)[:, 0], atol=1e-10)


def test_hard_constraint_satisfies_conditions_exactly(rng):
    solver = small_solver(hard=True, seed=2)
    x = rng.uniform(-1, 1, (50, 1))
    t = rng.uniform(0, 1, (50, 1))
    u0 = solver.predict_numpy(np.hstack([x, 0 * x]))
    np.testing.assert_allclose(u0, -np.sin(np.pi * x), atol=1e-6)
    for side in (-1.0, 1.0):
        np.testing.assert_allclose(solver.predict_numpy(np.hstack([side + 0 * t, t])), 0, atol=1e-6)
    assert [c.name for c in solver.conditions] == []
    assert [c.name for c in small_solver().conditions] == ["initial", "boundary"]


def test_short_fit_lowers_every_loss_term():
    solver = small_solver(widths=(20, 20, 20), seed=0)
    solver.compile(optimizer=keras.optimizers.Adam(3e-3), jit_compile=True, steps_per_execution=20)
    batch = fixed_batch(solver, 1024, seed=0)
    before = {k: float(v) for k, v in solver.loss_terms(batch).items()}
    hist = solver.fit(collocation_dataset(solver, 1024, seed=0), epochs=3, steps_per_epoch=100, verbose=0,
                      shuffle=False)
    after = {k: float(v) for k, v in solver.loss_terms(batch).items()}
    assert set(before) == {"residual", "initial", "boundary"}
    for k in before:
        assert after[k] < before[k], (k, before[k], after[k])
        assert k in hist.history and len(hist.history[k]) == 3


def test_loss_weights_are_applied_and_checked():
    solver = small_solver(loss_weights={"initial": 10.0})
    batch = fixed_batch(solver, 256, seed=0)
    terms = solver.loss_terms(batch)
    expected = float(terms["residual"] + 10 * terms["initial"] + terms["boundary"])
    assert float(solver.total_loss(terms)) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(ProblemError, match="unknown terms"):
        small_solver(loss_weights={"nonsense": 1.0})


def test_keras_save_load_continue_gives_the_same_loss(tmp_path):
    solver = small_solver(hard=True, seed=4, loss_weights={"residual": 2.0})
    solver.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=False)
    data = collocation_dataset(solver, 256, seed=0, resample=False)
    solver.fit(data, epochs=1, steps_per_epoch=5, verbose=0, shuffle=False)
    path = tmp_path / "burgers.keras"
    solver.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, PINNSolver)
    assert loaded.get_config()["loss_weights"] == {"residual": 2.0}
    assert loaded.hard_constraints and loaded.problem.params == solver.problem.params
    batch = fixed_batch(solver, 256, seed=9)
    assert float(loaded.total_loss(loaded.loss_terms(batch))) == pytest.approx(
        float(solver.total_loss(solver.loss_terms(batch))), rel=1e-6)
    # Continue training both from the same state: same losses (optimizer state restored too).
    h1 = solver.fit(data, epochs=1, steps_per_epoch=5, verbose=0, shuffle=False)
    h2 = loaded.fit(data, epochs=1, steps_per_epoch=5, verbose=0, shuffle=False)
    assert h1.history["loss"][0] == pytest.approx(h2.history["loss"][0], rel=1e-5)


def test_lbfgs_refinement_lowers_loss_and_logs_history():
    solver = small_solver(hard=True, seed=5)
    batch = fixed_batch(solver, 512, seed=0)
    start = float(solver.total_loss(solver.loss_terms(batch)))
    hist = lbfgs_refine(solver, batch, maxiter=60, log_every=20, verbose=0, jit_compile=False)
    end = float(solver.total_loss(solver.loss_terms(batch)))
    assert end < 0.5 * start
    assert len(hist.history["loss"]) == 3 and hist.lbfgs["iterations"] == 60
    assert hist.history["loss"][-1] == pytest.approx(end, rel=1e-4)


def test_lbfgs_stops_when_a_callback_asks():
    class Stop(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            self.model.stop_training = True

    solver = small_solver(seed=6)
    hist = lbfgs_refine(solver, fixed_batch(solver, 256), maxiter=500, log_every=10, callbacks=[Stop()],
                        verbose=0, jit_compile=False)
    assert hist.lbfgs["iterations"] == 10


def test_rad_points_follow_the_residual():
    solver = small_solver(seed=8, dtype="float64", hard=True)
    candidates = solver.problem.domain.sample(20000, np.random.default_rng(0))
    r = np.abs(solver.residual(candidates)["residual"].numpy()[:, 0])
    top_decile = np.quantile(r, 0.9)

    def share_in_top_decile(p):
        return float(np.mean(np.abs(solver.residual(p)["residual"].numpy()[:, 0]) > top_decile))

    focused = residual_adaptive_points(solver, 1000, seed=1, k=4.0, c=0.0, candidates=20000)
    spread = residual_adaptive_points(solver, 1000, seed=1, k=0.0, c=1.0, candidates=20000)
    assert solver.problem.domain.contains(focused).all()
    assert share_in_top_decile(focused) > 0.3  # uniform sampling puts 10 % there
    assert 0.05 < share_in_top_decile(spread) < 0.15


def test_float64_solver_reloads_in_float64(tmp_path):
    solver = small_solver(dtype="float64", seed=3)
    solver.save(tmp_path / "s.keras")
    loaded = keras.saving.load_model(tmp_path / "s.keras")
    assert loaded.compute_dtype == "float64"
    assert all(w.dtype == "float64" for w in loaded.weights)
    pts = np.random.default_rng(0).uniform(-1, 1, (20, 2))
    np.testing.assert_allclose(loaded.predict_numpy(pts), solver.predict_numpy(pts), atol=1e-14)


def test_causal_weighting_discounts_later_times_until_earlier_ones_are_resolved():
    solver = small_solver(causal={"coordinate": "t", "chunks": 4, "epsilon": 1.0})
    t = np.repeat([0.1, 0.3, 0.6, 0.9], 5)[:, None].astype(np.float32)
    f = {"t": tf.constant(t)}
    per_chunk = np.array([2.0, 1.0, 0.5, 3.0], np.float32)
    sq = tf.constant(np.repeat(per_chunk, 5)[:, None])
    weights = np.exp(-np.array([0.0, 2.0, 3.0, 3.5]))
    assert float(solver._residual_mean(sq, f)) == pytest.approx(float(np.mean(weights * per_chunk)), rel=1e-6)
    # the gradient does not flow through the weights: d/d(sq) is w_i / (M * n_i)
    with tf.GradientTape() as tape:
        tape.watch(sq)
        value = solver._residual_mean(sq, f)
    np.testing.assert_allclose(tape.gradient(value, sq).numpy()[::5, 0], weights / 4 / 5, rtol=1e-6)
    plain = small_solver()
    assert float(plain._residual_mean(sq, f)) == pytest.approx(float(np.mean(np.repeat(per_chunk, 5))), rel=1e-6)
    with pytest.raises(ProblemError, match="causal"):
        small_solver(causal={"coordinate": "z", "chunks": 4, "epsilon": 1.0})


@pytest.mark.slow
def test_inverse_problem_identifies_its_coefficient_and_exports_it(tmp_path):
    from pinnzoo.export import evaluate_export, read_metadata
    from pinnzoo.presets import get_preset
    from pinnzoo import train

    preset = get_preset("heat_inverse")
    schedule = preset.schedule.replace(adam={"epochs": 2, "steps_per_epoch": 200, "steps_per_execution": 50},
                                       collocation={"points": 512},
                                       lbfgs={"maxiter": 300, "points": 1024, "log_every": 100})
    result = train(preset, schedule=schedule, out=tmp_path / "inv", verbose=0)
    a = result.metrics["param_a"]
    assert abs(a - 0.4) < 0.1 * abs(0.1 - 0.4), a  # from 0.1 to within a tenth of the way to 0.4
    assert "a" in result.history["adam"] and result.history["adam"]["a"][0] != result.history["adam"]["a"][-1]
    assert "data" in result.history["adam"]
    meta = read_metadata(tmp_path / "inv")
    assert meta["identified_params"]["a"] == pytest.approx(a, rel=1e-6)
    ev = evaluate_export(tmp_path / "inv")
    assert ev["metrics"]["param_a"] == pytest.approx(a, rel=1e-6) and ev["matches_metadata"]


@pytest.mark.slow
def test_inner_steps_equal_as_many_single_steps():
    """``inner_steps = k`` runs k Adam steps on the batch inside one compiled call: same weights as k calls."""
    import keras
    import tensorflow as tf

    from pinnzoo.sampling import fixed_batch

    batch = None
    weights = []
    for inner, calls in ((1, 5), (5, 1)):
        solver = small_solver(seed=4, inner_steps=inner)
        solver.compile(optimizer=keras.optimizers.Adam(1e-2), jit_compile=True)
        batch = batch or fixed_batch(solver, 256, seed=0)
        step = tf.function(solver.train_step, jit_compile=True)
        for _ in range(calls):
            step(batch)
        assert int(solver.optimizer.iterations.numpy()) == 5
        weights.append([v.numpy() for v in solver.trainable_variables])
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    with pytest.raises(ProblemError, match="inner_steps"):
        small_solver(inner_steps=0)


def test_condition_points_sets_points_per_condition_term_and_round_trips():
    from pinnzoo.priors import MLP

    solver = PINNSolver(Burgers(), MLP((8,)), condition_points={"initial": 37})
    counts = {c.name: c.n_points for c in solver.conditions}
    defaults = {c.name: c.n_points for c in Burgers().conditions()}
    assert counts["initial"] == 37 and all(counts[k] == defaults[k] for k in counts if k != "initial")
    batch = fixed_batch(solver, 64, seed=0)
    drawn = next(iter(collocation_dataset(solver, 64, seed=0)))
    assert batch["initial"].shape == (37, 2) and drawn["initial"].shape == (37, 2)
    np.testing.assert_array_equal(batch["initial"].numpy()[:, 1], 0.0)  # still on the initial face
    twin = PINNSolver.from_config(solver.get_config())
    assert {c.name: c.n_points for c in twin.conditions} == counts
    for bad in ({"nowhere": 10}, {"initial": 0}, {"initial": "many"}, [("initial",)]):
        with pytest.raises(ProblemError, match="condition_points"):
            PINNSolver(Burgers(), MLP((8,)), condition_points=bad)
