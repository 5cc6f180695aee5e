"""Every preset builds, trains one quick step, and its problem is consistent."""

import numpy as np
import pytest

from pinnzoo.errors import PresetError
from pinnzoo.presets import PRESETS, get_preset
from pinnzoo.sampling import fixed_batch
from pinnzoo.training import build_solver


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_builds_and_steps(name):
    preset = get_preset(name)
    schedule = preset.schedule.quick()
    solver = build_solver(preset, schedule, seed=0)
    batch = fixed_batch(solver, 256, seed=0)
    before = {k: float(v) for k, v in solver.loss_terms(batch).items()}
    assert all(np.isfinite(v) for v in before.values())
    logs = solver.train_step(batch)
    assert np.isfinite(float(logs["loss"]))
    problem = solver.problem
    assert problem.reference(problem.scoring_grid()[0][:10]).shape == (10, len(problem.outputs))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(PresetError, match="available presets: .*burgers"):
        get_preset("burger")
