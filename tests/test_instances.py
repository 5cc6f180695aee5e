"""Independent instances trained side by side: an instance batch equals the separate fits, sweeps expand, bad
splits and bad combinations are refused. (Two logical devices: tests/test_distribute.py.)"""

import dataclasses
import types

import numpy as np
import pytest

from conftest import call_cli
from pinnzoo.errors import InputError
from pinnzoo.operators import Identity
from pinnzoo.parameters import ParameterError, sweep
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.restoration import RestoreConfig, restore, restore_many
from pinnzoo.solvers.instances import check_shardable, owned

SMALL_DIP = PriorSpec("dip", {"channels_down": (8, 8, 8), "channels_skip": 2, "input_channels": 4})


def test_sweep_expands_comma_lists_into_every_combination():
    assert sweep({"seed": "1,2", "nu": "0.01"}) == [{"seed": "1", "nu": "0.01"}, {"seed": "2", "nu": "0.01"}]
    assert len(sweep({"a": "1,2,3", "b": "4,5"})) == 6
    assert sweep({}) == [{}]
    with pytest.raises(ParameterError, match="empty value"):
        sweep({"seed": "1,,2"})


def test_instances_split_into_equal_contiguous_blocks_or_are_refused():
    assert [list(owned(6, 3, r)) for r in range(3)] == [[0, 1], [2, 3], [4, 5]]
    two = types.SimpleNamespace(num_replicas_in_sync=2)
    check_shardable(4, two)
    with pytest.raises(InputError, match="multiple of 2"):
        check_shardable(3, two)
    with pytest.raises(InputError, match="multiple of 2"):
        check_shardable(1, two)


@pytest.mark.slow
def test_an_instance_batch_follows_each_separate_fit():
    """Two images with different seeds and automatic stopping, fitted in one batch on one device: each member
    stops where its own fit stops and ends with its weights and image."""
    rng = np.random.default_rng(0)
    ys = [rng.random((32, 32, 1)).astype(np.float32) for _ in range(2)]
    refs = [np.clip(y + 0.05, 0, 1) for y in ys]
    config = dataclasses.replace(RestoreConfig(), prior=SMALL_DIP).override(iterations=60, patience=10, log_every=5)
    config = dataclasses.replace(config, stopping=dataclasses.replace(config.stopping, window=5))
    single = [restore(y, Identity(), config, seed=s, reference=r, verbose=0) for y, s, r in zip(ys, (3, 4), refs)]
    batch = restore_many(ys, Identity(), config, seeds=(3, 4), references=refs, verbose=0)
    for a, b in zip(single, batch):
        assert (a.steps, a.kept_step, a.auto_stopped) == (b.steps, b.kept_step, b.auto_stopped)
        np.testing.assert_allclose(b.image, a.image, atol=1e-6)
        for x, y in zip(a.solver.prior.get_weights(), b.solver.prior.get_weights()):
            np.testing.assert_allclose(y, x, atol=1e-6)
        assert a.quality == b.quality and a.peak == b.peak
    assert single[0].steps < 60 and single[0].steps != single[1].steps  # both stopped on their own, apart


def test_an_instance_batch_checks_its_inputs():
    y = np.zeros((32, 32, 1), np.float32)
    with pytest.raises(InputError, match="as many operators"):
        restore_many([y, y], [Identity()], RestoreConfig().quick())
    with pytest.raises(InputError, match="NaN"):
        restore_many([y, np.full_like(y, np.nan)], Identity(), RestoreConfig().quick())


@pytest.mark.slow
def test_cli_restores_several_images_and_sweeps_a_preset(tmp_path):
    from skimage import io

    yy, xx = np.mgrid[0:40, 0:52] / 40.0
    clean = 0.5 + 0.3 * np.sin(5 * xx) * np.cos(3 * yy)
    camera_png, second = tmp_path / "first.png", tmp_path / "other.png"
    for i, path in enumerate((camera_png, second)):
        noisy = np.clip(clean + 0.05 * np.random.default_rng(i).standard_normal(clean.shape), 0, 1)
        io.imsave(path, (noisy * 255).round().astype(np.uint8), check_contrast=False)
    out = tmp_path / "restored"
    proc = call_cli("restore", "denoise", "--image", camera_png, "--image", second, "--out", out, "--quick",
                   "--quiet", "--export", tmp_path / "exports")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{camera_png.stem}.png", "other.png"])
    assert (tmp_path / "exports" / "other" / "pinnzoo.json").exists()
    bad = call_cli("restore", "denoise", "--image", camera_png, "--image", second, "--out", tmp_path / "x.png")
    assert bad.returncode != 0 and "is a folder" in bad.stderr and "Traceback" not in bad.stderr
    bad = call_cli("restore", "denoise", "--image", camera_png, "--reference", camera_png, "--reference", second,
                  "--out", tmp_path / "y.png")
    assert bad.returncode != 0 and "one reference per image" in bad.stderr

    proc = call_cli("train", "darcy_grid", "--set", "seed=1,2", "--quick", "--quiet", "--out", tmp_path / "sweep")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "sweep").iterdir()) == ["seed=1", "seed=2"]
    evaluated = call_cli("evaluate", tmp_path / "sweep" / "seed=2")
    assert evaluated.returncode == 0 and "metadata agrees" in evaluated.stdout
    bad = call_cli("train", "darcy_grid", "--set", "seed=1,2", "--epochs", "0", "--out", tmp_path / "s2")
    assert bad.returncode != 0 and "apply to one run" in bad.stderr


def test_an_instance_batch_saves_and_loads_with_its_members(tmp_path):
    import keras

    from pinnzoo.families.image.fit import image_solver
    from pinnzoo.solvers.instances import InstanceBatchSolver

    config = dataclasses.replace(RestoreConfig(), prior=SMALL_DIP)
    ys = [np.full((32, 32, 1), v, np.float32) for v in (0.2, 0.7)]
    batch = InstanceBatchSolver([image_solver(y.shape, Identity(), config, seed=s) for y, s in zip(ys, (1, 2))],
                                [y[None] for y in ys])
    batch.save(tmp_path / "batch.keras")
    loaded = keras.saving.load_model(tmp_path / "batch.keras")
    assert loaded.count == 2 and float(loaded.targets[1].numpy().mean()) == pytest.approx(0.7)
    for a, b in zip(batch.members, loaded.members):
        np.testing.assert_array_equal(a.generate().numpy(), b.generate().numpy())
