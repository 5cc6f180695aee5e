"""Grid solvers: any prior's field against a grid PDE; the losses vanish at the discrete solution; exports."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import call_cli
from pinnzoo.dtypes import float_type
from pinnzoo.errors import InputError, PresetError
from pinnzoo.export import evaluate_export, load_export
from pinnzoo.grids import get_grid_problem
from pinnzoo.grids.interpolation import bilinear
from pinnzoo.grids.losses import EnergyLoss, ResidualLoss
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit, get_preset
from pinnzoo.priors import CoordinateNetwork, MultiscaleGrid, RawGrid, build_prior
from pinnzoo.priors.layers import upsample2x
from pinnzoo.solvers import GridSolver, lbfgs_refine


def _solver(problem, make_prior, **kwargs):
    with float_type("float64"):
        return GridSolver(problem, make_prior(), **kwargs)


@pytest.mark.parametrize("name", ["poisson2d_grid", "darcy_grid"])
def test_both_losses_are_stationary_at_the_discrete_solution(name):
    problem = get_grid_problem(name, **({"n": 33} if name == "poisson2d_grid" else {"m": 32}))
    u = problem.discrete_solution()[None, :, :, None]
    f = tf.constant(problem.rhs[None, :, :, None])
    assert float(ResidualLoss(problem)(tf.constant(u), f)) < 1e-24
    energy = EnergyLoss(problem)
    perturbed = u + 1e-3 * np.random.default_rng(0).standard_normal(u.shape)
    assert float(energy(tf.constant(perturbed), f)) > float(energy(tf.constant(u), f))
    x = tf.Variable(u)
    with tf.GradientTape() as tape:
        value = energy(x, f)
    grad = tape.gradient(value, x).numpy()
    assert np.abs(grad).max() < 1e-12 * np.abs(problem.rhs).max()


def test_raw_grid_holding_the_solution_has_zero_loss_and_error():
    problem = get_grid_problem("darcy_grid", m=32)
    solver = _solver(problem, RawGrid, output_scale=1.0)
    solver.prior.values.assign(problem.discrete_solution()[None, :, :, None])
    terms = solver.loss_terms()
    assert float(terms["residual"]) < 1e-24 and float(terms["error"]) < 1e-14


class _X(keras.Model, CoordinateNetwork):
    """A 'network' that returns its first input: the field is then the mapped x coordinate."""

    def call(self, x):
        return x[:, :1]


def test_coordinate_network_field_follows_the_grid_coordinates():
    problem = get_grid_problem("darcy_grid", m=16)
    solver = _solver(problem, _X, output_scale=1.0)
    x = problem.coordinates()[..., 0]
    assert np.allclose(solver.solution(), 2 * (x - x.min()) / (x.max() - x.min()) - 1)


def test_multiscale_grid_is_linear_and_its_finest_level_is_the_raw_grid():
    net = MultiscaleGrid(levels=3)
    z = tf.zeros((1, 8, 8, 1))
    net(z)
    rng = np.random.default_rng(1)
    a = [rng.standard_normal(g.shape) for g in net.grids]
    b = [rng.standard_normal(g.shape) for g in net.grids]

    def out(values):
        for g, v in zip(net.grids, values):
            g.assign(v)
        return net(z).numpy()

    assert np.allclose(out([x + y for x, y in zip(a, b)]), out(a) + out(b), atol=1e-5)
    only_fine = [a[0]] + [np.zeros_like(x) for x in a[1:]]
    assert np.allclose(out(only_fine), a[0], atol=1e-6)


def test_a_multiscale_grid_without_its_finest_levels_is_the_same_generator_restricted_to_smooth_fields():
    """``finest = 1`` keeps levels 1 and 2 (16 + 4 weights on an 8 × 8 field): with the same coarse values it
    gives exactly the full generator's field with the raw level zeroed; its fields span 16 dimensions (the
    coarser level adds none: the hierarchical basis is redundant), and a one-cell spike is not among them."""
    full, coarse = MultiscaleGrid(levels=3), MultiscaleGrid(levels=3, finest=1)
    z = tf.zeros((1, 8, 8, 1))
    full(z), coarse(z)
    assert coarse.count_params() == 16 + 4
    rng = np.random.default_rng(2)
    values = [rng.standard_normal(g.shape) for g in coarse.grids]
    for g, v in zip(coarse.grids, values):
        g.assign(v)
    for g, v in zip(full.grids, [np.zeros(full.grids[0].shape)] + values):
        g.assign(v)
    assert np.allclose(coarse(z).numpy(), full(z).numpy(), atol=1e-6)
    with tf.GradientTape() as tape:
        field = tf.reshape(coarse(z), [-1])
    rows = tape.jacobian(field, coarse.trainable_variables)
    jac = np.concatenate([np.reshape(r.numpy(), (64, -1)) for r in rows], axis=1)
    spike = np.zeros(64)
    spike[27] = 1.0
    coefficients = np.linalg.lstsq(jac, spike, rcond=None)[0]
    assert np.linalg.matrix_rank(jac) == 16 and np.linalg.norm(jac @ coefficients - spike) > 0.5
    with pytest.raises(ValueError, match="finest must be between 0 and levels - 1"):
        MultiscaleGrid(levels=3, finest=3)


def test_upsample2x_matches_keras_bilinear_and_differentiates_in_float64_under_xla():
    x = np.random.default_rng(2).random((2, 5, 7, 3))
    keras_up = keras.layers.UpSampling2D(2, interpolation="bilinear")(x.astype(np.float32)).numpy()
    assert np.allclose(upsample2x(tf.constant(x)).numpy(), keras_up, atol=1e-6)

    @tf.function(jit_compile=True)
    def grad(v):
        with tf.GradientTape() as tape:
            tape.watch(v)
            y = tf.reduce_sum(tf.square(upsample2x(v)))
        return tape.gradient(y, v)

    g = grad(tf.constant(x))
    eps, e = 1e-6, np.zeros_like(x)
    e[0, 2, 3, 1] = eps
    fd = (np.sum(upsample2x(tf.constant(x + e)).numpy() ** 2) - np.sum(upsample2x(tf.constant(x - e)).numpy() ** 2)) / (2 * eps)
    assert g.dtype == tf.float64 and abs(float(g[0, 2, 3, 1]) - fd) < 1e-6


def test_bilinear_interpolation_is_exact_for_bilinear_functions():
    xs, ys = np.array([0.0, 0.1, 0.35, 0.7, 1.0]), np.array([0.0, 0.2, 0.5, 1.0])
    f = lambda x, y: 1 + 2 * x - 3 * y + 4 * x * y  # noqa: E731
    values = f(xs[None, :], ys[:, None])
    pts = np.random.default_rng(3).random((50, 2))
    assert np.allclose(bilinear(values, xs, ys, pts).numpy(), f(pts[:, 0], pts[:, 1]), atol=1e-12)


def test_multiscale_grid_with_lbfgs_solves_poisson_below_the_preset_target():
    problem = get_grid_problem("poisson2d_grid", n=33)
    solver = _solver(problem, lambda: MultiscaleGrid(levels=5))
    lbfgs_refine(solver, {}, maxiter=1500, log_every=500, verbose=0)
    assert float(solver.loss_terms()["error"]) < 1e-4


def test_grid_preset_exports_a_field_that_plain_tensorflow_serves(tmp_path):
    preset = get_preset("poisson2d_grid")
    result = preset.train(quick=True, out=tmp_path / "p", verbose=0)
    model, meta = load_export(tmp_path / "p")
    served = model.signatures["serving_default"]()
    u = served["u"].numpy()
    assert u.shape == (63, 63) and np.allclose(u, result.solver.solution(), atol=1e-6)
    boundary = np.array([[0.0, 0.3], [1.0, 0.5], [0.25, 0.0], [0.4, 1.0]], np.float32)
    assert np.allclose(model.signatures["query"](inputs=boundary)["u"].numpy(), 0.0)
    between = np.array([[1.5 / 64, 1 / 64]], np.float32)  # halfway between nodes 1 and 2 along x
    expected = 0.5 * (u[0, 0] + u[0, 1])
    assert np.isclose(model.signatures["query"](inputs=between)["u"].numpy()[0, 0], expected, rtol=1e-5)
    evaluation = evaluate_export(tmp_path / "p")
    assert evaluation["matches_metadata"] and evaluation["metrics"]["query_vs_field"] < 1e-6
    assert meta["family"] == "grid" and meta["prior"]["name"] == "multiscale_grid"


def test_solver_config_round_trips():
    problem = get_grid_problem("darcy_grid", m=16, seed=3)
    prior = build_prior("deep_decoder", 1, seed=0, **{**GRID_PRIOR_CONFIGS["deep_decoder"], "channels": 4, "layers": 2})
    solver = GridSolver(problem, prior, loss="energy")
    again = GridSolver.from_config(solver.get_config())
    assert again.problem.params == {"m": 16, "seed": 3} and again.loss_name == "energy"
    assert again.output_scale == solver.output_scale == pytest.approx(problem.scale)


def test_bad_grid_input_gets_named_errors():
    with pytest.raises(InputError, match="unknown grid loss 'energi'.*did you mean 'energy'"):
        GridSolver(get_grid_problem("darcy_grid", m=8), RawGrid(), loss="energi")
    with pytest.raises(InputError, match="GridProblem"):
        GridSolver(object(), RawGrid())
    with pytest.raises(InputError, match="lbfgs_iterations >= 0"):
        GridFit(lbfgs_iterations=-5)
    with pytest.raises(PresetError, match="fixes its prior"):
        get_preset("burgers").with_prior("mlp")


@pytest.mark.slow
def test_cli_trains_a_grid_preset_with_another_prior(tmp_path):
    done = call_cli("train", "darcy_grid", "--prior", "deep_decoder", "--quick", "--quiet", "--out", tmp_path / "d")
    assert done.returncode == 0, done.stderr
    assert "deep_decoder" in done.stdout and (tmp_path / "d" / "saved_model.pb").exists()
    done = call_cli("evaluate", tmp_path / "d")
    assert done.returncode == 0 and "vs the discrete solution" in done.stdout
    bad = call_cli("train", "darcy_grid", "--prior", "deep_decodr", "--quick")
    assert bad.returncode != 0 and "did you mean 'deep_decoder'" in bad.stderr and "Traceback" not in bad.stderr
