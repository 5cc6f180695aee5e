"""Library pieces of the PINN frontier: weight factorisation, modified MLP, gradient-norm balancing."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import small_preset, small_solver, tiny_schedule
from pinnzoo.callbacks import GradNormBalancing
from pinnzoo.dtypes import float_type
from pinnzoo.priors import MLP, FactorizedDense, ModifiedMLP
from pinnzoo.problems import Burgers, tape_derivatives
from pinnzoo.sampling import fixed_batch
from pinnzoo.solvers import PINNSolver


def test_factorized_dense_starts_as_its_glorot_kernel_and_trains_both_factors():
    layer = FactorizedDense(50, mean=1.0, std=0.1, seed=3)
    layer.build((None, 40))
    s = layer.log_scale.numpy()
    assert abs(s.mean() - 1.0) < 0.05 and 0.05 < s.std() < 0.15
    w = layer.kernel.numpy()
    assert abs(w.std() - np.sqrt(2 / 90)) < 0.02                # Glorot-normal scale of the product
    np.testing.assert_allclose(w, layer.direction.numpy() * np.exp(s)[None], rtol=1e-6)
    x = tf.random.normal((8, 40))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(layer(x) ** 2)
    g = tape.gradient(y, [layer.log_scale, layer.direction, layer.bias])
    assert all(gi is not None and float(tf.reduce_max(tf.abs(gi))) > 0 for gi in g)


@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-5)])
def test_factorized_mlp_taylor_mode_agrees_with_tapes(dtype, tol):
    from pinnzoo.solvers.taylor import taylor_derivatives

    keras.utils.set_random_seed(0)
    with float_type(dtype):
        solver = PINNSolver(Burgers(), MLP((16, 16), factorization={"mean": 1.0, "std": 0.1}))
    pts = tf.constant(np.random.default_rng(0).uniform([-1, 0], [1, 1], (50, 2)), dtype)
    req = ["u_x", "u_t", "u_xx", "u_xt"]
    a = tape_derivatives(solver, pts, ("x", "t"), ("u",), req)
    b = taylor_derivatives(solver, pts, ("x", "t"), ("u",), req)
    for k in ["u", *req]:
        scale = max(1.0, float(np.abs(a[k].numpy()).max()))
        np.testing.assert_allclose(b[k].numpy(), a[k].numpy(), atol=tol * scale, err_msg=k)


def test_factorized_mlp_survives_saving(tmp_path):
    keras.utils.set_random_seed(0)
    solver = PINNSolver(Burgers(), MLP((8, 8), factorization={"mean": 0.5, "std": 0.2}, seed=4))
    x = tf.constant([[0.1, 0.2], [-0.3, 0.9]])
    solver.save(tmp_path / "m.keras")
    again = keras.saving.load_model(tmp_path / "m.keras")
    assert again.prior.factorization == {"mean": 0.5, "std": 0.2}
    np.testing.assert_allclose(again(x).numpy(), solver(x).numpy(), atol=1e-6)


def test_modified_mlp_computes_its_gated_formula():
    keras.utils.set_random_seed(1)
    net = ModifiedMLP((12, 12, 12), out_dim=2)
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    y = net(x).numpy()

    def dense(layer, a):
        return np.tanh(a @ layer.kernel.numpy() + layer.bias.numpy())

    u, v = dense(net.encoder_u, x), dense(net.encoder_v, x)
    h = dense(net.hidden[0], x)
    for layer in net.hidden[1:]:
        z = dense(layer, h)
        h = (1 - z) * u + z * v
    expected = h @ net.head.kernel.numpy() + net.head.bias.numpy()
    np.testing.assert_allclose(y, expected, atol=1e-5)
    with pytest.raises(ValueError, match="equal hidden widths"):
        ModifiedMLP((8, 16))


def test_modified_mlp_in_a_solver_uses_tapes_under_the_taylor_engine():
    keras.utils.set_random_seed(0)
    solver = PINNSolver(Burgers(), ModifiedMLP((8, 8)), derivatives="taylor")
    ref = PINNSolver(Burgers(), solver.prior)
    batch = fixed_batch(solver, 64, seed=0)
    a, b = solver.loss_terms(batch), ref.loss_terms(batch)
    for k in a:
        np.testing.assert_allclose(float(a[k]), float(b[k]), rtol=1e-5)


def test_grad_norm_balancing_equalises_weighted_gradient_norms():
    solver = small_solver(widths=(16, 16))
    solver.compile(optimizer=keras.optimizers.Adam(1e-3))
    batch = fixed_batch(solver, 256, seed=0)
    cb = GradNormBalancing(batch, every=1, alpha=0.0)
    cb.set_model(solver)
    norms = cb.gradient_norms()
    assert len(norms) >= 3 and len(set(np.round(list(norms.values()), 6))) == len(norms)   # unequal to start
    weights = cb.update()
    weighted = [weights[k] * norms[k] for k in norms]
    np.testing.assert_allclose(weighted, sum(norms.values()), rtol=1e-6)
    after = cb.gradient_norms()                                  # the solver now uses the new weights
    np.testing.assert_allclose([float(solver.term_weights[k].numpy()) for k in norms], [weights[k] for k in norms])
    np.testing.assert_allclose(list(after.values()), list(norms.values()), rtol=1e-5)   # raw norms unchanged
    cb.alpha = 0.5
    w2 = cb.update()
    for k in norms:                                             # moving average with the previous weights
        np.testing.assert_allclose(w2[k], 0.5 * weights[k] + 0.5 * sum(norms.values()) / norms[k], rtol=1e-5)


def test_schedule_balance_every_drives_the_weights_during_adam():
    from pinnzoo import train

    preset = small_preset("_balanced_heat", widths=(16, 16), schedule=tiny_schedule(balance_every=25))
    result = train(preset, verbose=0)
    weights = {k: float(v.numpy()) for k, v in result.solver.term_weights.items() if k != "data"}
    assert set(weights) == {"residual", "initial", "boundary"}
    assert all(np.isfinite(w) and w > 0 for w in weights.values())
    assert any(abs(w - 1.0) > 1e-3 for w in weights.values()), weights


def test_rad_points_follow_the_residual():
    """RAD keeps points with probability ∝ |r|^k / mean|r|^k + c: k = 2, c = 0 concentrates them where the
    residual is large; k = 0 is uniform sampling."""
    from pinnzoo.sampling import residual_adaptive_points

    solver = small_solver(widths=(16, 16), seed=3, hard=True)  # residual ∝ sin 2πx near t = 0: uneven
    rng = np.random.default_rng(5)

    def mean_residual(points):
        return float(np.mean(np.abs(solver.residual(points.astype(np.float32))["residual"].numpy())))

    uniform = mean_residual(solver.problem.domain.sample(2000, rng))
    focused = residual_adaptive_points(solver, 2000, seed=0, k=2.0, c=0.0, candidates=16384)
    spread = residual_adaptive_points(solver, 2000, seed=0, k=0.0, c=1.0, candidates=16384)
    assert focused.shape == (2000, 2)
    assert mean_residual(focused) > 1.5 * uniform  # measured 1.78 vs 1.03
    assert abs(mean_residual(spread) / uniform - 1) < 0.15


def test_recast_copies_the_solver_into_float64_with_the_same_function():
    from pinnzoo.presets import get_preset

    keras.utils.set_random_seed(2)
    solver = get_preset("wave1d").build()  # Fourier features (a non-trainable weight) + MLP, hard constraint
    twin = solver.recast("float64", derivatives="taylor")
    assert {w.dtype for w in twin.weights} == {"float64"} and twin.derivatives == "taylor"
    points = np.random.default_rng(0).uniform(size=(200, 2))
    np.testing.assert_allclose(twin.predict_numpy(points), solver.predict_numpy(points), atol=2e-6)
    f32 = solver.fields(tf.constant(points, tf.float32), ("u_tt", "u_xx"))
    f64 = twin.fields(tf.constant(points), ("u_tt", "u_xx"))
    for k in ("u_tt", "u_xx"):
        np.testing.assert_allclose(f64[k].numpy(), f32[k].numpy(), rtol=1e-3, atol=1e-3 * np.abs(f64[k]).max())


@pytest.mark.slow
def test_float32_lbfgs_continues_in_float64_where_it_stalls(tmp_path):
    """A float32 L-BFGS run stops once a step no longer changes the loss at float32 resolution; with
    a continuation the iterations left run on a float64 copy, which goes lower and is exported."""
    from pinnzoo.export import evaluate_export, read_metadata
    from pinnzoo.presets import Continuation
    from pinnzoo import train

    preset = small_preset(schedule=tiny_schedule(lbfgs=4000), solver={"hard_constraints": True})
    plain = train(preset, verbose=0, seed=5)
    stop32 = plain.lbfgs_iterations
    assert stop32 < 4000 and "RELATIVE REDUCTION" in plain.history["lbfgs_info"]["message"]  # the stall

    cont = preset.schedule.replace(lbfgs={"continuation": Continuation("float64")})
    result = train(preset, schedule=cont, verbose=0, seed=5, out=tmp_path / "m")
    info = result.history["lbfgs_info"]
    assert info["continued_at"] == stop32 and result.lbfgs_iterations > stop32  # same float32 run, then more
    assert result.solver.compute_dtype == "float64"
    assert info["best_loss"] < 0.9 * plain.history["lbfgs_info"]["best_loss"]
    assert len(result.history["lbfgs"]["loss"]) == -(-stop32 // 500) + -(-(result.lbfgs_iterations - stop32) // 500)
    meta = read_metadata(tmp_path / "m")
    assert meta["training"]["dtype"] == "float64" and meta["training"]["lbfgs_continued_at"] == stop32
    assert "float32: " in meta["training"]["lbfgs_stops"][0] and "float64: " in meta["training"]["lbfgs_stops"][0]
    assert evaluate_export(tmp_path / "m")["matches_metadata"]


def test_lbfgs_resampling_draws_fresh_points_and_shares_the_budget(monkeypatch):
    """``resample_every``: L-BFGS runs in pieces, each on a new point set (the first one is the set a run
    without resampling uses), for ``maxiter`` iterations in all."""
    import pinnzoo.families.pinn.fit as training

    seen = []
    real = training.lbfgs_refine

    def recording(solver, batch, maxiter, **kwargs):
        seen.append((batch["residual"].numpy(), maxiter))
        return real(solver, batch, maxiter=maxiter, **kwargs)

    monkeypatch.setattr(training, "lbfgs_refine", recording)
    schedule = tiny_schedule(steps=20, execution=10, points=128, lbfgs=90, lbfgs_points=128, log_every=30,
                             resample_every=30)
    preset = small_preset("_heat_rs", schedule=schedule, solver={"hard_constraints": True})
    result = training.train_pinn(preset, verbose=0, seed=4)
    assert [m for _, m in seen] == [30, 30, 30] and result.lbfgs_iterations == 90
    assert len(result.history["lbfgs"]["loss"]) == 3
    sets = [pts for pts, _ in seen]
    assert all(not np.allclose(a, b) for i, a in enumerate(sets) for b in sets[i + 1:])
    solver = training.build_solver(preset, schedule, 4)
    np.testing.assert_array_equal(sets[0], fixed_batch(solver, 128, seed=5)["residual"].numpy())
    assert result.history["lbfgs_info"]["message"].count("float32: ") == 3


@pytest.mark.parametrize("part, change, message", [
    ("LBFGSPhase", {"sampling": "grid"}, "sampling"),
    ("LBFGSPhase", {"resample_every": -5}, "resample_every"),
    ("LBFGSPhase", {"points": 0}, "points"),
    ("Continuation", {"dtype": "float65"}, "dtype"),
    ("Continuation", {"derivatives": "magic"}, "derivatives"),
    ("Continuation", {"maxiter": 0}, "maxiter"),
    ("AdamPhase", {"epochs": -1}, "epochs"),
    ("Collocation", {"points": 0}, "points"),
    ("Balancing", {"alpha": 1.5}, "alpha"),
])
def test_bad_schedule_settings_are_rejected_when_the_schedule_is_written(part, change, message):
    """A schedule checks itself: bad values fail with a TrainingError naming the field, before any training."""
    import pinnzoo.presets as presets
    from pinnzoo.errors import TrainingError

    with pytest.raises(TrainingError, match=message):
        getattr(presets, part)(**change)


def test_parallel_mlp_branches_share_nothing_and_survive_serialization():
    from pinnzoo.priors import ParallelMLP

    net = ParallelMLP((8, 8), out_dim=2, seed=3)
    x = tf.constant(np.random.default_rng(0).uniform(-1, 1, (16, 2)), tf.float32)
    y = net(x)
    assert y.shape == (16, 2)
    np.testing.assert_allclose(y[:, 1:].numpy(), net.branch(1, x).numpy(), rtol=1e-6)
    with tf.GradientTape() as tape:
        first = tf.reduce_sum(net(x)[:, 0])
    grads = tape.gradient(first, [v for layer in net.branches[1] for v in layer.trainable_variables])
    assert all(g is None or not np.any(g.numpy()) for g in grads)  # output 0 does not depend on branch 1
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(net))
    again(x)
    again.set_weights(net.get_weights())
    np.testing.assert_allclose(again(x).numpy(), y.numpy(), rtol=1e-6)


def test_a_parallel_mlp_branch_with_a_masked_input_does_not_depend_on_it():
    from pinnzoo.priors import ParallelMLP

    net = ParallelMLP((8,), out_dim=2, seed=1, inputs=((1, 1, 1), (1, 1, 0)))  # u(x, y, t), a(x, y)
    x = tf.constant(np.random.default_rng(2).uniform(-1, 1, (32, 3)), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = net(x)
    jac = tape.batch_jacobian(y, x).numpy()  # [32, outputs, inputs]
    assert np.all(jac[:, 1, 2] == 0) and np.abs(jac[:, 0, 2]).min() > 0  # a ignores t, u does not
    moved = x + tf.constant([[0.0, 0.0, 0.5]])
    np.testing.assert_array_equal(net(moved)[:, 1].numpy(), y[:, 1].numpy())
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(net))
    again(x)
    again.set_weights(net.get_weights())
    np.testing.assert_allclose(again(moved).numpy(), net(moved).numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="mask"):
        ParallelMLP((8,), out_dim=2, inputs=((1, 1, 1),))


def test_fourier_mlp_takes_given_frequencies_and_keeps_them_through_serialization():
    from pinnzoo.priors import FourierMLP

    table = [[0.25, 0.5, 5.0], [0.0, 0.0, 0.25]]
    net = FourierMLP((8,), out_dim=1, frequencies=table, seed=1)
    x = tf.constant([[0.3, -0.2]], tf.float32)
    net(x)
    np.testing.assert_allclose(net.frequencies.numpy(), 2 * np.pi * np.asarray(table), rtol=1e-6)
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(net))
    again(x)
    np.testing.assert_allclose(again.frequencies.numpy(), net.frequencies.numpy())
    with pytest.raises(ValueError, match="rows for 3 inputs"):
        FourierMLP((8,), frequencies=table)(tf.zeros((1, 3)))
