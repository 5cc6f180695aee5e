"""Grid problems: their discrete references solve the conv2d residual, and converge to the PDE's solution."""

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.grids import GRID_PROBLEMS, DarcyGrid, PoissonGrid, darcy_coefficient, gaussian_random_field, get_grid_problem


@pytest.mark.parametrize("name", GRID_PROBLEMS.names())
def test_discrete_reference_zeroes_the_conv2d_residual(name):
    problem = get_grid_problem(name)
    u = problem.discrete_solution()
    r = problem.residual(tf.constant(u[None, :, :, None])).numpy()
    assert np.abs(r).max() < 1e-9 * np.abs(problem.rhs).max()
    assert problem.coordinates().shape == u.shape + (2,)


@pytest.mark.parametrize("order, expected", [(2, 2.0), (4, 4.0)])
def test_poisson_grid_reference_converges_to_the_continuous_solution(order, expected):
    errors = []
    for n in (17, 33, 65):
        p = PoissonGrid(n, order)
        errors.append(np.abs(p.discrete_solution() - p.continuous_solution()).max())
    orders = [np.log2(errors[k] / errors[k + 1]) for k in range(2)]
    assert all(abs(o - expected) < 0.1 for o in orders), (errors, orders)
    assert PoissonGrid().discrete_solution().shape == (63, 63)


def test_darcy_coefficient_is_two_phase_and_seeded():
    a, b, c = darcy_coefficient(64, 0), darcy_coefficient(64, 0), darcy_coefficient(64, 1)
    assert set(np.unique(a)) == {3.0, 12.0} and 0.2 < np.mean(a == 12.0) < 0.8
    np.testing.assert_array_equal(a, b)
    assert np.mean(a != c) > 0.1
    u = DarcyGrid(64, 0).discrete_solution()
    assert u.min() > 0 and u.max() < 1 / (8 * 3)  # maximum principle; and a >= 3 keeps u below 1/(8 * 3)


def test_gaussian_random_field_has_its_covariance():
    """The mean pointwise variance of the samples matches the trace of (−Δ + 9I)^−2 per cell."""
    m = 16
    samples = np.stack([gaussian_random_field(m, seed) for seed in range(400)])
    k = np.arange(m)
    expected = np.sum((np.pi ** 2 * (k[:, None] ** 2 + k[None, :] ** 2) + 9.0) ** -2.0)
    assert np.mean(samples.var(axis=0)) == pytest.approx(expected, rel=0.1)
    with pytest.raises(ProblemError, match="did you mean 'darcy_grid'"):
        get_grid_problem("darcy")
