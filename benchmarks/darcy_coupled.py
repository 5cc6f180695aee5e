"""darcy_inverse without a solve: u as a second generator, the discrete equation as a penalty.

    python benchmarks/darcy_coupled.py [--iterations 1500]

The shipped recipe links the generated coefficient to the data through a differentiable
sparse solve (``benchmarks/darcy_inverse.py``). The alternative is the all-at-once
(penalty) formulation, :class:`~pinnzoo.solvers.CoupledCoefficientSolver`: a second
multiscale generator produces u, and the loss is the data misfit of that u plus μ times
the mean square of the scheme's residual A(a) u − f — measured as it is (L²), or in the
dual norm of the constant-coefficient scheme (``preconditioned``). Each weight of a sweep
is fitted with L-BFGS for the preset's budget, the error of a logged every 10 iterations;
each row gives the end, the oracle-best iteration (chosen with the truth) and two stops
blind to the truth: the discrepancy principle on the generated u's misfit (the fitted
term), and on the misfit of the state solved for the current a (one sparse solve per
logged iteration, outside the gradient). Writes ``benchmarks/results/darcy_coupled.json``.
"""

from __future__ import annotations

import argparse
import json
import time

from darcy_inverse import curve_row  # the script beside this one
from results_file import progress, write_results
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit, get_preset
from pinnzoo.families.grid_inverse.fit import build_coupled_solver, fit_coefficient
from pinnzoo.priors import PriorSpec

SETTINGS = ((False, 10.0), (False, 100.0), (False, 1000.0), (True, 1.0), (True, 10.0), (True, 100.0))


def main(iterations: int) -> int:
    preset = get_preset("darcy_inverse")
    problem = preset.build_problem()
    spec = PriorSpec(preset.prior.name, GRID_PRIOR_CONFIGS.get(preset.prior.name, {}))
    fit = GridFit(lbfgs_iterations=iterations, log_every=10)
    rows = []
    for preconditioned, weight in progress(SETTINGS, "fit"):
        solver = build_coupled_solver(problem, spec, spec, weight, preconditioned=preconditioned)
        start = time.perf_counter()
        log = fit_coefficient(solver, fit)["lbfgs"]
        seconds = time.perf_counter() - start
        rows.append({"prior": spec.name, "norm": "dual (preconditioned)" if preconditioned else "L2",
                     "residual_weight": weight, "parameters": int(solver.count_params()),
                     "time_s": round(seconds, 1), "final_residual": float(log["residual"][-1]),
                     **curve_row(log, fit.log_every, preset.discrepancy),
                     "solved_discrepancy": curve_row(log, fit.log_every, preset.discrepancy, "solved_misfit")["discrepancy"]})
        print(json.dumps({k: v for k, v in rows[-1].items() if k != "curve"}), flush=True)
    write_results("darcy_coupled", {"problem": problem.params, "lbfgs_iterations": iterations, "tau": preset.discrepancy,
                                    "rows": rows})
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=get_preset("darcy_inverse").fit.lbfgs_iterations)
    raise SystemExit(main(parser.parse_args().iterations))
