"""The examples run against the public API (short settings)."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from pinnzoo.export import evaluate_export

pytestmark = pytest.mark.slow  # subprocesses, kills and whole runs: the slow tier (.ci/run)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _load(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_custom_pde_example_trains_and_exports(tmp_path):
    module = _load("custom_pde")
    result = module.main(["--epochs", "2", "--lbfgs", "200", "--out", str(tmp_path / "heat")])
    assert result.metrics["rel_l2"] < 5e-2  # a short run already learns the decaying mode
    ev = evaluate_export(tmp_path / "heat")
    assert ev["matches_metadata"] and np.isfinite(ev["metrics"]["rel_l2"])


def test_burgers_quickstart_runs(tmp_path):
    _load("burgers_quickstart").main(["--quick", "--out", str(tmp_path / "b")])
    assert (tmp_path / "b" / "saved_model.pb").exists()


def test_deep_image_prior_example_improves_on_the_noisy_image():
    scores = _load("deep_image_prior").main(["--size", "64", "--iterations", "500", "--verbose", "0"])
    assert scores["psnr"] > 22.0  # the noisy image (sigma 25/255) is at 20.5 dB


def test_deep_image_prior_example_deblurs_with_the_preconditioner():
    scores = _load("deep_image_prior").main(["--task", "deblur", "--size", "64", "--iterations", "300",
                                             "--verbose", "0"])
    assert scores["psnr"] > 24.0  # the blurred image (sigma 2 px, noise 0.01) is at 23.2 dB; 25.0 measured


def test_deep_image_prior_example_inpaints_keeping_the_known_pixels():
    scores = _load("deep_image_prior").main(["--task", "inpaint", "--size", "64", "--iterations", "300",
                                             "--verbose", "0"])
    assert scores["psnr"] > 25.0  # the measurement (half the pixels zero) is at 7.8 dB; 28.1 measured


# -- every example in its fast mode (PINNZOO_EXAMPLES_FAST=1), as CI runs them ----------------------------
@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setenv("PINNZOO_EXAMPLES_FAST", "1")


def test_every_example_has_a_smoke_test():
    source = Path(__file__).read_text()
    for path in sorted(EXAMPLES.glob("*.py")):
        assert f'_load("{path.stem}")' in source, f"examples/{path.name} is not run by the tests"


def test_inverse_heat_example_identifies_the_diffusivity(fast):
    result = _load("inverse_heat").main([])
    assert np.isfinite(result["a"]) and abs(result["a"] - result["truth"]) < 0.5 * result["truth"]  # from 0.1
    assert 0 < result["rel_l2"] < 0.5


def test_deblur_your_image_example_writes_a_sharper_image(fast, tmp_path):
    out = tmp_path / "sharp.png"
    result = _load("deblur_your_image").main(["--out", str(out)])
    assert out.is_file() and (tmp_path / "blurred.png").is_file()
    image = result["image"]
    assert np.isfinite(image).all() and image.shape == result["clean"].shape
    assert result["scores"]["psnr"] > 15.0  # 100 steps: a sane image, not yet the recipe's result


def test_inpaint_with_mask_example_keeps_the_known_pixels(fast, tmp_path):
    result = _load("inpaint_with_mask").main(["--out", str(tmp_path / "filled.png")])
    assert np.isfinite(result["image"]).all()
    assert result["known_error"] < 1.5 / 255  # data consistency, up to the 8-bit PNG of the measurement
    assert 0.0 < result["image"][~result["mask"]].mean() < 1.0  # the holes are filled, not left at 0
    assert result["scores"]["psnr"] > 15.0


def test_serve_savedmodel_example_uses_tensorflow_alone(fast):
    import subprocess
    import sys

    code = ("import sys, runpy; sys.argv = ['serve']; runpy.run_path(sys.argv[1] if False else %r, "
            "run_name='__main__'); assert 'pinnzoo' not in sys.modules, 'the example imported pinnzoo'"
            % str(EXAMPLES / "serve_savedmodel.py"))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = _load("serve_savedmodel").main([])
    u = result["values"]["u"][:, 0]
    assert np.isfinite(u).all() and np.abs(u).max() <= 1.0 + 1e-3  # Burgers keeps |u| <= max |u0| = 1
    np.testing.assert_allclose(u[[0, -1]], 0.0, atol=1e-6)  # u(±1, t) = 0 (hard constraint)
    assert max(np.abs(v).max() for k, v in result["residual"].items() if k.startswith("residual")) < 1.0


def test_grid_warm_start_example_scores_both_starts(fast):
    errors = _load("grid_warm_start").main([])
    assert set(errors) == {"cold", "warm"} and all(np.isfinite(e) and 0 < e < 1 for e in errors.values())
    assert errors["warm"] < errors["cold"]  # 150 L-BFGS iterations: the shipped weights start much closer


def test_the_first_examples_run_in_fast_mode(fast, tmp_path):
    assert _load("custom_pde").main(["--out", str(tmp_path / "h")]).metrics["rel_l2"] < 5e-2
    _load("burgers_quickstart").main(["--out", str(tmp_path / "b")])
    assert _load("deep_image_prior").main(["--verbose", "0"])["psnr"] > 20.6  # the noisy image: 20.5 dB
