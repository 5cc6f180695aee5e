"""LiteRT export: the signatures that convert give the SavedModel's values; those that do not are named with the
operators they lack, and nothing is written when none converts."""

from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from conftest import call_cli
from pinnzoo.errors import InputError
from pinnzoo.litert import litert_export, run_litert

pytestmark = pytest.mark.slow  # whole conversions and training runs: the slow tier (.ci/run)

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "saved_models"


def test_a_pinn_solution_network_runs_in_litert_as_in_the_savedmodel(tmp_path):
    proc = call_cli("export", MODELS / "burgers", "--litert", tmp_path / "burgers.tflite")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "serving_default: converted" in proc.stdout
    assert "residual: needs TensorFlow operators" in proc.stdout and "StridedSliceGrad" in proc.stdout
    assert "MLIR" not in proc.stderr and "Traceback" not in proc.stderr  # the converter's log is kept off
    rng = np.random.default_rng(0)
    x = np.stack([rng.uniform(-1, 1, 257), rng.uniform(0, 1, 257)], axis=1).astype(np.float32)
    lite = run_litert(tmp_path / "burgers.tflite", "serving_default", inputs=x)
    saved = tf.saved_model.load(str(MODELS / "burgers")).signatures["serving_default"](inputs=tf.constant(x))
    assert set(lite) == set(saved)
    for key in saved:
        np.testing.assert_allclose(lite[key], saved[key].numpy(), atol=2e-6)
        assert np.abs(saved[key].numpy()).max() > 0.1  # a real field, not zeros


@pytest.mark.parametrize("name, signature, inputs", [
    ("dip_denoise", "serving_default", {"row": np.array([0, 100, 255], np.int32)}),
    ("dip_denoise", "pixels", {"row": np.array([3, 200], np.int32), "col": np.array([7, 9], np.int32)}),
    ("darcy_grid", "rows", {"row": np.array([0, 31, 63], np.int32)}),
])
def test_image_and_grid_rows_run_in_litert_as_in_the_served_savedmodel(tmp_path, name, signature, inputs):
    from pinnzoo.serving import serving_export

    report = litert_export(MODELS / name, tmp_path / f"{name}.tflite")
    assert report[signature] == "converted"
    if name == "darcy_grid":  # its point query interpolates with searchsorted, which LiteRT lacks
        assert "UpperBound" in report["serving_default"]
    served = tf.saved_model.load(str(serving_export(MODELS / name, tmp_path / "serving")))
    saved = served.signatures[signature](**{k: tf.constant(v) for k, v in inputs.items()})
    lite = run_litert(tmp_path / f"{name}.tflite", signature, **inputs)
    for key in saved:
        np.testing.assert_allclose(lite[key], saved[key].numpy(), atol=1e-6)
        assert np.ptp(saved[key].numpy()) > 0.01


def test_bad_litert_requests_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"\.tflite"):
        litert_export(MODELS / "burgers", tmp_path / "model.bin")
    assert not (tmp_path / "model.bin").exists()
    proc = call_cli("export", MODELS / "burgers")
    assert proc.returncode == 2 and "--serving-dir" in proc.stderr and "--litert" in proc.stderr
    proc = call_cli("export", tmp_path, "--litert", tmp_path / "x.tflite")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
