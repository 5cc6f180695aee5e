"""What a run logs: TensorBoard event files and the CSV history, on one step axis across phases."""

import numpy as np
import pytest

from pinnzoo import TrainingLog, get_preset
from pinnzoo.run_log import HISTORY_FILE, read_events, read_history, series


@pytest.fixture(scope="module")
def burgers_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("burgers_log")
    log = TrainingLog(logdir=root / "tb", csv_path=root / "stream.csv", images_every=1)
    result = get_preset("burgers").train(quick=True, out=root / "export", verbose=0, callbacks=[log])
    log.close()
    return root, log, result


def test_tensorboard_holds_every_loss_term_and_the_error_series(burgers_run):
    root, log, result = burgers_run
    events = read_events(root / "tb")
    terms = set(result.solver.loss_terms(_batch(result.solver)).keys())
    assert terms and terms <= set(events), f"loss terms {terms} not all in {sorted(events)}"
    assert {"loss", "rel_l2", "learning_rate"} <= set(events)
    # the error series is the reference logger's: the same numbers the result's error curve holds
    logged = [v for _, v in events["rel_l2"]]
    curve = [e for _, e in result.error_curve[:-1]]
    np.testing.assert_allclose(logged, curve, rtol=1e-6)
    # Adam then L-BFGS on one increasing step axis: the last L-BFGS step = Adam steps + iterations
    steps = [s for s, _ in events["loss"]]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)
    assert steps[-1] == result.adam_steps + result.lbfgs_iterations
    # the learning rate is logged for the Adam phase only, and decays
    rates = events["learning_rate"]
    assert max(s for s, _ in rates) <= result.adam_steps and rates[-1][1] < rates[0][1]
    images = events["solution/u"]
    width, height, png = images[-1][1]
    assert (int(width), int(height)) == (64, 64) and png[:8] == b"\x89PNG\r\n\x1a\n"


def _batch(solver):
    from pinnzoo.sampling import fixed_batch

    return fixed_batch(solver, 64, seed=0)


def test_the_csv_history_is_in_the_export_and_matches_the_stream(burgers_run):
    root, log, result = burgers_run
    exported = read_history(root / "export" / HISTORY_FILE)
    assert exported == read_history(root / "stream.csv") == log.rows
    phases = [r[1] for r in exported]
    assert phases.index("lbfgs") > 0 and set(phases) == {"adam", "lbfgs"}
    steps, values = series(exported, "rel_l2")
    assert len(steps) == len(result.error_curve) - 1 and np.all(np.isfinite(values))


def test_every_export_holds_its_history_and_the_manifest_covers_it(burgers_run):
    from pinnzoo.manifest import manifest_problems

    root, _, _ = burgers_run
    assert manifest_problems(root / "export") == []
    text = (root / "export" / "manifest.sha256").read_text()
    assert HISTORY_FILE in text


def test_an_appended_log_continues_the_step_axis(tmp_path):
    first = TrainingLog(csv_path=tmp_path / "h.csv")
    first.record({"loss": 1.0}, step=10)
    first.close()
    second = TrainingLog(csv_path=tmp_path / "h.csv", append=True)
    assert second.step == 10
    second.record({"loss": 0.5}, step=second.step + 5)
    second.close()
    assert [(r[0], r[4]) for r in read_history(tmp_path / "h.csv")] == [(10, 1.0), (15, 0.5)]


@pytest.mark.slow
def test_an_image_run_logs_psnr_and_the_stopping_statistic(tmp_path):
    log = TrainingLog(logdir=tmp_path / "tb")
    result = get_preset("dip_denoise").train(quick=True, verbose=0, callbacks=[log])
    log.close()
    events = read_events(tmp_path / "tb")
    assert {"loss", "variance", "psnr", "ssim", "solution/restored"} <= set(events)
    # the last PSNR logged is the quality logger's last row
    assert events["psnr"][-1][1] == pytest.approx(result.quality[-1][1], rel=1e-6)


@pytest.mark.slow
def test_a_grid_run_logs_its_error_on_the_step_axis_of_both_phases(tmp_path):
    log = TrainingLog(logdir=tmp_path / "tb")
    result = get_preset("darcy_grid").train(quick=True, epochs=2, verbose=0, callbacks=[log])
    log.close()
    events = read_events(tmp_path / "tb")
    assert {"loss", "error", "solution/u"} <= set(events)
    assert [r[1] for r in log.rows][0] == "adam" and log.rows[-1][1] == "lbfgs"
    adam_steps = max(r[0] for r in log.rows if r[1] == "adam")
    assert log.rows[-1][0] == adam_steps + result.metrics["lbfgs_iterations"]
    last_error = events["error"][-1][1]
    assert last_error == pytest.approx(result.metrics["rel_l2"], rel=0.5)  # L-BFGS keeps its best point
