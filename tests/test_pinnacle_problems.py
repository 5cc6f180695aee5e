"""PINNacle's problems beyond the plates: the inverse problem's measurements and data term, the edge interpolant
its coefficient's hard constraint rests on, and the source-term slip of PINNacle's code."""

import numpy as np
import pytest
import tensorflow as tf

from conftest import small_solver
from pinnzoo.errors import ProblemError
from pinnzoo.problems import get_problem
from pinnzoo.problems.pinnacle_inverse import coons


def test_the_inverse_problem_measures_u_alone_on_a_grid_with_absolute_noise():
    problem = get_problem("poisson_inverse2d")
    x, y = problem.observations(2500, noise=0.1, seed=4)
    assert x.shape == (2500, 2) and y.shape == (2500, 1)
    assert np.array_equal(np.unique(x[:, 0]), np.linspace(0, 1, 50))
    noise = y[:, 0] - problem.reference(x)[:, 0]
    assert 0.095 < noise.std() < 0.105 and abs(noise.mean()) < 0.01  # σ = 0.1 whatever u's spread
    with pytest.raises(ProblemError, match="square n"):
        problem.observations(2000, noise=0.1)


def test_the_data_term_compares_the_measured_output_only():
    problem = get_problem("poisson_inverse2d")
    solver = small_solver(problem, widths=(8,), hard=True, dtype="float64", seed=1)
    x, y = problem.observations(100, noise=0.1, seed=0)
    batch = {"residual": tf.constant(x), "edges_a": tf.constant(x[:5]), "data_x": tf.constant(x),
             "data_y": tf.constant(y)}
    _, others, _ = solver.pointwise_residuals(batch, only="data_x")
    u = solver.predict_numpy(x)[:, :1]
    np.testing.assert_allclose(others["data"].numpy(), u - y, atol=1e-12)


def test_the_edge_interpolant_keeps_the_edges_and_reproduces_bilinear_functions(rng):
    def wavy(x, y):
        return np.exp(x) * np.cos(3 * y) + x * y ** 2
    s = rng.uniform(0, 1, 200)
    for x, y in [(0 * s, s), (1 + 0 * s, s), (s, 0 * s), (s, 1 + 0 * s)]:
        np.testing.assert_allclose(coons(wavy, x, y, 0.0, 1.0), wavy(x, y), atol=1e-12)
    inside = rng.uniform(0, 1, (2, 200))
    bilinear = lambda x, y: 2 - x + 3 * y + 0.5 * x * y  # noqa: E731
    np.testing.assert_allclose(coons(bilinear, *inside, 0.0, 1.0), bilinear(*inside), atol=1e-12)
    assert np.abs(coons(wavy, *inside, 0.0, 1.0) - wavy(*inside)).max() > 1e-2  # the interior is not read


def test_pinnacle_s_coded_source_does_not_belong_to_its_solution(rng):
    """With PINNacle's (2x + 1) in place of (2x − 1) the residual of the exact u and a is far from zero; ours is
    the consistent source (the reference-in-residual test of every problem checks it to 2e-5)."""
    problem = get_problem("poisson_inverse2d")
    x, y = rng.uniform(0.05, 0.95, (2, 500))
    u, a = problem.exact(x, y, np)
    ux, uy = np.pi * np.cos(np.pi * x) * np.sin(np.pi * y), np.pi * np.sin(np.pi * x) * np.cos(np.pi * y)
    slipped = 2 * np.pi ** 2 * a * u + (2 * (2 * x + 1) * ux + 2 * (2 * y + 1) * uy) * a ** 2
    assert np.abs(slipped - problem.source(x, y, np)).max() > 0.5


def test_the_sine_series_solver_converges_to_a_manufactured_semilinear_solution(rng):
    """u* = e^{-t} sin πx sin 2πy + t sin 3πx sin πy solves u_t = νΔu + N with N(u) = g + sin(u²) − sin(u*²),
    g = u*_t − νΔu*: the solver must find u* to its time step's accuracy (fourth order)."""
    from pinnzoo.references.sine_series import SineSeriesHeat

    nu = 0.05
    def exact(x, y, t):
        return np.exp(-t) * np.sin(np.pi * x) * np.sin(2 * np.pi * y) + t * np.sin(3 * np.pi * x) * np.sin(np.pi * y)
    def source(x, y, t):
        dt = -np.exp(-t) * np.sin(np.pi * x) * np.sin(2 * np.pi * y) + np.sin(3 * np.pi * x) * np.sin(np.pi * y)
        lap = (-5 * np.pi ** 2 * np.exp(-t) * np.sin(np.pi * x) * np.sin(2 * np.pi * y)
               - 10 * np.pi ** 2 * t * np.sin(3 * np.pi * x) * np.sin(np.pi * y))
        return dt - nu * lap
    def forcing(u, x, y, t):
        return source(x, y, t) + np.sin(u ** 2) - np.sin(exact(x, y, t) ** 2)
    points = np.column_stack([rng.uniform(0, 1, (500, 2)), rng.uniform(0, 2, 500)])
    errors = []
    for dt in (0.1, 0.05):
        solution = SineSeriesHeat(lambda x, y: exact(x, y, 0.0), nu, forcing, 2.0, n=16, dt=dt, dt_out=0.1)
        errors.append(np.abs(solution(points) - exact(*points.T)).max())
    assert errors[1] < 1e-5 and errors[0] / errors[1] > 8, errors


def test_the_long_time_heat_reference_keeps_its_initial_value_and_edges():
    problem = get_problem("heat2d_longtime")
    coarse = problem.spectral(32, 0.1)
    x = np.linspace(0, 1, 7)
    edge = np.column_stack([x, 0 * x, 50 + 0 * x])
    start = np.column_stack([x, x[::-1], 0 * x])
    assert np.abs(coarse(edge)).max() < 1e-12
    np.testing.assert_allclose(coarse(start), problem.initial(x, x[::-1], np), atol=1e-12)
