"""Finite-difference grid operators: adjoints, conv2d = sparse matrix, and the order of accuracy by refinement."""

import numpy as np
import pytest
import scipy.sparse.linalg as spla
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.grid import GRID_OPERATORS, Diffusion, Divergence, Gradient, Laplacian

EXAMPLES = [op for cls in GRID_OPERATORS.values() for op in cls.examples()]


@pytest.mark.parametrize("op", EXAMPLES, ids=[f"{type(op).__name__}{op.shape}" for op in EXAMPLES])
def test_adjoint_and_conv2d_equals_the_sparse_matrix(op, rng):
    """Every registered grid operator: the adjoint test, and its conv2d map equals its sparse matrix."""
    cin, cout = op.channels
    u = rng.standard_normal((2, *op.shape, cin))
    v = rng.standard_normal((2, *op.shape, cout))
    au = op.A(tf.constant(u)).numpy()
    lhs, rhs = np.sum(au * v), np.sum(u * op.A_adjoint(tf.constant(v)).numpy())
    assert abs(lhs - rhs) <= 1e-12 * abs(lhs)
    a = op.matrix()
    for b in range(2):
        np.testing.assert_allclose(au[b].ravel(), a @ u[b].ravel(), rtol=0, atol=1e-10 * np.abs(au).max())


def test_divergence_is_minus_the_gradient_transpose(rng):
    grad, div = Gradient(11), Divergence(11)
    np.testing.assert_allclose(div.matrix().toarray(), -grad.matrix().toarray().T, rtol=0, atol=0)


def test_central_gradient_and_divergence_are_second_order():
    def grad_u(x, y):
        return np.stack([np.exp(x) * np.sin(2 * np.pi * y) * (np.sin(np.pi * x) + np.pi * np.cos(np.pi * x)),
                         2 * np.pi * np.exp(x) * np.sin(np.pi * x) * np.cos(2 * np.pi * y)], axis=-1)

    grad_errors, div_errors = [], []
    for n in (17, 33, 65, 129):
        xy = Gradient(n).nodes()[1:-1, 1:-1]
        x, y = xy[..., 0], xy[..., 1]
        g = Gradient(n).A(tf.constant(_u(x, y)[None, :, :, None])).numpy()[0]
        grad_errors.append(np.abs(g - grad_u(x, y)).max())
        field = np.stack([_u(x, y), _u(y, x)], axis=-1)   # both components vanish on the boundary
        d = Divergence(n).A(tf.constant(field[None])).numpy()[0, :, :, 0]
        div_errors.append(np.abs(d - (grad_u(x, y)[..., 0] + grad_u(y, x)[..., 0])).max())
    for errors in (grad_errors, div_errors):
        assert all(abs(p - 2.0) < 0.1 for p in _observed_orders(errors)), errors


def _observed_orders(errors):
    return [np.log2(errors[k] / errors[k + 1]) for k in range(len(errors) - 1)]


def _u(x, y):  # vanishes on the boundary of the unit square; not an eigenfunction of any stencil
    return np.exp(x) * np.sin(np.pi * x) * np.sin(2 * np.pi * y)


def _lap_u(x, y):
    return np.exp(x) * np.sin(2 * np.pi * y) * ((1 - 5 * np.pi ** 2) * np.sin(np.pi * x) + 2 * np.pi * np.cos(np.pi * x))


def test_five_point_laplacian_is_second_order():
    errors = []
    for n in (17, 33, 65, 129):
        op = Laplacian(n, order=2)
        xy = op.nodes()[1:-1, 1:-1]
        lap = op.A(tf.constant(_u(xy[..., 0], xy[..., 1])[None, :, :, None])).numpy()[0, :, :, 0]
        errors.append(np.abs(lap - _lap_u(xy[..., 0], xy[..., 1])).max())
    assert all(abs(p - 2.0) < 0.1 for p in _observed_orders(errors)), errors


@pytest.mark.parametrize("order", [2, 4])
def test_poisson_solve_converges_at_the_stencils_order(order):
    """Δu = f solved with the stencil's sparse matrix (and, for the 9-point one, the corrected right-hand side)."""
    errors = []
    for n in (9, 17, 33, 65):
        op = Laplacian(n, order=order)
        nodes = op.nodes()
        rhs = op.corrected_rhs(_lap_u(nodes[..., 0], nodes[..., 1]))
        u = spla.spsolve(op.matrix().tocsc(), rhs.ravel()).reshape(op.shape)
        errors.append(np.abs(u - _u(nodes[1:-1, 1:-1, 0], nodes[1:-1, 1:-1, 1])).max())
    assert all(abs(p - order) < 0.1 for p in _observed_orders(errors[1:])), (errors, _observed_orders(errors))


def test_variable_coefficient_diffusion_converges_at_second_order():
    """−∇·(a∇u) = f with a = 1 + x y² (smooth) and u = sin πx sin πy, solved on refining cell grids."""
    def u(x, y):
        return np.sin(np.pi * x) * np.sin(np.pi * y)

    def f(x, y):
        a, ax, ay = 1 + x * y ** 2, y ** 2, 2 * x * y
        ux, uy = np.pi * np.cos(np.pi * x) * np.sin(np.pi * y), np.pi * np.sin(np.pi * x) * np.cos(np.pi * y)
        return -(a * (-2 * np.pi ** 2 * u(x, y)) + ax * ux + ay * uy)

    errors = []
    for m in (16, 32, 64, 128):
        c = (np.arange(m) + 0.5) / m
        y, x = np.meshgrid(c, c, indexing="ij")
        op = Diffusion(1 + x * y ** 2)
        sol = spla.spsolve(op.matrix().tocsc(), f(x, y).ravel()).reshape(m, m)
        errors.append(np.abs(sol - u(x, y)).max())
    assert all(abs(p - 2.0) < 0.1 for p in _observed_orders(errors)), (errors, _observed_orders(errors))


def test_diffusion_is_symmetric_positive_definite_and_harmonic_at_jumps():
    a = np.ones((4, 4))
    a[:, 2:] = 9.0
    op = Diffusion(a)
    mat = op.matrix().toarray()
    np.testing.assert_allclose(mat, mat.T, rtol=0, atol=0)
    assert np.linalg.eigvalsh(mat).min() > 0
    assert op.face_x[0, 2] * op.h ** 2 == pytest.approx(2 * 1 * 9 / (1 + 9))  # harmonic mean across the jump


def test_bad_grids_are_rejected():
    with pytest.raises(InputError, match="n >= 3"):
        Laplacian(2)
    with pytest.raises(InputError, match="order"):
        Laplacian(9, order=6)
    with pytest.raises(InputError, match="positive"):
        Diffusion(-np.ones((4, 4)))
    with pytest.raises(InputError, match="acts on fields"):
        Laplacian(9).A(tf.zeros((1, 9, 9, 1)))
