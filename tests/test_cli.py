"""The pinnzoo command end to end, and its answers to bad input."""

import json

import numpy as np
import pytest

from conftest import call_cli, small_preset, tiny_schedule
from pinnzoo import cli
from pinnzoo.presets import PRESETS
from pinnzoo.problems import PDEProblem, register_problem
from pinnzoo.problems.burgers import Burgers


def test_train_quick_evaluate_predict(tmp_path):
    out = tmp_path / "burgers"
    proc = call_cli("train", "burgers", "--quick", "--out", out, "--seed", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("burgers: rel L2 = ") and str(out) in summary
    assert "Epoch 1/2" in proc.stdout and "loss" in proc.stdout  # the Keras progress bar

    proc = call_cli("evaluate", out, "--json")
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["matches_metadata"] and result["metrics"]["grid"] == [256, 100]

    pts = np.array([[0.0, 0.5], [0.5, 0.0], [1.0, 0.3]])
    np.save(tmp_path / "p.npy", pts)
    np.savetxt(tmp_path / "p.csv", pts, delimiter=",")
    assert call_cli("predict", out, "--points", tmp_path / "p.npy", "--out", tmp_path / "u.npy").returncode == 0
    u = np.load(tmp_path / "u.npy")
    assert u.shape == (3, 1)
    np.testing.assert_allclose(u[1:, 0], [-1.0, 0.0], atol=1e-6)  # exact IC and BC (hard constraints)
    proc = call_cli("predict", out, "--points", tmp_path / "p.csv")
    assert proc.returncode == 0 and proc.stdout.splitlines()[0] == "x,t,u"
    np.testing.assert_allclose(np.loadtxt(proc.stdout.splitlines()[1:], delimiter=",")[:, 2], u[:, 0], atol=1e-6)

    # bad points: wrong width, NaN
    np.save(tmp_path / "wide.npy", np.zeros((4, 3)))
    np.save(tmp_path / "nan.npy", np.array([[0.0, 0.1], [np.nan, 0.2]]))
    for name, message in (("wide.npy", "shape [N, 2]"), ("nan.npy", "NaN or inf")):
        proc = call_cli("predict", out, "--points", tmp_path / name)
        assert proc.returncode == 2 and message in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args, message", [
    (["train", "nosuch"], "available presets: allen_cahn, allen_cahn_sota, burgers"),
    (["evaluate", "/nonexistent/dir"], "no such directory"),
    (["predict", "/nonexistent/dir", "--points", "p.npy"], "no such directory"),
    (["train", "burgers", "--set", "mu=0.005"], "no parameter 'mu' (did you mean 'nu'?)"),
    (["train", "burgers", "--set", "nu=fast"], "nu must be a real number, got 'fast'"),
    (["train", "darcy_grid", "--set", "seed=-1"], "seed must lie in [0, 2147483647]"),
    (["train", "helmholtz2d", "--set", "k=10"], "k must be a multiple of pi"),
    (["train", "burgers", "--set", "nu"], "--set expects NAME=VALUE"),
    (["list", "--params", "burgerz"], "did you mean 'burgers'"),
])
def test_bad_input_gives_message_not_traceback(args, message, capsys):
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_evaluate_rejects_non_savedmodel(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path)]) == 2
    assert "not a SavedModel directory" in capsys.readouterr().err


def test_list(capsys):
    assert cli.main(["list"]) == 0
    assert "burgers" in capsys.readouterr().out


@register_problem
class _Diverging(Burgers):
    """Burgers whose residual is NaN once the network output leaves a tiny band: training diverges."""

    name = "_test_diverging"

    def residual(self, f, p):
        return super().residual(f, p) + (f["u"] * 0 + 1.0) * __import__("tensorflow").math.log(
            0.5 - __import__("tensorflow").abs(f["u"]))


def test_nan_loss_stops_keeps_weights_and_does_not_export(tmp_path, capsys):
    preset = small_preset("_test_nan", problem=_Diverging, widths=(8,),
                          schedule=tiny_schedule(epochs=3, steps=20, execution=10, points=128, learning_rate=0.5))
    with PRESETS.temporarily("_test_nan", preset):  # the global registry is restored afterwards
        code = cli.main(["train", "_test_nan", "--out", str(tmp_path / "m"), "--quiet"])
    assert "_test_nan" not in PRESETS
    err = capsys.readouterr().err
    assert code == 3 and "NaN" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()
    rescue = tmp_path / "m.nan-recovery.keras"
    assert rescue.exists()
    import keras

    model = keras.saving.load_model(rescue)
    assert np.all([np.isfinite(w).all() for w in model.get_weights()])


assert issubclass(_Diverging, PDEProblem)


@pytest.mark.slow
def test_a_killed_training_keeps_its_weights(tmp_path):
    """SIGTERM (or Ctrl-C) during training: exit 130, nothing exported, weights saved to a .keras file."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    exe = Path(sys.executable).with_name("pinnzoo")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pinnzoo.cli"]
    out = tmp_path / "b"
    proc = subprocess.Popen(cmd + ["train", "burgers", "--out", str(out), "--epochs", "50"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
    deadline = time.time() + 240
    for line in proc.stdout:  # wait until training is under way
        if "Epoch 2/" in line or time.time() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted" in err and "Traceback" not in err
    assert not out.exists()
    import keras

    model = keras.saving.load_model(tmp_path / "b.interrupted.keras")
    assert model.problem.name == "burgers"
    # what was logged before the kill stays beside, as the CSV history streamed during the run
    from pinnzoo.run_log import read_history

    rows = read_history(tmp_path / "b.history.csv")
    assert rows and {r[3] for r in rows} >= {"loss", "rel_l2"} and f"{tmp_path / 'b.history.csv'}" in err


@pytest.mark.slow
def test_train_logdir_writes_tensorboard_and_the_export_keeps_the_history(tmp_path):
    from pinnzoo.run_log import read_events, read_history

    out, logdir = tmp_path / "b", tmp_path / "tb"
    proc = call_cli("train", "burgers", "--quick", "--out", out, "--logdir", logdir, "--images-every", "1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    events = read_events(logdir)
    assert {"loss", "residual", "rel_l2", "learning_rate", "solution/u"} <= set(events)
    rows = read_history(out / "history.csv")
    assert [s for s, v in events["loss"]] == [r[0] for r in rows if r[3] == "loss"]
    assert not (tmp_path / "b.history.csv").exists()  # moved into the export
    assert call_cli("verify", out).returncode == 0


def test_unwritable_outputs_are_refused_before_training(tmp_path, capsys, monkeypatch):
    import os

    from pinnzoo.presets import PINNPreset

    def no_training(*args, **kwargs):
        raise AssertionError("training started although the output cannot be written")

    monkeypatch.setattr(PINNPreset, "train", no_training)
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    assert cli.main(["train", "burgers", "--out", str(blocker / "run")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert cli.main(["train", "burgers", "--out", str(blocker)]) == 2
    assert "is a file, not an export folder" in capsys.readouterr().err
    assert cli.main(["restore", "denoise", "--image", "none.png", "--out", str(blocker / "r.png")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        assert cli.main(["train", "burgers", "--out", str(locked / "run")]) == 2
        assert "cannot write into" in capsys.readouterr().err
