"""Total variation: its definition on known images, its gradient, and the solver's TV-regularised loss."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators import Identity
from pinnzoo.priors import SkipNet
from pinnzoo.regularizers import total_variation
from pinnzoo.solvers import ImagePriorSolver


def test_constant_image_has_no_variation_and_a_ramp_its_slope():
    assert float(total_variation(tf.fill((2, 9, 7, 3), 0.4))) == pytest.approx(0.0, abs=1e-7)
    h, w, a = 10, 16, 0.05
    ramp = tf.constant(np.tile(a * np.arange(w, dtype=np.float32), (1, h, 1))[..., None])
    assert float(total_variation(ramp)) == pytest.approx(a * (w - 1) / w, abs=1.01e-6)
    assert float(total_variation(tf.transpose(ramp, [0, 2, 1, 3]))) == pytest.approx(a * (w - 1) / w, abs=1.01e-6)


def test_total_variation_matches_numpy_and_is_isotropic():
    x = np.random.default_rng(0).random((2, 11, 13, 2))
    dx = np.diff(x, axis=2, append=x[:, :, -1:])
    dy = np.diff(x, axis=1, append=x[:, -1:])
    expected = np.mean(np.sqrt(dx ** 2 + dy ** 2))
    assert float(total_variation(tf.constant(x))) == pytest.approx(expected, abs=1.01e-6)  # within sqrt(eps)
    # a diagonal step of height 1 costs sqrt(2) per corner pixel, not 2 (isotropic, not anisotropic)
    corner = np.zeros((1, 2, 2, 1))
    corner[0, 0, 0, 0] = 1.0
    assert float(total_variation(tf.constant(corner))) == pytest.approx(np.sqrt(2) / 4, abs=1.01e-6)


def test_total_variation_gradient_matches_finite_differences():
    x = tf.Variable(np.random.default_rng(1).random((1, 6, 5, 1)))
    with tf.GradientTape() as tape:
        tv = total_variation(x)
    g = tape.gradient(tv, x).numpy()
    h = 1e-6
    for idx in [(0, 0, 0, 0), (0, 3, 2, 0), (0, 5, 4, 0)]:
        e = np.zeros(x.shape)
        e[idx] = h
        fd = (float(total_variation(x + e)) - float(total_variation(x - e))) / (2 * h)
        assert g[idx] == pytest.approx(fd, rel=1e-5, abs=1e-9)


def test_solver_adds_the_weighted_tv_to_its_loss():
    keras.utils.set_random_seed(0)
    y = np.random.default_rng(2).random((16, 16, 1)).astype(np.float32)
    solver = ImagePriorSolver(SkipNet((8, 8, 8), channels_skip=2, input_channels=4), Identity(), y.shape,
                              tv_weight=0.2)
    solver.compile(optimizer=keras.optimizers.SGD(0.0))  # rate 0: the logged values are the initial weights'
    logs = solver.fit(solver.dataset(y), steps_per_epoch=1, epochs=1, verbose=0).history
    x = solver.generate()
    data = float(tf.reduce_mean(tf.square(x - y[None])))
    assert logs["tv"][0] == pytest.approx(float(total_variation(x)), rel=1e-5)
    assert logs["loss"][0] == pytest.approx(data + 0.2 * float(total_variation(x)), rel=1e-5)
    assert ImagePriorSolver.from_config(solver.get_config()).tv_weight == 0.2
    with pytest.raises(InputError, match="tv_weight"):
        ImagePriorSolver(SkipNet((8, 8, 8), channels_skip=2, input_channels=4), Identity(), y.shape, tv_weight=-1)
