"""The command line keeps its promises: fast commands without TensorFlow, quiet start-up, one line per epoch
into a file, exit 130 with one line on an interrupt (offering --resume only with a checkpoint), predict reading
what it writes, one-line errors for bad images and write failures, exact step counts, help for every option.

In-process (``cli.main``) wherever the point can be seen in-process; the TensorFlow-free start and the silenced
start-up lines need a fresh interpreter and use one subprocess each.
"""

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import small_preset, tiny_schedule
from pinnzoo import cli
from pinnzoo.presets import PRESETS

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models"


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)


def test_help_list_params_verify_and_argument_errors_do_not_import_tensorflow():
    result = _fresh_python(f"""
        import sys
        from pinnzoo import cli
        codes = [cli.main(["--help"]), cli.main(["list"]), cli.main(["list", "--params", "burgers"]),
                 cli.main(["verify", {str(SHIPPED / "heat1d")!r}]), cli.main(["train", "burgrs"]),
                 cli.main(["train", "burgers", "--epochs", "-1"]), cli.main(["restore", "nosuch"]),
                 cli.main(["list", "--params", "nosuch"])]
        print(codes, "tensorflow" in sys.modules, "keras" in sys.modules)
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0, 2, 2, 2, 2] False False"
    assert "did you mean 'burgers'" in result.stderr


def test_tensorflow_start_up_lines_are_silenced_unless_debug():
    result = _fresh_python(f"""
        from pinnzoo import cli
        raise SystemExit(cli.main(["evaluate", {str(SHIPPED / "heat1d")!r}]))
    """)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr  # no oneDNN, cudart, absl or cuInit lines
    assert "heat1d" in result.stdout


def test_the_catalog_answers_as_the_registries_do(capsys):
    from pinnzoo.presets import get_preset

    assert cli.main(["list", "--params", "darcy_grid"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" = ")[0] for line in lines] == [p.name for p in get_preset("darcy_grid").parameters()]
    assert cli.main(["list"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == len(PRESETS)


def test_into_a_file_training_prints_one_line_per_epoch_not_progress_bar_redraws(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    preset = small_preset("_test_lines", schedule=tiny_schedule(epochs=3, steps=20, execution=10, points=128))
    with PRESETS.temporarily("_test_lines", preset):
        code = cli.main(["train", "_test_lines", "--out", str(tmp_path / "m")])
    out = capsys.readouterr().out
    assert code == 0
    assert "\r" not in out and "\b" not in out
    assert sum("Epoch" in line for line in out.splitlines()) == 3  # one line per Adam epoch


def test_verbosity_follows_the_terminal(monkeypatch):
    args = argparse.Namespace(quiet=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert cli._verbose(args) == 1
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert cli._verbose(args) == 2
    assert cli._verbose(argparse.Namespace(quiet=True)) == 0


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_an_interrupt_before_any_checkpoint_does_not_offer_resume(tmp_path, capsys, monkeypatch):
    preset = small_preset("_test_int", schedule=tiny_schedule())
    monkeypatch.setattr(type(preset), "train", _interrupt)
    with PRESETS.temporarily("_test_int", preset):
        code = cli.main(["train", "_test_int", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip()
    assert code == 130 and len(err.splitlines()) == 1
    assert "--resume" not in err and "no checkpoint was written yet" in err


def test_an_interrupt_after_a_checkpoint_offers_resume(tmp_path, capsys, monkeypatch):
    preset = small_preset("_test_int2", schedule=tiny_schedule())

    def interrupted_after_a_checkpoint(self, *, checkpoint, **kwargs):
        Path(checkpoint).write_bytes(b"saved")
        raise KeyboardInterrupt

    monkeypatch.setattr(type(preset), "train", interrupted_after_a_checkpoint)
    with PRESETS.temporarily("_test_int2", preset):
        code = cli.main(["train", "_test_int2", "--out", str(tmp_path / "m")])
    err = capsys.readouterr().err.strip()
    assert code == 130 and len(err.splitlines()) == 1
    assert "--resume continues the run from" in err and "m.checkpoint.npz" in err


def test_an_interrupt_at_any_other_moment_exits_130_with_one_line(capsys, monkeypatch):
    monkeypatch.setattr(cli, "parser", _interrupt)
    assert cli.main(["list"]) == 130
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err


def _noisy_png(path: Path) -> Path:
    from pinnzoo.image_io import write_image

    write_image(path, np.random.default_rng(0).uniform(size=(32, 32, 1)).astype(np.float32))
    return path


def test_an_interrupted_restore_says_what_it_saved_and_quiet_keeps_the_recipe_line(tmp_path, capsys, monkeypatch):
    import pinnzoo.restoration

    monkeypatch.setattr(pinnzoo.restoration, "restore", _interrupt)
    image = _noisy_png(tmp_path / "noisy.png")
    code = cli.main(["restore", "denoise", "--image", str(image), "--out", str(tmp_path / "r.png"), "--quiet"])
    captured = capsys.readouterr()
    assert code == 130
    assert captured.out.startswith("recipe dip_denoise")  # --quiet hides the progress bar only
    err = captured.err.strip()
    assert len(err.splitlines()) == 1 and "no image was written" in err and "--resume" not in err


def test_predict_reads_the_csv_it_writes_and_creates_the_output_folder(tmp_path, capsys):
    points = tmp_path / "pts.csv"
    points.write_text("x,t\n0.5,0.25\n0.1,0.9\n")
    first = tmp_path / "new" / "folder" / "u.csv"
    assert cli.main(["predict", str(SHIPPED / "heat1d"), "--points", str(points), "--out", str(first)]) == 0
    assert first.read_text().splitlines()[0] == "x,t,u"
    again = tmp_path / "again.csv"  # its own output (x, t, u) as the points of another call
    assert cli.main(["predict", str(SHIPPED / "heat1d"), "--points", str(first), "--out", str(again)]) == 0
    np.testing.assert_array_equal(np.loadtxt(first, delimiter=",", skiprows=1),
                                  np.loadtxt(again, delimiter=",", skiprows=1))
    exact = np.exp(-0.4 * np.pi ** 2 * 0.25) * np.sin(np.pi * 0.5)
    assert np.loadtxt(first, delimiter=",", skiprows=1)[0, 2] == pytest.approx(exact, abs=1e-3)


def test_predict_write_errors_are_named_errors(tmp_path, capsys):
    points = tmp_path / "pts.npy"
    np.save(points, np.array([[0.5, 0.25]]))
    blocker = tmp_path / "file"
    blocker.write_text("")
    code = cli.main(["predict", str(SHIPPED / "heat1d"), "--points", str(points), "--out", str(blocker / "u.npy")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and err.startswith("error: ") and len(err.splitlines()) == 1


def test_a_text_file_named_png_is_one_error_line(tmp_path, capsys):
    fake = tmp_path / "fake.png"
    fake.write_text("not an image at all\n")
    code = cli.main(["restore", "denoise", "--image", str(fake), "--out", str(tmp_path / "r.png")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "not a readable PNG image" in err


def test_iterations_n_runs_exactly_n_steps(tmp_path):
    from pinnzoo.image_io import read_image
    from pinnzoo.operators import Identity
    from pinnzoo.presets import get_preset

    y = read_image(_noisy_png(tmp_path / "noisy.png"))
    config = get_preset("deep_decoder_denoise").recipe.quick().override(iterations=7)
    config = config.with_prior(config.prior.replace(channels=8, layers=2))
    from pinnzoo.restoration import restore

    result = restore(y, Identity(), config, verbose=0)
    assert result.steps == 7
    assert config.output.interval(60) == 10 and config.output.interval(100) == 10


def _options(ap: argparse.ArgumentParser):
    for action in ap._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from ((f"{name} {a}", h) for a, h in _options(sub))
        elif not isinstance(action, argparse._HelpAction):
            yield (action.option_strings or [action.dest])[0], action.help


def test_every_option_has_help_text():
    missing = [name for name, text in _options(cli.parser()) if not text]
    assert missing == []


def test_the_catalog_is_current():
    """``pinnzoo/catalog.json`` says what the registries say (``python -m pinnzoo.presets.catalog`` rewrites it)."""
    from pinnzoo.catalog import CATALOG
    from pinnzoo.presets.catalog import build, text

    assert CATALOG.read_text() == text(build()), "stale: run python -m pinnzoo.presets.catalog"


def test_restore_estimates_with_the_measured_tracing_time_and_runs_exactly_the_steps_asked(tmp_path, capsys):
    image = _noisy_png(tmp_path / "noisy.png")
    code = cli.main(["restore", "denoise", "--image", str(image), "--out", str(tmp_path / "r.png"), "--quick",
                     "--prior", "deep_decoder", "--iterations", "13", "--quiet"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "plus the graph's tracing" in out or "time: unknown" in out
    assert "measured: graph traced in" in out and "for 13 steps" in out
    assert "13 iterations" in out.splitlines()[-1]  # --iterations N runs N steps (not rounded up to the log interval)


def test_an_interrupted_sweep_says_which_instances_were_exported(tmp_path, capsys, monkeypatch):
    from pinnzoo.presets import get_preset

    def first_then_interrupt(self, instances, *, out, **kwargs):
        (out / "seed=1").mkdir(parents=True)
        (out / "seed=1" / "pinnzoo.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(type(get_preset("darcy_grid")), "train_instances", first_then_interrupt)
    code = cli.main(["train", "darcy_grid", "--set", "seed=1,2", "--out", str(tmp_path / "sweep")])
    err = capsys.readouterr().err.strip()
    assert code == 130 and len(err.splitlines()) == 1
    assert "1 of 2 instances were exported" in err and "seed=1" in err
