"""A PINN run killed with SIGKILL resumes from its checkpoint: Adam bit for bit, L-BFGS from the saved weights."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import run_cli
from pinnzoo.checkpoint import RunCheckpoint, checkpoint_path
from pinnzoo.run_log import read_history

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)


def _pinnzoo(*args):
    exe = Path(sys.executable).with_name("pinnzoo")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "pinnzoo.cli"]


def _kill_when(args, *markers: str, timeout: float = 300, command=None):
    """Start ``pinnzoo ARGS`` (or ``command``), SIGKILL it once ``markers`` have appeared in its output one
    after the other (after a checkpoint)."""
    proc = subprocess.Popen(command or _pinnzoo() + [str(a) for a in args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, bufsize=0)
    seen, deadline = b"", time.time() + timeout

    def found():
        at = 0
        for marker in markers:
            at = seen.find(marker.encode(), at)
            if at < 0:
                return False
        return True

    try:
        while not found() and time.time() < deadline:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
        assert found(), seen[-2000:].decode(errors="replace")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _weights(directory):
    with np.load(Path(directory) / "prior_weights.npz", allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


def test_a_run_killed_during_adam_resumes_to_the_same_weights(tmp_path):
    args = ["train", "heat1d", "--epochs", "6", "--lbfgs-iterations", "0", "--seed", "3"]
    full = run_cli(*args, "--out", tmp_path / "full", "--quiet")
    assert full.returncode == 0, full.stderr[-2000:]
    cut = tmp_path / "cut"
    _kill_when([*args, "--out", cut], "Epoch 4/6")  # three epochs checkpointed, the fourth under way
    assert checkpoint_path(cut).is_file() and not cut.exists()
    resumed = run_cli(*args, "--out", cut, "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a, b = _weights(tmp_path / "full"), _weights(cut)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # bit for bit
    assert not checkpoint_path(cut).exists()  # removed once the export is written
    steps = [r[0] for r in read_history(cut / "history.csv") if r[3] == "loss"]
    assert steps == [500 * e for e in range(1, 7)]  # one step axis: the resumed run appended, no repeats


def test_a_run_killed_during_lbfgs_resumes_from_the_saved_weights(tmp_path):
    args = ["train", "heat1d", "--epochs", "1", "--lbfgs-iterations", "1500", "--seed", "3"]
    cut = tmp_path / "cut"
    _kill_when([*args, "--out", cut], "Epoch 3/6")  # L-BFGS logs (and checkpoints) every 250 iterations
    state = RunCheckpoint(checkpoint_path(cut), {}).path
    assert state.is_file()
    resumed = run_cli(*args, "--out", cut, "--resume")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "500/500" not in resumed.stdout  # the Adam phase (500 steps per epoch) is not run again
    result = run_cli("evaluate", cut, "--json")
    import json

    metrics = json.loads(result.stdout)["metrics"]
    assert metrics["rel_l2"] < 1e-3  # the preset's target: the restart from saved weights still converges


_MARCHING = """
import dataclasses, sys
from pinnzoo.checkpoint import checkpoint_path
from pinnzoo.presets import get_preset

preset = dataclasses.replace(get_preset("allen_cahn"), name="allen_cahn_2", marching={"windows": 2})
out = sys.argv[1]
preset.train(quick=True, seed=2, out=out, checkpoint=checkpoint_path(out), resume=sys.argv[2] == "resume")
"""


def test_a_time_marching_run_killed_in_its_second_window_resumes_to_the_same_weights(tmp_path):
    """The checkpoint holds every window's weights, the window under way and its optimiser: the first window
    (Adam and L-BFGS) is not trained again, the second continues its Adam phase bit for bit."""
    def command(out, mode):
        return [sys.executable, "-c", _MARCHING, str(out), mode]

    full = subprocess.run(command(tmp_path / "full", "fresh"), capture_output=True, text=True, timeout=600)
    assert full.returncode == 0, full.stderr[-2000:]
    cut = tmp_path / "cut"
    _kill_when([], "window 2/2", "Epoch 2/2", command=command(cut, "fresh"))  # window 2: one epoch checkpointed
    assert checkpoint_path(cut).is_file() and not cut.exists()
    state = RunCheckpoint(checkpoint_path(cut), {}).path
    resumed = subprocess.run(command(cut, "resume"), capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert "window 1/2" not in resumed.stdout and "window 2/2" in resumed.stdout
    a, b = _weights(tmp_path / "full"), _weights(cut)
    assert len(a) > 0 and a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)  # bit for bit
    assert not state.exists()
    import json

    meta = [json.loads((d / "pinnzoo.json").read_text())["training"] for d in (tmp_path / "full", cut)]
    assert meta[0]["window_rel_l2"] == meta[1]["window_rel_l2"] and len(meta[1]["window_rel_l2"]) == 2
    assert meta[0]["lbfgs_iterations"] == meta[1]["lbfgs_iterations"] > 0


def test_resume_refuses_another_runs_checkpoint_and_a_missing_one(tmp_path):
    out = tmp_path / "m"
    proc = run_cli("train", "heat1d", "--out", out, "--resume")
    assert proc.returncode == 2 and "no checkpoint to resume from" in proc.stderr
    RunCheckpoint(checkpoint_path(out), {"preset": "burgers"}).save(_Model(), {"phase": "adam", "done": 1})
    proc = run_cli("train", "heat1d", "--out", out, "--resume", "--epochs", "2")
    assert proc.returncode == 2 and "checkpoint of another run" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("train", "darcy_grid", "--quick", "--out", tmp_path / "d", "--resume")  # every family resumes
    assert proc.returncode == 2 and "no checkpoint to resume from" in proc.stderr


class _Model:
    weights, optimizer = [], None


def test_a_checkpoint_is_replaced_atomically(tmp_path, monkeypatch):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    ck = RunCheckpoint(tmp_path / "c.npz", {"run": 1})
    ck.save(model, {"phase": "adam", "done": 1})
    good = (tmp_path / "c.npz").read_bytes()

    def crash(*args):
        raise OSError("killed while writing")

    monkeypatch.setattr(os, "replace", crash)
    model.layers[0].kernel.assign(np.ones((2, 3)))
    with pytest.raises(OSError):
        ck.save(model, {"phase": "adam", "done": 2})
    assert (tmp_path / "c.npz").read_bytes() == good  # the last complete checkpoint is intact
    monkeypatch.undo()
    assert ck.load() == {"phase": "adam", "done": 1}
    ck.restore(model)
    assert not np.array_equal(model.layers[0].kernel.numpy(), np.ones((2, 3)))


def test_a_restore_killed_mid_fit_resumes_to_the_same_image(tmp_path):
    """The image prior's fit: weights, output average, variance window, step, optimiser and the input-noise
    generator are in the checkpoint, so the resumed fit ends with the very same image."""
    from pinnzoo.image_io import test_image, write_image
    from pinnzoo.operators import Identity, degrade

    write_image(tmp_path / "noisy.npy", degrade(test_image("camera", 64), Identity(), 0.1, seed=0))
    args = ["restore", "denoise", "--image", tmp_path / "noisy.npy", "--iterations", "300", "--no-auto-stop"]
    full = run_cli(*args, "--out", tmp_path / "full.npy", "--quiet")
    assert full.returncode == 0, full.stderr[-2000:]
    _kill_when([*args, "--out", tmp_path / "cut.npy"], "Epoch 4/6")
    assert checkpoint_path(tmp_path / "cut.npy").is_file() and not (tmp_path / "cut.npy").exists()
    resumed = run_cli(*args, "--out", tmp_path / "cut.npy", "--resume", "--quiet")
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    np.testing.assert_array_equal(np.load(tmp_path / "cut.npy"), np.load(tmp_path / "full.npy"))
    assert not checkpoint_path(tmp_path / "cut.npy").exists()
