"""TF Serving versions of the shipped models: the layout, every request of docs/serving.md answered as TF Serving
would (and equal to the export's own values), the documented saved_model_cli commands run."""

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from conftest import call_cli
from pinnzoo.errors import InputError
from pinnzoo.serving import next_version, predict_request, serving_export

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "serving.md").read_text()
REQUESTS = re.findall(r"<!-- request: (\w+) -->\n```json\n(.*?)\n```", DOC, re.S)
MODELS = sorted({name for name, _ in REQUESTS})


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Every model the docs send requests to, as version 1 of a TF Serving model."""
    base = tmp_path_factory.mktemp("serving")
    return base, {name: serving_export(ROOT / "saved_models" / name, base) for name in MODELS}


def test_the_docs_have_requests_for_every_family():
    from pinnzoo.export import read_metadata

    from pinnzoo.presets import family_of

    families = {family_of(read_metadata(ROOT / "saved_models" / m)).family for m in MODELS}
    assert families == {"pinn", "image", "grid", "grid_marching", "grid_inverse"}
    assert any('"instances"' in b for _, b in REQUESTS) and any('"inputs"' in b for _, b in REQUESTS)


@pytest.mark.parametrize("name,body", REQUESTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REQUESTS)])
def test_every_documented_request_is_answered_with_the_exports_values(served, name, body):
    _, versions = served
    original = tf.saved_model.load(str(ROOT / "saved_models" / name))
    model = tf.saved_model.load(str(versions[name]))
    request = json.loads(body)
    response = predict_request(model, request)
    key = "predictions" if "instances" in request else "outputs"
    assert list(response) == [key]
    signature = request.get("signature_name", "serving_default")
    given = request.get("instances", request.get("inputs"))
    expected = _expected(original, name, signature, given)
    got = response[key]
    if key == "predictions" and isinstance(got[0], dict):  # several outputs: one object per batch element
        got = {k: [row[k] for row in got] for k in got[0]}
    if isinstance(expected, dict):
        assert set(got) == set(expected)
        for k in expected:
            np.testing.assert_allclose(np.asarray(got[k]), expected[k], rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-6, atol=1e-7)


def _expected(original, name, signature, given):
    """What the pinnzoo export itself gives for the request (through its own signatures)."""
    sig = original.signatures
    if name in ("burgers",):
        if signature == "coordinates":
            cols = {k: np.array([g[k] for g in given], np.float32) for k in given[0]}
            return sig["coordinates"](**{k: tf.constant(v) for k, v in cols.items()})["u"].numpy()
        out = sig[signature](inputs=tf.constant(given, tf.float32))
        return {k: v.numpy() for k, v in out.items()} if signature == "residual" else out["u"].numpy()
    if name == "dip_denoise":
        image = sig["serving_default"]()["image"].numpy()[0]
        if signature == "pixels":
            rows = given["row"] if isinstance(given, dict) else [g["row"] for g in given]
            cols = given["col"] if isinstance(given, dict) else [g["col"] for g in given]
            return image[rows, cols]
        return image[given]
    if name == "darcy_grid":
        if signature == "rows":
            return sig["serving_default"]()["u"].numpy()[given]
        return sig["query"](inputs=tf.constant(given, tf.float32))["u"].numpy()
    if name == "heat2d_grid":
        return sig["trajectory"]()["u"].numpy()[given]
    if name == "darcy_inverse":
        out = sig["serving_default"]()
        return {"a": out["a"].numpy()[given], "u": out["u"].numpy()[given]}
    raise AssertionError(f"no expectation for {name}")


def test_versions_increase_and_the_metadata_rides_along(tmp_path):
    first = serving_export(ROOT / "saved_models" / "darcy_inverse", tmp_path, name="darcy")
    second = serving_export(ROOT / "saved_models" / "darcy_inverse", tmp_path, name="darcy")
    assert (first.name, second.name) == ("1", "2") and next_version(tmp_path / "darcy") == 3
    assert json.loads((second / "assets.extra" / "pinnzoo.json").read_text())["family"] == "grid_inverse"
    assert not [p for p in (tmp_path / "darcy").iterdir() if p.name.startswith(".")]  # no temporary left over


def test_a_bad_request_is_a_named_error(served):
    _, versions = served
    model = tf.saved_model.load(str(versions["dip_denoise"]))
    with pytest.raises(InputError, match="no signature"):
        predict_request(model, {"signature_name": "nope", "instances": [0]})
    with pytest.raises(InputError, match="name them"):
        predict_request(model, {"signature_name": "pixels", "inputs": [1, 2]})
    with pytest.raises(InputError, match="instances"):
        predict_request(model, {"instances": [0], "inputs": [0]})
    with pytest.raises(tf.errors.InvalidArgumentError):  # TF Serving answers INVALID_ARGUMENT the same way
        predict_request(model, {"instances": [256]})


@pytest.mark.slow
def test_the_documented_saved_model_cli_commands_run(served):
    base, _ = served
    exe = shutil.which("saved_model_cli") or str(Path(sys.executable).with_name("saved_model_cli"))
    block = re.search(r"<!-- commands -->\n```bash\n(.*?)\n```", DOC, re.S).group(1)
    commands = [line for line in block.splitlines() if line.startswith("saved_model_cli")]
    assert len(commands) >= 3
    for line in commands:
        args = shlex.split(line.replace("serving/", f"{base}/"))
        proc = subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
        if args[1] == "show":
            assert "signature_def['serving_default']" in proc.stdout and "signature_def['residual']" in proc.stdout
        else:
            assert "Result for output key" in proc.stdout


def test_pinnzoo_export_cli(tmp_path):
    proc = call_cli("export", ROOT / "saved_models" / "heat1d", "--serving-dir", tmp_path / "s")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "s" / "heat1d" / "1" / "saved_model.pb").is_file() and "--model_base_path" in proc.stdout
    proc = call_cli("export", tmp_path / "missing", "--serving-dir", tmp_path / "s")
    assert proc.returncode == 2 and "no such directory" in proc.stderr and "Traceback" not in proc.stderr
    (tmp_path / "file").write_text("x")
    proc = call_cli("export", ROOT / "saved_models" / "heat1d", "--serving-dir", tmp_path / "file")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
