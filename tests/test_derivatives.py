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
