"""``pinnzoo plot``: figures of shipped exports as PNG files, and the numbers behind them."""

import numpy as np
import pytest

from conftest import ROOT, call_cli

pytest.importorskip("matplotlib")


def _png(path):
    from matplotlib.image import imread

    assert path.is_file() and path.stat().st_size > 10_000, f"{path} missing or tiny"
    pixels = imread(path)
    assert pixels.ndim == 3 and min(pixels.shape[:2]) >= 300
    assert pixels[..., :3].std() > 0.05, f"{path} is blank"  # not one flat colour
    return pixels


@pytest.mark.parametrize("model, names", [("burgers", ["solution", "slices", "curves"]),
                                          ("dip_denoise", ["images"]),
                                          ("darcy_grid", ["field", "coefficient"])])
def test_plot_writes_the_figures_of_a_shipped_export(tmp_path, model, names):
    proc = call_cli("plot", ROOT / "saved_models" / model, "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    for name in names:
        _png(tmp_path / f"{name}.png")
        assert f"wrote {tmp_path / name}.png" in proc.stdout


def test_the_error_field_is_the_exports_error():
    """The difference panel of the solution figure is the export's error: its relative norm agrees with the
    rel. L2 recorded in pinnzoo.json (a 128² slice grid against the 256 × 100 scoring grid)."""
    from pinnzoo.export import read_metadata
    from pinnzoo.plotting import export_figures

    directory = ROOT / "saved_models" / "burgers"
    solution = {f.name: f for f in export_figures(directory)}["solution"]
    u, ref, diff = (p.values for p in solution.panels)
    np.testing.assert_allclose(diff, u - ref)
    rel = np.linalg.norm(diff) / np.linalg.norm(ref)
    assert rel == pytest.approx(read_metadata(directory)["metrics"]["rel_l2"], rel=0.5)


def test_plot_a_history_file_and_bad_input(tmp_path):
    from pinnzoo.run_log import TrainingLog

    log = TrainingLog(csv_path=tmp_path / "run.history.csv")
    for step in range(1, 6):
        log.record({"loss": 1.0 / step, "rel_l2": 0.5 / step}, step=10 * step, phase="adam" if step < 4 else "lbfgs")
    log.close()
    proc = call_cli("plot", tmp_path / "run.history.csv", "--out", tmp_path / "figs")
    assert proc.returncode == 0, proc.stderr[-3000:]
    _png(tmp_path / "figs" / "curves.png")
    for bad in (tmp_path / "missing", tmp_path / "figs" / "curves.png"):
        proc = call_cli("plot", bad, "--out", tmp_path / "x")
        assert proc.returncode == 2 and "error: " in proc.stderr and "Traceback" not in proc.stderr
