"""DIP's input-noise regularisation on a PDE inverse problem: darcy_inverse fitted by Adam with and without it.

    python benchmarks/input_noise.py [--steps 2000]

Deep Image Prior perturbs its fixed input in every step, ``z + σ_z η`` (σ_z = 1/30 in the
paper), which slows the fit of noise. Here the DIP generator recovers ``log a`` of
``darcy_inverse`` through the differentiable solve (:class:`~pinnzoo.solvers.CoefficientSolver`),
with Adam (the perturbation makes the objective stochastic, so not L-BFGS) at a rate of 1e-3
for ``--steps`` steps and σ_z ∈ {0, 1/30, 1/10}; the error of a is logged every 50 steps
(the mean over those steps), and the coefficient at the end is scored with the clean input.
Each row gives the end, the oracle-best log (chosen with the truth) and the discrepancy stop
(first logged misfit ≤ 1, blind to the truth). Writes ``benchmarks/results/input_noise.json``.
"""

from __future__ import annotations

import argparse
import json
import time

from darcy_inverse import curve_row  # the script beside this one
from results_file import progress, write_results
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit, get_preset
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.priors import PriorSpec

SIGMAS = (0.0, 1 / 30, 0.1)
LEARNING_RATE = 1e-3
LOG_EVERY = 50


def main(steps: int, prior: str = "dip") -> int:
    preset = get_preset("darcy_inverse")
    problem = preset.build_problem()
    spec = PriorSpec(prior, GRID_PRIOR_CONFIGS.get(prior, {}))
    rows = []
    for sigma in progress(SIGMAS, "fit"):
        solver = build_coefficient_solver(problem, spec, learning_rate=LEARNING_RATE, input_noise_std=sigma)
        start = time.perf_counter()
        log = fit_coefficient(solver, GridFit(adam_steps=steps, log_every=LOG_EVERY))["adam"]
        seconds = time.perf_counter() - start
        rows.append({"prior": prior, "input_noise_std": sigma, "parameters": int(solver.prior.count_params()),
                     "time_s": round(seconds, 1), "final": problem.scores(solver.solution()),
                     **curve_row(log, LOG_EVERY, preset.discrepancy)})
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "curve"}), flush=True)
    write_results("input_noise", {"problem": problem.params, "adam_steps": steps, "learning_rate": LEARNING_RATE,
                                  "tau": preset.discrepancy, "rows": rows})
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000)
    raise SystemExit(main(parser.parse_args().steps))
