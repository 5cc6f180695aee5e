"""heat2d_grid: implicit Euler steps as grid problems, the marching preset, warm starts, the export."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.export import evaluate_export, load_export
from pinnzoo.grids import HeatGrid, get_grid_problem
from pinnzoo.parameters import ParameterError
from pinnzoo.presets import GridFit, get_preset


def test_implicit_euler_operator_is_symmetric_and_its_conv2d_is_its_matrix():
    problem = HeatGrid(n=17)
    rng = np.random.default_rng(0)
    u, v = rng.standard_normal((2, 1, 15, 15, 1))
    au = problem.operator.A(tf.constant(u)).numpy()
    assert np.allclose(au.ravel(), problem.operator.matrix() @ u.ravel(), atol=1e-10)
    assert np.isclose(np.sum(au * v), np.sum(u * problem.operator.A_adjoint(tf.constant(v)).numpy()), rtol=1e-12)


def test_trajectory_steps_solve_each_implicit_euler_system():
    problem = HeatGrid(n=33, steps=3)
    traj = problem.trajectory()
    previous = problem.exact(0.0)
    for k in range(3):
        r = problem.operator.matrix() @ traj[k].ravel() - previous.ravel()
        assert np.abs(r).max() < 1e-12
        previous = traj[k]
    step = problem.next(traj[0])
    assert step.step == 1 and np.array_equal(step.rhs, traj[0])
    assert np.allclose(step.discrete_solution(), traj[1], atol=1e-12)
    assert step.time == pytest.approx(2 * problem.setup.dt)


def test_implicit_euler_is_first_order_in_time():
    errors = []
    for dt, steps in ((0.02, 5), (0.01, 10)):
        p = HeatGrid(n=129, dt=dt, steps=steps)
        errors.append(np.linalg.norm(p.trajectory()[-1] - p.final_solution()) / np.linalg.norm(p.final_solution()))
    assert 1.8 < errors[0] / errors[1] < 2.2


def test_bad_heat_setups_get_named_errors():
    with pytest.raises(ParameterError, match=r"steps = 0 is out of range; steps must lie in \[1, 1000\]"):
        get_grid_problem("heat2d_grid", steps=0)  # by name (as --set does): the declared range
    with pytest.raises(InputError, match="steps >= 1"):
        HeatGrid(steps=0)  # the class itself
    with pytest.raises(InputError, match="step must be in"):
        HeatGrid(steps=2, step=2)
    with pytest.raises(InputError, match="previous field"):
        HeatGrid(n=9, previous=np.zeros((3, 3)))


@pytest.mark.slow
def test_warm_starts_beat_cold_starts_at_the_same_budget():
    base = get_preset("heat2d_grid")
    errors = {}
    for warm in (True, False):
        preset = dataclasses.replace(base, fit=GridFit(lbfgs_iterations=40), warm_start=warm,
                                     problem_params={"n": 33, "steps": 5})
        errors[warm] = preset.train(verbose=0).metrics["rel_l2"]
    assert errors[True] < 0.3 * errors[False]  # measured: 2.7e-3 vs 1.5e-2


def test_marching_export_serves_the_trajectory(tmp_path):
    preset = dataclasses.replace(get_preset("heat2d_grid"), problem_params={"n": 33, "steps": 4})
    result = preset.train(quick=True, out=tmp_path / "h", verbose=0)
    model, meta = load_export(tmp_path / "h")
    traj = model.signatures["trajectory"]()["u"].numpy()
    assert traj.shape == (4, 31, 31) and meta["family"] == "grid_marching"
    assert np.allclose(traj[-1], result.solver.solution(), atol=1e-6)
    evaluation = evaluate_export(tmp_path / "h")
    assert evaluation["matches_metadata"] and evaluation["metrics"]["final_is_last_step"]
    assert abs(evaluation["metrics"]["rel_l2"] - result.metrics["rel_l2"]) < 1e-5
