"""Coefficient recovery on darcy_inverse: convolutional priors against tuned H¹/TV-regularised least squares.

    python benchmarks/darcy_inverse.py

The preset's problem (permeability a ∈ {3, 12} of ``darcy_grid``, u observed at every
2nd cell with 1 % noise) is solved through the same differentiable sparse solve by

* the tuned baselines: the raw grid with an H¹ (Tikhonov) or TV penalty, at each weight
  of the preset's sweep, L-BFGS to convergence, the best weight chosen with the truth;
* each generator prior (multiscale grid, Deep Decoder, DIP) and the raw grid with no
  penalty, L-BFGS for the preset's budget with *no* stopping, the error logged every
  10 iterations: the error at the end, at the oracle-best iteration, and at the
  discrepancy stop (the first log where misfit ≤ 1: the rule the preset uses, blind to
  the truth) — the error-vs-iteration curve shows whether the prior overfits the noise.

Everything through the public API (``pinnzoo.families.grid_inverse.preset``). Writes
``benchmarks/results/darcy_inverse.json``.
"""

from __future__ import annotations

import json
import time

import numpy as np

from results_file import progress, write_results
from pinnzoo.presets import GRID_PRIOR_CONFIGS, get_preset
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.priors import PriorSpec

PRIORS = ("multiscale_grid", "deep_decoder", "dip", "raw_grid")


def prior_row(problem, prior: str, fit, tau: float) -> dict:
    """Fit ``prior`` for the whole budget; read the end, oracle and discrepancy-stop errors off its log."""
    solver = build_coefficient_solver(problem, PriorSpec(prior, GRID_PRIOR_CONFIGS.get(prior, {})))
    start = time.perf_counter()
    log = fit_coefficient(solver, fit)["lbfgs"]
    seconds = time.perf_counter() - start
    return {"prior": prior, "parameters": int(solver.prior.count_params()), **curve_row(log, fit.log_every, tau),
            "time_s": round(seconds, 1)}


def curve_row(log: dict, log_every: int, tau: float, monitor: str = "misfit") -> dict:
    """The end, oracle-best and discrepancy-stop points of a logged fit (``monitor`` ≤ ``tau`` first), and the
    error and misfit curves."""
    error, phase, misfit = (np.asarray(log[k]) for k in ("error", "wrong_phase", monitor))
    hits = np.flatnonzero(misfit <= tau)
    stop = int(hits[0]) if hits.size else len(error) - 1
    best = int(np.argmin(error))

    def at(i):
        return {"iteration": (i + 1) * log_every, "rel_l2": float(error[i]), "wrong_phase": float(phase[i]),
                "misfit": float(misfit[i])}

    return {"end": at(len(error) - 1), "oracle": at(best), "discrepancy": at(stop), "discrepancy_reached": bool(hits.size),
            "curve": {"iteration": [(i + 1) * log_every for i in range(len(error))],
                      "rel_l2": [round(float(e), 5) for e in error], "misfit": [round(float(v), 4) for v in misfit]}}


def main() -> int:
    preset = get_preset("darcy_inverse")
    problem = preset.build_problem()
    baselines = []
    for b in progress(preset.baselines, "baseline"):
        start = time.perf_counter()
        baselines.append({**b.run(problem), "time_s": round(time.perf_counter() - start, 1)})
        print(json.dumps({k: v for k, v in baselines[-1].items() if k != "sweep"}), flush=True)
    fit = preset.fit
    rows = []
    for prior in progress(PRIORS, "prior"):
        rows.append(prior_row(problem, prior, fit, preset.discrepancy))
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "curve"}), flush=True)
    write_results("darcy_inverse", {"problem": problem.params, "observations": int(problem.data.size),
                                    "unknowns": int(problem.truth.size), "tau": preset.discrepancy,
                                    "lbfgs_iterations": fit.lbfgs_iterations, "baselines": baselines, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
