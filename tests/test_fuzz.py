"""Property-based tests: random bad input through the validators, the command line and malformed exports.

Only the documented outcomes may come out: exit 0, exit 2 with an ``error:`` line (a
:class:`~pinnzoo.errors.PinnzooError`), argparse's usage error (exit 2) — never exit 1 (an unexpected
exception) or a traceback. Work that valid input would start (training, baselines, L-BFGS) is replaced by
a sentinel, so a random command line that happens to be valid ends there.
"""

import json
import os
import shutil
import tempfile

import keras
import pytest

# hypothesis caches data (its unicode tables) in .hypothesis/ of the working folder: keep it out of the repository
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "pinnzoo-hypothesis"))
hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pinnzoo import cli  # noqa: E402
from pinnzoo.errors import PinnzooError  # noqa: E402
from pinnzoo.manifest import write_manifest  # noqa: E402

PARSER_EXAMPLES, PARAM_EXAMPLES, JSON_EXAMPLES, FILE_EXAMPLES = 200, 200, 40, 15
# no example database: the tests must not write into the repository (.hypothesis/)
FUZZ = settings(deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def fuzz(examples: int):
    return settings(FUZZ, max_examples=examples)


class _WouldRun(BaseException):
    """Valid input reached the expensive part (not an Exception: the CLI's catch-all must not see it)."""


def _would_run(*args, **kwargs):
    raise _WouldRun


@pytest.fixture
def no_work(monkeypatch, tmp_path):
    import scipy.optimize

    from pinnzoo.families.grid_inverse.preset import TunedBaseline
    from pinnzoo.tasks import ImagingTask

    monkeypatch.setattr(keras.Model, "fit", _would_run)
    monkeypatch.setattr(scipy.optimize, "minimize", _would_run)
    monkeypatch.setattr(ImagingTask, "baselines", _would_run)
    monkeypatch.setattr(TunedBaseline, "run", _would_run)
    monkeypatch.chdir(tmp_path)  # whatever a random --out names stays in the test's folder
    (tmp_path / "a_file.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "empty_dir").mkdir()
    return tmp_path


COMMANDS = ["train", "restore", "predict", "evaluate", "verify", "plot", "list"]
WORDS = ["burgers", "heat1d", "darcy_grid", "dip_denoise", "heat2d_grid", "darcy_inverse", "denoise", "deblur",
         "inpaint", "superres", "backward-heat", "nosuch", "--quick", "--quiet", "--out", "--epochs",
         "--lbfgs-iterations", "--set", "--seed", "--prior", "--init", "--init-reset", "--image", "--mask", "--psf",
         "--scale", "--kappa-t", "--noise-sigma", "--iterations", "--points", "--json", "--params", "--logdir",
         "--resume", "--strict-domain", "--tv", "--precondition", "--recipe", "nu=0.005", "nu=x", "k=3", "seed=-1",
         "-1", "0", "2", "1e9", "nan", "inf", "gaussian:2", "box:0", "motion:5", "a_file.png", "empty_dir",
         "missing.npy", "out/x", "last", "noise", "dip", "mlp", "", "=", "--", "ünïcödé"]


@fuzz(PARSER_EXAMPLES)
@given(command=st.sampled_from(COMMANDS), words=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)),
                                                        max_size=6))
def test_random_command_lines_end_in_a_documented_way(no_work, capsys, command, words):
    try:
        code = cli.main([command, *words])
    except SystemExit as exc:  # argparse: a usage error
        assert exc.code in (0, 2)
        return
    except _WouldRun:
        return
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and (code == 0 or "error: " in err)


@fuzz(PARAM_EXAMPLES)
@given(name=st.sampled_from(["burgers", "helmholtz2d", "darcy_grid", "dip_denoise", "heat2d_grid", "darcy_inverse"]),
       params=st.dictionaries(st.sampled_from(["nu", "k", "seed", "m", "noise_sigma", "kappa_t", "n", "x", ""]),
                              st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=5),
                                        st.booleans(), st.none()), max_size=3))
def test_parameter_validation_raises_only_named_errors(name, params):
    from pinnzoo.presets import get_preset

    try:
        get_preset(name).with_params(params)
    except PinnzooError:
        pass


@pytest.fixture(scope="module")
def small_export(tmp_path_factory):
    from pinnzoo import get_preset

    out = tmp_path_factory.mktemp("fuzz") / "heat"
    get_preset("heat1d").train(quick=True, out=out, verbose=0)
    return out


def _json_values():
    return st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                                  st.text(max_size=6)),
                        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner,
                                                                                           max_size=3)), max_leaves=6)


def _evaluate(directory, capsys):
    code = cli.main(["evaluate", str(directory)])
    err = capsys.readouterr().err
    assert code in (0, 2), err
    assert "Traceback" not in err and "unexpected" not in err, err
    return code


@pytest.mark.slow
@fuzz(JSON_EXAMPLES)
@given(data=st.data())
def test_evaluate_survives_a_malformed_pinnzoo_json(small_export, tmp_path_factory, capsys, data):
    """Edited metadata with the manifest rewritten to match (a deliberate edit, not corruption)."""
    directory = tmp_path_factory.mktemp("edit") / "m"
    shutil.copytree(small_export, directory)
    meta = json.loads((directory / "pinnzoo.json").read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        key = data.draw(st.sampled_from(sorted(meta)))
        if data.draw(st.booleans()):
            meta.pop(key)
        else:
            meta[key] = data.draw(_json_values())
    text = json.dumps(meta)
    if data.draw(st.booleans()):
        text = data.draw(st.sampled_from([text[:len(text) // 2], "[1, 2]", "null", "", "{" + text]))
    (directory / "pinnzoo.json").write_text(text)
    write_manifest(directory)
    _evaluate(directory, capsys)


@fuzz(FILE_EXAMPLES)
@given(data=st.data())
def test_evaluate_refuses_damaged_savedmodel_files(small_export, tmp_path_factory, capsys, data):
    directory = tmp_path_factory.mktemp("damage") / "m"
    shutil.copytree(small_export, directory)
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name not in ("pinnzoo.json", "manifest.sha256"))
    target = data.draw(st.sampled_from(files))
    raw = target.read_bytes()
    cut = data.draw(st.integers(0, max(0, len(raw) - 1)))
    target.write_bytes(raw[:cut] + data.draw(st.binary(max_size=16)))
    rewrite = data.draw(st.booleans())
    if rewrite:
        write_manifest(directory)
    code = _evaluate(directory, capsys)
    if not rewrite:
        assert code == 2  # the manifest catches any change
