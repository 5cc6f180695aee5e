"""Error metrics against reference solutions."""

from __future__ import annotations

import numpy as np


def rel_l2(pred, ref) -> float:
    """Relative L2 error ``||pred - ref||_2 / ||ref||_2`` over all entries."""
    pred = np.asarray(pred, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if pred.shape != ref.shape:
        raise ValueError(f"shape mismatch: prediction {pred.shape} vs reference {ref.shape}")
    return float(np.linalg.norm(pred - ref) / np.linalg.norm(ref))


def field_errors(pred, ref, outputs) -> dict:
    """``rel_l2`` over all outputs together and ``rel_l2_<name>`` for each output column."""
    out = {"rel_l2": rel_l2(pred, ref)}
    if len(outputs) > 1:
        for j, name in enumerate(outputs):
            out[f"rel_l2_{name}"] = rel_l2(pred[:, j], ref[:, j])
    return out


def score_problem(problem, predict) -> dict:
    """Errors of ``predict(points [N, d]) -> [N, m]`` on the problem's scoring grid."""
    points, shape = problem.scoring_grid()
    ref = problem.reference(points)
    pred = np.asarray(predict(points), dtype=np.float64).reshape(ref.shape)
    metrics = problem.score(pred, ref)
    metrics["grid"] = list(shape)
    return metrics


def param_errors(identified: dict, true: dict) -> dict:
    """``param_<name>`` and ``param_<name>_rel_error`` for each identified coefficient."""
    out = {}
    for name, value in identified.items():
        out[f"param_{name}"] = float(value)
        out[f"param_{name}_rel_error"] = abs(float(value) - true[name]) / abs(true[name])
    return out
