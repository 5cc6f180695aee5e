"""The tape derivative engine against closed forms and finite differences."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import small_solver
from pinnzoo.errors import ProblemError
from pinnzoo.problems import parse_derivative, tape_derivatives


def test_parse_derivative():
    assert parse_derivative("u_xt", ("x", "t"), ("u",)) == ("u", ("x", "t"))
    assert parse_derivative("v_xxx", ("x", "t"), ("u", "v")) == ("v", ("x", "x", "x"))
    for bad in ("u", "w_x", "u_z", "u_"):
        with pytest.raises(ProblemError):
            parse_derivative(bad, ("x", "t"), ("u",))


def test_tape_derivatives_match_closed_forms():
    def fn(p):
        x, t = p[:, :1], p[:, 1:]
        return tf.concat([tf.sin(2 * x) * tf.exp(-t), x ** 3 * t ** 2], axis=1)

    pts = tf.constant(np.random.default_rng(0).uniform(-1, 1, (50, 2)), tf.float64)
    f = tape_derivatives(fn, pts, ("x", "t"), ("u", "v"), ["u_x", "u_xx", "u_t", "u_xt", "v_xxx", "v_tt", "v_xt"])
    x, t = pts[:, :1].numpy(), pts[:, 1:].numpy()
    e = np.exp(-t)
    expect = {"u": np.sin(2 * x) * e, "u_x": 2 * np.cos(2 * x) * e, "u_xx": -4 * np.sin(2 * x) * e,
              "u_t": -np.sin(2 * x) * e, "u_xt": -2 * np.cos(2 * x) * e, "v": x ** 3 * t ** 2,
              "v_xxx": 6 * t ** 2, "v_tt": 2 * x ** 3, "v_xt": 6 * x ** 2 * t, "x": x, "t": t}
    for k, v in expect.items():
        np.testing.assert_allclose(f[k].numpy(), v, rtol=1e-12, atol=1e-12, err_msg=k)


def test_tape_derivatives_of_a_network_match_finite_differences(rng):
    solver = small_solver(widths=(24, 24, 24), dtype="float64", seed=7)
    pts = rng.uniform([-0.9, 0.1], [0.9, 0.9], (40, 2))
    f = solver.fields(pts, ["u_x", "u_t", "u_xx", "u_xt", "u_tt"])
    h = 1e-4

    def u(p):
        return solver.predict_numpy(p)

    ex, et = np.array([h, 0.0]), np.array([0.0, h])
    fd = {
        "u_x": (u(pts + ex) - u(pts - ex)) / (2 * h),
        "u_t": (u(pts + et) - u(pts - et)) / (2 * h),
        "u_xx": (u(pts + ex) - 2 * u(pts) + u(pts - ex)) / h ** 2,
        "u_tt": (u(pts + et) - 2 * u(pts) + u(pts - et)) / h ** 2,
        "u_xt": (u(pts + ex + et) - u(pts + ex - et) - u(pts - ex + et) + u(pts - ex - et)) / (4 * h * h),
    }
    for k, v in fd.items():
        np.testing.assert_allclose(f[k].numpy(), v, rtol=1e-5, atol=1e-6, err_msg=k)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-5)])
def test_taylor_mode_agrees_with_nested_tapes(hard, dtype, tol, rng):
    """Forward (Taylor-mode) derivatives equal reverse-over-reverse ones: first, second and mixed."""
    from pinnzoo.solvers.taylor import taylor_derivatives

    solver = small_solver(widths=(24, 24, 24), dtype=dtype, seed=11, hard=hard)
    pts = tf.constant(rng.uniform([-1, 0], [1, 1], (100, 2)), dtype)
    req = ["u_x", "u_t", "u_xx", "u_xt", "u_tx", "u_tt"]
    a = tape_derivatives(solver, pts, ("x", "t"), ("u",), req)
    b = taylor_derivatives(solver, pts, ("x", "t"), ("u",), req)
    for k in ["u", *req]:
        scale = max(1.0, float(np.abs(a[k].numpy()).max()))
        np.testing.assert_allclose(b[k].numpy(), a[k].numpy(), rtol=0, atol=tol * scale, err_msg=k)


@pytest.mark.parametrize("problem, widths", [("allen_cahn", (24, 24)), ("schrodinger", (16, 16))])
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-5)])
def test_taylor_mode_through_the_periodic_embedding_agrees_with_tapes(problem, widths, dtype, tol, rng):
    """With x -> (cos wx, sin wx) the forward jets carry the embedding's curvature: u_xx, u_xt, u_tt match."""
    from pinnzoo.problems import get_problem
    from pinnzoo.solvers.taylor import taylor_derivatives

    prob = get_problem(problem)
    solver = small_solver(prob, widths=widths, dtype=dtype, seed=3, periodic_embedding=True)
    box = prob.domain
    pts = tf.constant(rng.uniform(box.lower, box.upper, (80, 2)), dtype)
    req = [f"{o}_{d}" for o in prob.outputs for d in ("x", "xx", "t", "xt", "tt")]
    a = tape_derivatives(solver, pts, prob.inputs, prob.outputs, req)
    b = taylor_derivatives(solver, pts, prob.inputs, prob.outputs, req)
    for k in [*prob.outputs, *req]:
        scale = max(1.0, float(np.abs(a[k].numpy()).max()))
        np.testing.assert_allclose(b[k].numpy(), a[k].numpy(), rtol=0, atol=tol * scale, err_msg=k)


@pytest.mark.parametrize("kind", ["mlp", "factorized", "fourier", "modified"])
def test_feature_major_layout_is_the_same_function_with_the_same_derivatives(kind, rng):
    """MLP priors can compute with activations laid out [units, N]: the same values, tape derivatives
    and jets as Keras's [N, units] layout (float64, same weights); the choice survives get_config."""
    from pinnzoo.dtypes import float_type
    from pinnzoo.priors import MLP, ForwardJets, FourierMLP, ModifiedMLP

    make = {"mlp": lambda **k: MLP((12, 12, 12), out_dim=2, **k),
            "factorized": lambda **k: MLP((12, 12), out_dim=2, factorization={"mean": 1.0, "std": 0.1}, **k),
            "fourier": lambda **k: FourierMLP((12, 12), out_dim=2, features=8, **k),
            "modified": lambda **k: ModifiedMLP((12, 12, 12), out_dim=2, **k)}[kind]
    with float_type("float64"):
        fm, pm = make(feature_major=True), make()
        fm.build((None, 2))
        pm.build((None, 2))
    pm.set_weights([w + 0.05 * rng.standard_normal(w.shape) for w in fm.get_weights()])
    fm.set_weights(pm.get_weights())
    assert fm.feature_major and not pm.feature_major
    assert type(fm).from_config(fm.get_config()).feature_major is True
    with pytest.raises(ValueError, match="feature_major"):
        make(feature_major="yes")
    x = tf.constant(rng.uniform(-1, 1, (40, 2)))
    np.testing.assert_allclose(fm(x).numpy(), pm(x).numpy(), rtol=0, atol=1e-12)
    req = ["u_a", "v_b", "u_aa", "u_ab", "v_ab", "u_bb"]
    a = tape_derivatives(fm, x, ("a", "b"), ("u", "v"), req)
    b = tape_derivatives(pm, x, ("a", "b"), ("u", "v"), req)
    for k in ["u", "v", *req]:
        np.testing.assert_allclose(a[k].numpy(), b[k].numpy(), rtol=0, atol=1e-11, err_msg=k)
    if isinstance(fm, ForwardJets):
        ones = tf.ones_like(x[:, :1])
        first = {k: ones * np.eye(2)[i] for i, k in enumerate("ab")}
        second = {("a", "a"): None, ("a", "b"): None, ("b", "b"): None}
        ja, jb = fm.jets(x, first, second), pm.jets(x, first, second)
        np.testing.assert_allclose(ja[0].numpy(), jb[0].numpy(), rtol=0, atol=1e-12)
        for key in first:
            np.testing.assert_allclose(ja[1][key].numpy(), jb[1][key].numpy(), rtol=0, atol=1e-11)
        for key in second:
            np.testing.assert_allclose(ja[2][key].numpy(), jb[2][key].numpy(), rtol=0, atol=1e-11)
            np.testing.assert_allclose(ja[2][key].numpy()[:, :1], a["u_" + "".join(key)].numpy(), rtol=0,
                                       atol=1e-10)


def test_taylor_mode_handles_other_activations_and_vector_outputs(rng):
    from pinnzoo.dtypes import float_type
    from pinnzoo.priors import MLP
    from pinnzoo.solvers.taylor import taylor_derivatives

    with float_type("float64"):
        net = MLP((16, 16), out_dim=3, activation="softplus")
        net.build((None, 2))
    fn = net  # a plain network: jets vs tapes directly
    x = tf.constant(rng.uniform(-1, 1, (30, 2)))
    eye = np.eye(2)
    ones = tf.ones_like(x[:, :1])
    y, dy, ddy = net.jets(x, {k: ones * eye[i] for i, k in enumerate("ab")},
                          {("a", "a"): None, ("a", "b"): None, ("b", "b"): None})
    f = tape_derivatives(fn, x, ("a", "b"), ("p", "q", "r"), ["p_a", "q_b", "r_ab", "p_aa", "q_bb"])
    np.testing.assert_allclose(y.numpy()[:, :1], f["p"].numpy(), atol=1e-12)
    np.testing.assert_allclose(dy["a"].numpy()[:, :1], f["p_a"].numpy(), atol=1e-10)
    np.testing.assert_allclose(dy["b"].numpy()[:, 1:2], f["q_b"].numpy(), atol=1e-10)
    np.testing.assert_allclose(ddy[("a", "b")].numpy()[:, 2:3], f["r_ab"].numpy(), atol=1e-10)
    np.testing.assert_allclose(ddy[("a", "a")].numpy()[:, :1], f["p_aa"].numpy(), atol=1e-10)
    np.testing.assert_allclose(ddy[("b", "b")].numpy()[:, 1:2], f["q_bb"].numpy(), atol=1e-10)


def test_fourier_mlp_jets_match_tapes_and_survive_saving(rng, tmp_path):
    import keras

    from pinnzoo.dtypes import float_type
    from pinnzoo.priors import FourierMLP

    with float_type("float64"):
        net = FourierMLP((16, 16), out_dim=2, features=8, scale=[1.0, 3.0], seed=5)
        net.build((None, 2))
    x = tf.constant(rng.uniform(-1, 1, (30, 2)))
    ones = tf.ones_like(x[:, :1])
    y, dy, ddy = net.jets(x, {"a": ones * [1.0, 0.0], "b": ones * [0.0, 1.0]},
                          {("a", "b"): None, ("b", "b"): None})
    f = tape_derivatives(net, x, ("a", "b"), ("p", "q"), ["p_a", "q_b", "p_ab", "q_bb"])
    np.testing.assert_allclose(y.numpy()[:, :1], f["p"].numpy(), atol=1e-12)
    np.testing.assert_allclose(dy["a"].numpy()[:, :1], f["p_a"].numpy(), atol=1e-10)
    np.testing.assert_allclose(dy["b"].numpy()[:, 1:], f["q_b"].numpy(), atol=1e-10)
    np.testing.assert_allclose(ddy[("a", "b")].numpy()[:, :1], f["p_ab"].numpy(), atol=1e-10)
    np.testing.assert_allclose(ddy[("b", "b")].numpy()[:, 1:], f["q_bb"].numpy(), atol=1e-10)
    # higher frequencies in the second input, as asked
    w = net.frequencies.numpy()
    assert np.abs(w[1]).mean() > 1.5 * np.abs(w[0]).mean()
    with float_type("float64"):
        model = keras.Sequential([keras.Input((2,)), net])
    model.save(tmp_path / "f.keras")
    again = keras.saving.load_model(tmp_path / "f.keras")
    np.testing.assert_allclose(again(x).numpy(), net(x).numpy(), atol=1e-12)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dtype, tol", [("float64", 1e-10), ("float32", 1e-5)])
def test_forward_accumulator_engine_agrees_with_nested_tapes(hard, dtype, tol, rng):
    """tf.autodiff.ForwardAccumulator derivatives (values, first, second, mixed; vector outputs) equal the
    tapes', and so do the weight gradients of a loss built from them (reverse over forward)."""
    from pinnzoo.problems import Kovasznay
    from pinnzoo.problems.derivatives import forward_derivatives

    solver = small_solver(widths=(24, 24, 24), dtype=dtype, seed=11, hard=hard)
    pts = tf.constant(rng.uniform([-1, 0], [1, 1], (100, 2)), dtype)
    req = ["u_x", "u_t", "u_xx", "u_xt", "u_tx", "u_tt"]
    a = tape_derivatives(solver, pts, ("x", "t"), ("u",), req)
    b = forward_derivatives(solver, pts, ("x", "t"), ("u",), req)
    for k in ["u", *req]:
        scale = max(1.0, float(np.abs(a[k].numpy()).max()))
        np.testing.assert_allclose(b[k].numpy(), a[k].numpy(), rtol=0, atol=tol * scale, err_msg=k)
    grads = []
    for engine in (tape_derivatives, forward_derivatives):
        @tf.function  # as in train_step (eager reverse-over-forward through nested accumulators fails in TF)
        def weight_gradients(points, engine=engine):
            with tf.GradientTape() as tape:
                f = engine(solver, points, ("x", "t"), ("u",), ["u_t", "u_x", "u_xx"])
                loss = tf.reduce_mean(tf.square(f["u_t"] + f["u"] * f["u_x"] - 0.01 * f["u_xx"]))
            return tape.gradient(loss, solver.trainable_variables)

        grads.append(weight_gradients(pts))
    for g1, g2 in zip(*grads):
        if g1 is not None:
            np.testing.assert_allclose(g2.numpy(), g1.numpy(), rtol=0, atol=tol * max(1.0, np.abs(g1.numpy()).max()))
    # a system with three outputs and mixed second derivatives
    system = small_solver(Kovasznay(), widths=(16, 16), dtype=dtype, seed=2)
    pts = tf.constant(rng.uniform([-0.5, -0.5], [1, 1.5], (50, 2)), dtype)
    req = ["u_x", "v_y", "p_x", "u_xx", "u_yy", "v_xy"]
    a = tape_derivatives(system, pts, ("x", "y"), ("u", "v", "p"), req)
    b = forward_derivatives(system, pts, ("x", "y"), ("u", "v", "p"), req)
    for k in ["u", "v", "p", *req]:
        np.testing.assert_allclose(b[k].numpy(), a[k].numpy(), rtol=0, atol=tol * 10, err_msg=k)


def test_forward_engine_trains_without_xla():
    """XLA compiles the accumulator graph badly (seconds per step), so the forward engine never uses it."""
    import keras

    solver = small_solver(derivatives="forward")
    solver.compile(optimizer=keras.optimizers.Adam(1e-3), jit_compile=True)
    assert solver.jit_compile is False
    batch = {"residual": tf.random.uniform((64, 2)), "initial": tf.random.uniform((16, 2)) * [1, 0],
             "boundary": tf.random.uniform((16, 2)) * [0, 1] + [1, 0]}
    assert np.isfinite(float(solver.train_step(batch)["loss"]))
