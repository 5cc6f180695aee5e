"""Every preset builds, trains one quick step, and its problem is consistent."""

import numpy as np
import pytest

from pinnzoo.errors import PresetError
from pinnzoo.presets import PRESETS, get_preset
from pinnzoo.sampling import fixed_batch
from pinnzoo.training import build_solver


PDE_PRESETS = sorted(n for n, p in PRESETS.items() if getattr(p, "kind", None) != "image")
IMAGE_PRESETS = sorted(n for n, p in PRESETS.items() if getattr(p, "kind", None) == "image")


@pytest.mark.parametrize("name", PDE_PRESETS)
def test_preset_builds_and_steps(name):
    preset = get_preset(name)
    schedule = preset.schedule.quick()
    solver = build_solver(preset, schedule, seed=0)
    problem = solver.problem
    if preset.marching:  # time marching: check the last window, whose initial data come from the one before
        solver = solver.windows[-1]
    batch = fixed_batch(solver, 256, seed=0)
    before = {k: float(v) for k, v in solver.loss_terms(batch).items()}
    assert all(np.isfinite(v) for v in before.values())
    logs = solver.train_step(batch)
    assert np.isfinite(float(logs["loss"]))
    assert problem.reference(problem.scoring_grid()[0][:10]).shape == (10, len(problem.outputs))


def test_unknown_preset_lists_the_known_ones():
    with pytest.raises(PresetError, match="available presets: .*burgers"):
        get_preset("burger")


@pytest.mark.parametrize("name", IMAGE_PRESETS)
def test_image_preset_degrades_and_fits(name):
    """A quick version (64×64, 20 steps) of every image preset runs end to end with its baselines."""
    from pinnzoo.restoration import train_image_preset

    preset = get_preset(name)
    clean, y, op = preset.quick().degrade()
    assert clean.shape == (64, 64, 1) and y.shape[2] == 1
    assert op.A(clean[None]).shape[1:3] == y.shape[:2]
    result = train_image_preset(preset, quick=True, verbose=0)
    meta = result.metadata
    assert meta["baselines"] and meta["target_psnr"] == meta["baselines"][0]["psnr"] + preset.margin
    assert np.isfinite(meta["metrics"]["psnr"]) and result.steps <= 20
