"""The grid families resume from their checkpoints: a grid fit (deterministic) to the very same weights, a
marching grid run from the step after the last one done, a coefficient recovery without rerunning its baselines.

The run is cut by an exception injected after a checkpoint (the SIGKILL tests of ``test_resume.py`` show that a
checkpoint written atomically survives a real kill)."""

import keras
import numpy as np
import pytest

from pinnzoo.checkpoint import checkpoint_path
from pinnzoo.errors import InputError
from pinnzoo.presets import get_preset

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)


class _Cut(Exception):
    pass


class _CutAt(keras.callbacks.Callback):
    """Raise :class:`_Cut` at the end of epoch ``epoch`` (0-based) of ``phase``, before that epoch's checkpoint."""

    def __init__(self, phase: str, epoch: int):
        super().__init__()
        self.phase, self.epoch, self.seen = phase, epoch, 0

    def on_epoch_end(self, epoch, logs=None):
        if self.params.get("phase", "adam") == self.phase:
            if self.seen == self.epoch:
                raise _Cut(f"{self.phase} epoch {epoch}")
            self.seen += 1


def _same(a, b):
    wa, wb = a.solver.get_weights(), b.solver.get_weights()
    return len(wa) == len(wb) > 0 and all(np.array_equal(x, y) for x, y in zip(wa, wb))


def test_a_grid_fit_cut_during_adam_resumes_to_the_same_weights(tmp_path):
    preset = get_preset("poisson2d_grid")
    options = dict(quick=True, epochs=6, lbfgs_iterations=0, seed=1, verbose=0)
    full = preset.train(**options)
    ck = checkpoint_path(tmp_path / "m")
    with pytest.raises(_Cut):
        preset.train(**options, checkpoint=ck, callbacks=[_CutAt("adam", 3)])
    assert ck.is_file()
    resumed = preset.train(**options, checkpoint=ck, resume=True, out=tmp_path / "m")
    assert _same(full, resumed)  # bit for bit: Adam's moments and step count were restored
    assert resumed.metrics["rel_l2"] == full.metrics["rel_l2"]
    assert len(resumed.history["adam"]["loss"]) == 6  # the whole run's logs, those before the cut included
    assert not ck.exists() and (tmp_path / "m" / "pinnzoo.json").is_file()


def test_a_grid_fit_cut_during_lbfgs_resumes_with_the_iterations_left(tmp_path):
    preset = get_preset("poisson2d_grid")
    options = dict(quick=True, epochs=1, lbfgs_iterations=60, seed=1, verbose=0)
    full = preset.train(**options)
    ck = checkpoint_path(tmp_path / "m")
    with pytest.raises(_Cut):
        preset.train(**options, checkpoint=ck, callbacks=[_CutAt("lbfgs", 2)])  # after 20 iterations
    resumed = preset.train(**options, checkpoint=ck, resume=True)
    assert resumed.metrics["lbfgs_iterations"] == full.metrics["lbfgs_iterations"] == 60
    assert "adam" in resumed.history and len(resumed.history["adam"]["loss"]) == 1  # not run again, kept
    assert resumed.metrics["rel_l2"] < 1.5 * full.metrics["rel_l2"]


def test_a_marching_grid_run_cut_after_a_step_resumes_to_the_same_trajectory(tmp_path, monkeypatch):
    from pinnzoo.families.grid_marching.preset import GridMarchingPreset

    preset = get_preset("heat2d_grid")
    options = dict(quick=True, seed=0, verbose=0)
    full = preset.train(**options, out=tmp_path / "full")
    steps = len(full.metrics["step_rel_l2"])
    assert steps >= 3
    fit_step, calls = GridMarchingPreset._fit_step, []

    def cut_at_third(solver, fit, objective):
        calls.append(1)
        if len(calls) == 3:
            raise _Cut("step 3")
        return fit_step(solver, fit, objective)

    ck = checkpoint_path(tmp_path / "m")
    monkeypatch.setattr(GridMarchingPreset, "_fit_step", staticmethod(cut_at_third))
    with pytest.raises(_Cut):
        preset.train(**options, checkpoint=ck)
    calls.clear()
    monkeypatch.setattr(GridMarchingPreset, "_fit_step", staticmethod(lambda *a: calls.append(1) or fit_step(*a)))
    resumed = preset.train(**options, checkpoint=ck, resume=True, out=tmp_path / "m")
    assert len(calls) == steps - 2  # the two steps done before the cut are not fitted again
    assert resumed.metrics["step_rel_l2"] == full.metrics["step_rel_l2"]  # steps 1-2 kept, 3.. the same again
    assert _same(full, resumed)
    import tensorflow as tf

    served = [tf.saved_model.load(str(d)).signatures["trajectory"]()["u"].numpy() for d in (tmp_path / "full",
                                                                                         tmp_path / "m")]
    assert served[0].shape[0] == steps
    np.testing.assert_array_equal(served[0], served[1])  # the fields of the steps before the cut were kept


def test_a_coefficient_recovery_cut_mid_fit_resumes_without_rerunning_the_baselines(tmp_path, monkeypatch):
    preset = get_preset("darcy_inverse")
    options = dict(quick=True, epochs=4, lbfgs_iterations=0, seed=0, verbose=0)
    full = preset.train(**options)
    ck = checkpoint_path(tmp_path / "m")
    with pytest.raises(_Cut):
        preset.train(**options, checkpoint=ck, callbacks=[_CutAt("adam", 2)])
    ran = []
    for baseline in preset.quick().baselines:
        monkeypatch.setattr(type(baseline), "run", lambda *a, **k: ran.append(1))
    resumed = preset.train(**options, checkpoint=ck, resume=True)
    assert not ran  # the baselines' results came from the checkpoint
    assert resumed.baselines == full.baselines
    assert _same(full, resumed) and resumed.metrics["rel_l2"] == full.metrics["rel_l2"]


def test_a_grid_checkpoint_of_another_run_is_refused(tmp_path):
    preset = get_preset("poisson2d_grid")
    ck = checkpoint_path(tmp_path / "m")
    with pytest.raises(_Cut):
        preset.train(quick=True, epochs=3, lbfgs_iterations=0, seed=1, verbose=0, checkpoint=ck,
                     callbacks=[_CutAt("adam", 1)])
    with pytest.raises(InputError, match="checkpoint of another run"):
        preset.train(quick=True, epochs=3, lbfgs_iterations=0, seed=2, verbose=0, checkpoint=ck, resume=True)
    with pytest.raises(InputError, match="no checkpoint to resume from"):
        preset.train(quick=True, verbose=0, checkpoint=tmp_path / "none.npz", resume=True)
