"""pinnzoo.ntk: Jacobians against known derivatives, the eigen-summary, and the gradient flow it predicts against
gradient descent actually run."""

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.ntk import Spectrum, flow_update, jacobian, krylov_iterations


def _linear(rows=37, cols=11, seed=0):
    b = np.random.default_rng(seed).standard_normal((rows, cols))
    w = tf.Variable(np.random.default_rng(seed + 1).standard_normal(cols))
    return b, w, lambda: tf.linalg.matvec(tf.constant(b), w)


def test_the_jacobian_of_a_linear_map_is_its_matrix_in_every_block_size():
    b, w, fn = _linear()
    for chunk in (5, 37, 100):  # blocks that split the rows unevenly, exactly, and not at all
        np.testing.assert_allclose(jacobian(fn, [w], chunk=chunk), b, rtol=0, atol=1e-12)


def test_the_jacobian_of_a_network_agrees_with_central_differences_across_its_variables():
    rng = np.random.default_rng(3)
    w1 = tf.Variable(rng.standard_normal((4, 6)))
    w2 = tf.Variable(rng.standard_normal((6, 3)))
    x = tf.constant(rng.standard_normal((5, 4)))

    def fn():
        return tf.tanh(x @ w1) @ w2

    jac = jacobian(fn, [w1, w2], chunk=4)
    assert jac.shape == (15, 24 + 18)
    h, columns = 1e-6, []
    for var in (w1, w2):
        flat = var.numpy().ravel()
        for i in range(flat.size):
            plus, minus = flat.copy(), flat.copy()
            plus[i] += h
            minus[i] -= h
            var.assign(plus.reshape(var.shape))
            up = fn().numpy().ravel()
            var.assign(minus.reshape(var.shape))
            down = fn().numpy().ravel()
            var.assign(flat.reshape(var.shape))
            columns.append((up - down) / (2 * h))
    np.testing.assert_allclose(jac, np.stack(columns, axis=1), rtol=0, atol=1e-8)


def test_no_variables_is_a_clear_error():
    with pytest.raises(InputError, match="at least one variable"):
        jacobian(lambda: tf.zeros(3), [])


def test_the_spectrum_reconstructs_the_gram_and_counts_its_effective_dimension():
    values = np.array([1.0, 0.5, 1e-3, 1e-5, 0.0])
    q, _ = np.linalg.qr(np.random.default_rng(0).standard_normal((5, 5)))
    sp = Spectrum.of(q @ np.diag(values) @ q.T)
    np.testing.assert_allclose(sp.values, values, atol=1e-12)
    np.testing.assert_allclose(sp.vectors @ np.diag(sp.values) @ sp.vectors.T, q @ np.diag(values) @ q.T, atol=1e-12)
    assert sp.condition(2) == pytest.approx(2.0)
    assert sp.condition(4) == pytest.approx(1e5, rel=1e-6)
    assert sp.condition() > 1e14  # the zero eigenvalue is round-off here: numerically singular
    assert sp.decay() == {"0.01": 2, "0.0001": 3, "1e-06": 4}
    with pytest.raises(InputError, match="square"):
        Spectrum.of(np.ones((2, 3)))


def test_time_to_inverts_the_residual_energy_and_knows_what_never_goes():
    sp = Spectrum.of(np.diag([4.0, 1.0, 0.25, 0.0]))
    r = np.array([1.0, 1.0, 1.0, 0.1])
    for energy in (2.0, 0.5, 0.02):
        t = sp.time_to(r, energy)
        assert sp.residual_energy(r, t) == pytest.approx(energy, rel=1e-9)
    assert sp.time_to(r, 10.0) == 0.0  # already below
    assert sp.time_to(r, 0.005) == float("inf")  # the null direction keeps 0.01 of energy
    np.testing.assert_allclose(sp.fitted(np.log(2.0)), [1 - 2.0 ** -4, 0.5, 1 - 2.0 ** -0.25, 0.0])


def test_the_predicted_flow_is_what_small_step_gradient_descent_does():
    """Linear model F(θ) = B θ, prior covariance C = I: gradient descent on ½‖Bθ − y‖² with step η for n steps
    follows the flow to t = nη; the prediction θ(t) = Bᵀ K⁺ (I − e^{−Kt}) y (K = B Bᵀ) is checked at an early time
    (a few directions fitted) and a late one (nearly all), including a rank-deficient K (more data than unknowns)."""
    b, _, _ = _linear(rows=20, cols=8, seed=4)
    y = np.random.default_rng(7).standard_normal(20)
    gram = b @ b.T
    sp = Spectrum.of(gram)
    eta = 1e-3 / sp.values[0]
    theta, steps = np.zeros(8), 0
    for t in (1.0 / sp.values[0], 50.0 / sp.values[3]):
        while steps * eta < t:
            theta -= eta * b.T @ (b @ theta - y)
            steps += 1
        predicted = b.T @ flow_update(sp, y, steps * eta)
        np.testing.assert_allclose(theta, predicted, rtol=0, atol=2e-3 * np.linalg.norm(predicted))
        assert sp.residual_energy(y, steps * eta) == pytest.approx(np.sum((b @ theta - y) ** 2), rel=1e-2)


def test_krylov_iterations_finish_within_the_distinct_eigenvalues_and_in_one_step_with_the_inverse():
    """CG ends in at most as many steps as the Hessian has distinct eigenvalues; preconditioned by H⁻¹ itself it
    ends in one; an identity preconditioner on an ill-conditioned H needs more than on a well-conditioned one."""
    q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((30, 30)))
    hessian = q @ np.diag(np.repeat([1.0, 10.0, 100.0], 10)) @ q.T
    truth = np.random.default_rng(2).standard_normal(30)
    rhs, start = hessian @ truth, np.zeros(30)
    tolerances = (1e-2, 1e-8)
    assert krylov_iterations(hessian, rhs, np.eye(30), start, truth, tolerances)["1e-08"] <= 3
    assert krylov_iterations(hessian, rhs, np.linalg.inv(hessian), start, truth, tolerances) == {"0.01": 1, "1e-08": 1}
    spread = q @ np.diag(np.geomspace(1, 1e4, 30)) @ q.T
    slow = krylov_iterations(spread, spread @ truth, np.eye(30), start, truth, tolerances)
    assert slow["0.01"] > 3 and slow["1e-08"] is not None  # round-off delays it past 30 steps, but it ends
