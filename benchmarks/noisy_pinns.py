"""PINNs fitted to noisy data: is there a Deep-Image-Prior U-shape, and can a rule that sees no truth stop it?

    python benchmarks/noisy_pinns.py [PROBLEM ...] [--no-sweep]

For ``burgers_inverse`` and ``heat_inverse`` (unknown viscosity / diffusivity from
observations of u) and the forward problem ``heat1d_noisy_initial`` (the heat1d preset
with its initial condition replaced by 256 noisy samples of it) at 0, 1, 5 and 10 % noise
(σ = noise × std of the observed values), the preset's schedule runs to its end with the reference error logged every epoch
(Adam epochs of 100 steps, L-BFGS epochs of 50 iterations). From the logged curve:

* **end**: the error when the schedule ends (what the preset ships);
* **oracle**: the lowest error along the curve (stopping with the truth);
* **discrepancy**: the first epoch whose data term (mean squared residual on the
  observations) is ≤ σ² — Morozov's rule, which knows only the noise level;
* **ES-WMV**: the image priors' rule (Wang et al., TMLR 2023) on the PINN's output: the
  windowed moving variance (window 5 epochs) of u on the scoring grid, the epoch of its
  minimum once it has not improved for 10 epochs.

Then an under-parameterisation sweep (the Deep Decoder's lesson) on ``heat_inverse`` at 5
and 10 % noise: MLP widths 8–64 at depth 4, depths 2 and 8 at width 32, error at the end
and at the oracle. Everything through the public training API (``pinnzoo.families.pinn.fit.train_pinn``).
Writes ``benchmarks/results/noisy_pinns.json``; naming problems re-runs only their rows
(and the sweep only without ``--no-sweep``), keeping the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import json

import keras
import numpy as np

from results_file import RESULTS, progress, write_results
from pinnzoo.presets import get_preset
from pinnzoo.priors import PriorSpec
from pinnzoo.families.pinn.fit import train_pinn

NOISE = (0.0, 0.01, 0.05, 0.1)
INITIAL_SAMPLES = 256
WINDOW, PATIENCE = 5, 10


class OutputSnapshots(keras.callbacks.Callback):
    """The model's output on fixed points at the end of every epoch (for the ES-WMV rule)."""

    def __init__(self, points):
        super().__init__()
        self.points, self.outputs = points, []

    def on_epoch_end(self, epoch, logs=None):
        self.outputs.append(np.asarray(self.model.predict_numpy(self.points), np.float64))


def es_wmv(outputs: list) -> int:
    """The epoch index ES-WMV keeps: the windowed variance's minimum, once it is ``PATIENCE`` epochs old."""
    best, best_at = np.inf, len(outputs) - 1
    for t in range(WINDOW - 1, len(outputs)):
        variance = float(np.mean(np.var(np.stack(outputs[t - WINDOW + 1:t + 1]), axis=0)))
        if variance < best:
            best, best_at = variance, t
        elif t - best_at >= PATIENCE:
            break
    return best_at


def noisy(preset, noise: float, prior: PriorSpec | None = None) -> dict:
    """Train ``preset`` on data with ``noise``; the errors at the end, the oracle and the two stopping rules."""
    preset = dataclasses.replace(preset, observations={**preset.observations, "noise": noise},
                                 **({"prior": prior} if prior else {}))
    schedule = preset.schedule.replace(adam={"epochs": preset.schedule.adam_steps // 100, "steps_per_epoch": 100},
                                       lbfgs={"log_every": 50})
    problem = preset.make_problem()
    points, _ = problem.scoring_grid()
    snapshots = OutputSnapshots(points[:: max(1, len(points) // 2000)])
    result = train_pinn(preset, schedule=schedule, verbose=0, callbacks=[snapshots])
    logs = [result.history.get("adam", {}), result.history.get("lbfgs", {})]
    error = np.concatenate([np.asarray(h.get("rel_l2", []), float) for h in logs])
    data = np.concatenate([np.asarray(h.get("data", []), float) for h in logs])
    _, y = problem.observations(int(preset.observations["n"]), 0.0, seed=1000)
    sigma2 = float(np.mean((noise * y.std(axis=0)) ** 2))
    hits = np.flatnonzero(data <= sigma2) if noise > 0 else np.array([], int)
    picks = {"end": len(error) - 1, "oracle": int(np.argmin(error)),
             "discrepancy": int(hits[0]) if hits.size else len(error) - 1, "es_wmv": es_wmv(snapshots.outputs)}
    out = {"problem": preset.problem, "noise": noise, "prior": dict(preset.prior.config),
           "parameters": int(result.solver.prior.count_params()), "epochs": len(error),
           "adam_epochs": len(logs[0].get("rel_l2", [])), "time_s": round(result.train_time, 1),
           "discrepancy_reached": bool(hits.size),
           "coefficient_error_end": {k: v for k, v in result.metrics.items() if k.endswith("_rel_error")}}
    out.update({k: {"epoch": i + 1, "rel_l2": float(error[i])} for k, i in picks.items()})
    out["curve"] = [round(float(e), 6) for e in error]
    return out


def problems() -> dict:
    """The presets under test, by problem name."""
    forward = dataclasses.replace(get_preset("heat1d"), name="heat1d_noisy_initial", problem="heat1d_noisy_initial",
                                  observations={"n": INITIAL_SAMPLES, "noise": 0.0}, target=None)
    return {"heat_inverse": get_preset("heat_inverse"), "burgers_inverse": get_preset("burgers_inverse"),
            "heat1d_noisy_initial": forward}


def main(argv=None) -> int:
    known = problems()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("problems", nargs="*", metavar="PROBLEM", help=f"of {', '.join(known)} (default: all)")
    parser.add_argument("--no-sweep", action="store_true", help="skip the under-parameterisation sweep")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.problems) - set(known))
    if unknown:
        parser.error(f"unknown problem(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    names = args.problems or list(known)
    path = RESULTS / "noisy_pinns.json"
    old = json.loads(path.read_text()) if args.problems and path.exists() else {"rows": [], "sweep": []}
    rows = [r for r in old["rows"] if r["problem"] not in names]
    sweep = old["sweep"] if args.no_sweep else []
    for name, noise in progress([(n, s) for n in names for s in NOISE], "run"):
        rows.append(noisy(known[name], noise))
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "curve"}), flush=True)
    if not args.no_sweep:
        base = known["heat_inverse"]
        sizes = [(8,) * 4, (16,) * 4, (32,) * 4, (64,) * 4, (32,) * 2, (32,) * 8]
        for noise, widths in progress([(s, w) for s in (0.05, 0.1) for w in sizes], "run"):
            sweep.append(noisy(base, noise, PriorSpec("mlp", {"widths": widths})))
            print(json.dumps({k: v for k, v in sweep[-1].items() if k != "curve"}), flush=True)
    order = list(known)
    rows.sort(key=lambda r: (order.index(r["problem"]), r["noise"]))
    write_results("noisy_pinns", {"window": WINDOW, "patience": PATIENCE, "rows": rows, "sweep": sweep})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
