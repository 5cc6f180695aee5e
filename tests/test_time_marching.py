"""Time marching: windowed problems, the piecewise solver, its training, saving and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from conftest import small_preset, tiny_schedule

from pinnzoo.errors import ProblemError
from pinnzoo.priors import MLP
from pinnzoo.problems import AllenCahn, Heat1D, Wave1D
from pinnzoo.problems.window import TimeWindow
from pinnzoo.solvers import PINNSolver, TimeMarchingSolver


def _marching(problem, windows=3, widths=(16, 16), seed=0, **solver):
    keras.utils.set_random_seed(seed)
    return TimeMarchingSolver(problem, [MLP(widths, out_dim=len(problem.outputs)) for _ in range(windows)],
                              windows, solver=solver)


def _points(problem, n=200, seed=0):
    return problem.domain.sample(n, np.random.default_rng(seed)).astype(np.float32)


def test_window_restricts_time_and_reads_initial_values_from_the_previous_solver():
    base = Heat1D()
    keras.utils.set_random_seed(0)
    first = PINNSolver(TimeWindow(base, 0.0, 0.4), MLP((8,), out_dim=1))
    window = TimeWindow(base, 0.4, 1.0, previous=first)
    assert window.domain.bounds["t"] == (0.4, 1.0) and window.domain.bounds["x"] == base.domain.bounds["x"]
    initial = [c for c in window.conditions() if c.name == "initial"][0]
    assert initial.fix["t"] == 0.4
    pts = window.domain.sample(50, np.random.default_rng(1), fix=initial.fix).astype(np.float32)
    fields = {"x": tf.constant(pts[:, :1]), "t": tf.constant(pts[:, 1:]), "u": tf.zeros((50, 1))}
    np.testing.assert_allclose(initial.target_value(fields, {}).numpy(), first(pts).numpy(), rtol=1e-6)
    # the first window keeps the problem's own initial data; other conditions are unchanged
    own = [c for c in TimeWindow(base, 0.0, 0.4).conditions() if c.name == "initial"][0]
    np.testing.assert_allclose(own.target_value(fields, {}).numpy(), np.sin(np.pi * pts[:, :1]), rtol=1e-5)
    assert [c.name for c in window.conditions()] == [c.name for c in base.conditions()]
    points, _ = window.scoring_grid()
    assert points[:, 1].min() >= 0.4 and points[:, 1].max() == 1.0


def test_window_initial_velocity_comes_from_the_previous_solvers_derivative():
    base = Wave1D()
    keras.utils.set_random_seed(0)
    first = PINNSolver(TimeWindow(base, 0.0, 0.5), MLP((8,), out_dim=1))
    window = TimeWindow(base, 0.5, 1.0, previous=first)
    velocity = [c for c in window.conditions() if c.field == "u_t"][0]
    pts = np.array([[0.3, 0.5], [0.7, 0.5]], dtype=np.float32)
    fields = {"x": tf.constant(pts[:, :1]), "t": tf.constant(pts[:, 1:]), "u_t": tf.zeros((2, 1))}
    expected = first.fields(pts, ["u_t"])["u_t"].numpy()
    np.testing.assert_allclose(velocity.target_value(fields, {}).numpy(), expected, rtol=1e-5)


def test_window_rejects_bad_ranges_and_hard_constraints_after_the_first():
    with pytest.raises(ProblemError, match="inside"):
        TimeWindow(Heat1D(), 0.5, 1.5)
    with pytest.raises(ProblemError, match="no coordinate"):
        TimeWindow(Heat1D(), 0.0, 0.5, coordinate="y")
    keras.utils.set_random_seed(0)
    first = PINNSolver(TimeWindow(Heat1D(), 0.0, 0.5), MLP((8,), out_dim=1))
    with pytest.raises(ProblemError, match="no hard constraint"):
        PINNSolver(TimeWindow(Heat1D(), 0.5, 1.0, previous=first), MLP((8,), out_dim=1), hard_constraints=True)


def test_each_point_is_answered_by_the_window_holding_its_time():
    solver = _marching(AllenCahn(), windows=4, periodic_embedding=True)
    pts = _points(solver.problem, 400)
    pts[:4, 1] = [0.0, 0.25, 0.5, 1.0]  # edges belong to the later window
    index = solver.window_index(tf.constant(pts)).numpy()
    np.testing.assert_array_equal(index, np.minimum((pts[:, 1] / 0.25).astype(int), 3))
    out = solver(pts).numpy()
    res = solver.residual(pts)["residual"].numpy()
    for k, window in enumerate(solver.windows):
        mask = index == k
        assert mask.any()
        np.testing.assert_allclose(out[mask], window(pts[mask]).numpy(), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(res[mask], window.residual(pts[mask])["residual"].numpy(), rtol=1e-5, atol=1e-6)
    # the windows really differ (otherwise the comparison above proves nothing)
    assert np.abs(solver.windows[0](pts).numpy() - solver.windows[1](pts).numpy()).max() > 1e-3


def test_marching_rejects_bad_edges_and_inverse_problems():
    from pinnzoo.problems import HeatInverse

    with pytest.raises(ProblemError, match="edges"):
        TimeMarchingSolver(Heat1D(), [MLP((8,)), MLP((8,))], [0.0, 0.7, 0.6])
    with pytest.raises(ProblemError, match="as many priors"):
        TimeMarchingSolver(Heat1D(), [MLP((8,))], 2)
    with pytest.raises(ProblemError, match="forward problems"):
        TimeMarchingSolver(HeatInverse(), [MLP((8,))], 1)


def test_marching_solver_saves_reloads_and_exports(tmp_path):
    from pinnzoo.export import load_export, predict_export
    from pinnzoo.families.pinn.archive import export_solver

    solver = _marching(Heat1D(), windows=3)
    pts = _points(solver.problem)
    path = tmp_path / "m.keras"
    solver.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, TimeMarchingSolver) and loaded.edges == solver.edges
    np.testing.assert_allclose(loaded(pts).numpy(), solver(pts).numpy(), rtol=1e-6, atol=1e-7)
    export_solver(solver, tmp_path / "export", {"preset": "test"})
    model, meta = load_export(tmp_path / "export")
    np.testing.assert_allclose(predict_export(model, meta, pts), solver(pts).numpy(), rtol=1e-5, atol=1e-6)
    res = model.signatures["residual"](inputs=tf.constant(pts))["residual"].numpy()
    np.testing.assert_allclose(res, solver.residual(pts)["residual"].numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.slow
def test_marching_preset_trains_window_after_window_to_a_small_error():
    """Heat equation in two windows: each fitted in turn, the second started from the first."""
    from pinnzoo import train

    preset = small_preset("heat_marching", widths=(16, 16), marching={"windows": 2}, target=1e-2,
                          schedule=tiny_schedule(steps=200, execution=100, points=512, lbfgs=1000, lbfgs_points=1024,
                                                 log_every=100))
    result = train(preset, verbose=0)
    windows = result.history["windows"]
    assert len(windows) == 2 and result.adam_steps == 400 and 0 < result.lbfgs_iterations <= 2000
    # measured: 4.3e-4 on [0, 0.5], 3.4e-3 on [0.5, 1] (where u has decayed to 2-14 % of its start), 6.3e-4 overall
    assert windows[0]["rel_l2"] < 2e-3 and windows[1]["rel_l2"] < 1e-2
    assert result.metrics["rel_l2"] < 2e-3
    # the second window starts where the first ends: the solution is continuous across the edge
    first, second = result.solver.windows
    assert second.problem.previous is first
    edge = np.stack([np.linspace(0, 1, 101), np.full(101, 0.5)], axis=1).astype(np.float32)
    end, start = first(edge).numpy(), second(edge).numpy()
    assert np.linalg.norm(start - end) < 2e-2 * np.linalg.norm(end)  # measured 1 %


@pytest.mark.slow
def test_marching_windows_continue_in_float64_and_keep_the_result_in_float32():
    """A continuation in time marching: each window's float32 L-BFGS-B stalls, continues on a float64
    copy for at most ``Continuation.maxiter`` iterations, and the window keeps those weights."""
    from pinnzoo.presets import Continuation
    from pinnzoo import train

    schedule = tiny_schedule(lbfgs=4000)
    preset = small_preset("_heat_marching_small", schedule=schedule, marching={"windows": 2}, target=1e-2)
    plain = train(preset, verbose=0, seed=3)
    stops = [w["lbfgs_info"]["iterations"] for w in plain.history["windows"]]
    assert all(s < 4000 for s in stops)  # float32 stalls in both windows
    cont = schedule.replace(lbfgs={"continuation": Continuation("float64", maxiter=300)})
    result = train(preset, schedule=cont, verbose=0, seed=3)
    windows = result.history["windows"]
    # the first window's float32 run is the same; every window then runs at most 300 more iterations
    assert windows[0]["lbfgs_info"]["continued_at"] == stops[0]
    for w in windows:
        info = w["lbfgs_info"]
        assert info["continued_at"] is not None and 0 < info["iterations"] - info["continued_at"] <= 300
        assert "float32: " in info["message"] and "float64: " in info["message"]
    assert windows[0]["lbfgs_info"]["best_loss"] < plain.history["windows"][0]["lbfgs_info"]["best_loss"]
    # the composite stays float32 and holds the continued weights: its loss is the float64 copy's best
    first = result.solver.windows[0]
    assert result.solver.compute_dtype == "float32" and all(w.dtype == "float32" for w in first.weights)
    # (the float32 runs are identical, so without the copy the first window's weights would be too)
    flat = [np.concatenate([w.numpy().ravel() for w in m.trainable_weights]) for m in (first, plain.solver.windows[0])]
    assert not np.allclose(flat[0], flat[1], rtol=0, atol=1e-6)
    assert windows[0]["rel_l2"] <= 1.05 * plain.history["windows"][0]["rel_l2"]
    assert result.metrics["rel_l2"] < 1e-2
