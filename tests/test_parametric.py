"""The parametric Burgers solver: nu is a network input; exports serve serving_default(inputs, nu)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tensorflow as tf

from pinnzoo.parameters import ParameterError
from pinnzoo.problems import get_problem


def test_reference_at_each_nu_is_the_burgers_reference(rng):
    problem = get_problem("burgers_parametric")
    xt = np.column_stack([rng.uniform(-1, 1, 50), rng.uniform(0, 1, 50)])
    for nu in (problem.params["nu_min"], 0.003, problem.params["nu_max"]):
        pts = np.column_stack([xt, np.full(50, nu)])
        np.testing.assert_allclose(problem.reference(pts), get_problem("burgers", nu=nu).reference(xt), atol=1e-12)
    mixed = np.column_stack([xt, np.where(np.arange(50) % 2, 0.002, 0.005)])
    expected = np.where((np.arange(50) % 2)[:, None], get_problem("burgers", nu=0.002).reference(xt),
                        get_problem("burgers", nu=0.005).reference(xt))
    np.testing.assert_allclose(problem.reference(mixed), expected, atol=1e-12)


def test_scores_every_scoring_viscosity():
    problem = get_problem("burgers_parametric")
    pts, shape = problem.scoring_grid()
    assert shape == (256, 100, 5)
    ref = problem.reference(pts)
    wrong = ref.reshape(shape).copy()
    wrong[..., 3] *= 1.01  # 1 % off at the fourth viscosity only
    m = problem.score(wrong.reshape(-1, 1), ref)
    assert m["rel_l2_nu3"] == pytest.approx(0.01, rel=1e-6)
    assert all(m[f"rel_l2_nu{i}"] < 1e-12 for i in (0, 1, 2, 4))
    assert m["nu_values"][2] == pytest.approx(0.01 / np.pi)


def test_range_must_be_ordered():
    with pytest.raises(ParameterError, match="nu_min must be below nu_max"):
        get_problem("burgers_parametric", nu_min=0.005, nu_max=0.002)


@pytest.mark.slow
def test_export_serves_inputs_and_nu(tmp_path):
    from pinnzoo.export import evaluate_export
    from pinnzoo.presets import get_preset

    out = tmp_path / "bp"
    result = get_preset("burgers_parametric").train(quick=True, verbose=0, out=out)
    meta = json.loads((out / "pinnzoo.json").read_text())
    assert meta["point_signature"] == "points" and "nu [batch, 1]" in meta["signatures"]["serving_default"]["inputs"]
    sig = tf.saved_model.load(str(out)).signatures
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.uniform(-1, 1, 20), rng.uniform(0, 1, 20)]).astype(np.float32)
    nu = rng.uniform(0.0016, 0.0063, (20, 1)).astype(np.float32)
    served = sig["serving_default"](inputs=x, nu=nu)["u"].numpy()
    np.testing.assert_allclose(served, sig["points"](inputs=np.hstack([x, nu]))["u"].numpy(), rtol=1e-6)
    np.testing.assert_allclose(served, result.solver.predict_numpy(np.hstack([x, nu])), rtol=1e-5, atol=1e-6)
    assert evaluate_export(out)["matches_metadata"]
