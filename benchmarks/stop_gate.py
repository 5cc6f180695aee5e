"""DIP's automatic stop with and without the discrepancy gate, on the same fits.

    python benchmarks/stop_gate.py [IMAGE ...] [--seed S] [--init DIR]

For each test image (default: camera, astronaut, coffee, moon, text, coins) the ``dip_denoise`` recipe runs
its full step limit with the automatic stop off, logging after every step the output variance over the last
``window`` outputs, the misfit of the average ``mean((A x̄ − y)²)`` and its PSNR against the clean image.
The stop does not change the fit, so both rules are read off the same curves, exactly as the solver and
:class:`~pinnzoo.callbacks.VarianceStopping` apply them (a new minimum only below the previous one; the stop
checked at the end of each ``log_every`` epoch):

* **ES-WMV**: the smallest variance so far is kept; the fit ends ``patience`` steps after the last new minimum;
* **gated**: the same, counting only steps whose misfit is at most ``τ σ²`` (τ the recipe's
  ``stopping.discrepancy``), with σ the true noise level and with σ estimated from the measurement
  (:func:`pinnzoo.restoration.estimate_noise_sigma`);
* for each, the average 100 and 200 steps after the kept minimum (``Stopping.average_lag``) and at the stop
  (``psnr_at_stop``): what keeping a later average instead of the one at the minimum gives;
* **discrepancy principle** (Morozov): the first step whose misfit is at most σ² (true and estimated σ).

With ``--init DIR`` every fit is warm-started from that export of ``dip_denoise`` (as ``--init`` does, with the
burn-in: the average and the variance window restart after one window); warm and cold runs are kept apart.
Writes ``benchmarks/results/stop_gate.json`` (merged per image, each with its machine and date) and the curves
every 10 steps. Through the public API (``Preset.train`` with a callback).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import keras
import numpy as np

from results_file import RESULTS, export_text, progress, recipe_stamp, write_results
from pinnzoo.export import machine
from pinnzoo.presets import get_preset
from pinnzoo.restoration import estimate_noise_sigma
from pinnzoo.warm_start import WEIGHTS_FILE, WarmStart

IMAGES = ["camera", "astronaut", "coffee", "moon", "text", "coins"]


class Curves(keras.callbacks.Callback):
    """After every step: (step, windowed output variance, misfit of the average, PSNR of the average)."""

    def __init__(self, y, clean, operator):
        super().__init__()
        self.y, self.clean = np.asarray(y, np.float64), np.asarray(clean, np.float64)
        self.operator, self.rows = operator, []

    def on_train_batch_end(self, batch, logs=None):
        solver = self.model
        average = solver.average.numpy()
        measured = np.asarray(self.operator.A(average), np.float64)[0]
        a = average[0].astype(np.float64)
        self.rows.append((int(solver.step.numpy()), float(solver.variance.numpy()),
                          float(np.mean((measured - self.y) ** 2)),
                          float(10 * np.log10(1.0 / np.mean((a - self.clean) ** 2)))))


LAGS = (100, 200)  # steps after the minimum at which the average is also read (``Stopping.average_lag``)


def stop(rows, patience: int, every: int, bound: float = np.inf) -> dict:
    """Where the variance rule keeps and stops on the logged ``rows``, counting minima only where the
    misfit is ``<= bound``; no minimum at all: the last average (what ``finish`` returns). Also the PSNR of
    the average ``L`` steps after the minimum for each ``L`` in ``LAGS`` (what ``average_lag = L`` keeps: the
    average at the stop if that comes sooner) and at the stop (``psnr_at_stop``)."""
    best, kept, stopped = np.inf, 0, None
    psnr = {step: p for step, _, _, p in rows}
    for step, var, misfit, _ in rows:
        if var == var and misfit <= bound and var < best:
            best, kept = var, step
        if step % every == 0 and kept and step - kept >= patience:
            stopped = step
            break
    end = stopped or rows[-1][0]
    kept = kept or end
    return {"kept_step": kept, "psnr": psnr[kept], "stopped_at": stopped, "psnr_at_stop": psnr[end],
            "psnr_after": {str(lag): psnr[min(kept + lag, end)] for lag in LAGS}}


def discrepancy(rows, bound: float) -> dict:
    """Morozov's discrepancy principle on the logged ``rows``: the first step whose average's misfit is at most
    ``bound`` (none: the last step)."""
    step, psnr = next(((s, p) for s, _, misfit, p in rows if misfit <= bound), (rows[-1][0], rows[-1][3]))
    return {"step": step, "psnr": psnr}


def measure(image: str, seed: int, init: Path | None = None) -> dict:
    preset = get_preset("dip_denoise")
    recipe = preset.recipe
    no_stop = dataclasses.replace(recipe, stopping=dataclasses.replace(recipe.stopping, auto=False))
    preset = dataclasses.replace(preset, recipe=no_stop,
                                 degradation=dataclasses.replace(preset.degradation, image=image))
    clean, y, operator = preset.degrade()
    curves = Curves(y, clean, operator)
    result = preset.train(seed=seed, verbose=0, callbacks=[curves], init=init and WarmStart(str(init)))
    rows, s = curves.rows, recipe.stopping
    sigma, estimated = preset.degradation.noise_sigma, estimate_noise_sigma(y)
    peak = max(rows, key=lambda r: r[3])
    args = (s.patience, recipe.output.log_every)
    return {**recipe_stamp("dip_denoise", seed), "image": image, "seed": seed, "start": start_text(init),
            "steps": len(rows), "time_s": result.time_s,
            "noise_sigma": sigma, "noise_sigma_estimated": estimated, "factor": s.discrepancy,
            "window": s.window, "patience": s.patience,
            "peak": {"step": peak[0], "psnr": peak[3]},
            "es_wmv": stop(rows, *args),
            "gated": stop(rows, *args, bound=s.discrepancy * sigma ** 2),
            "gated_estimated": stop(rows, *args, bound=s.discrepancy * estimated ** 2),
            "discrepancy": discrepancy(rows, sigma ** 2),
            "discrepancy_estimated": discrepancy(rows, estimated ** 2),
            "curve": [[r[0], r[1], r[2] / sigma ** 2, r[3]] for r in rows[9::10]],
            "machine": machine()}


def _key(run: dict) -> tuple:
    return run["image"], run["seed"], run.get("start", "cold")


def start_text(init: Path | None) -> str:
    """``cold``, or the warm start's source: its preset, seed and the checksum of its weights."""
    return "cold" if init is None else export_text(init, lead="warm from")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="*", default=IMAGES, choices=IMAGES, metavar="IMAGE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--init", type=Path, metavar="DIR",
                        help="warm-start every fit from this export of dip_denoise (with the burn-in)")
    args = parser.parse_args(argv)
    if args.init is not None and not (args.init / WEIGHTS_FILE).is_file():
        parser.error(f"--init {args.init}: not an export with prior weights ({WEIGHTS_FILE})")
    path = RESULTS / "stop_gate.json"
    kept = json.loads(path.read_text())["runs"] if path.exists() else []
    for image in progress(args.images, "image"):
        run = measure(image, args.seed, args.init)
        kept = [r for r in kept if _key(r) != _key(run)] + [run]
        kept.sort(key=lambda r: (r.get("start", "cold") != "cold", IMAGES.index(r["image"]), r["seed"]))
        print(f"{image}: ES-WMV {run['es_wmv']['psnr']:.2f} dB (step {run['es_wmv']['kept_step']}), gated "
              f"{run['gated']['psnr']:.2f} dB (step {run['gated']['kept_step']}), peak {run['peak']['psnr']:.2f} dB",
              flush=True)
        write_results("stop_gate", {"runs": kept})


if __name__ == "__main__":
    main()
