"""Under-parameterisation, properly: generators with fewer weights than observations, run five times the budget.

    python benchmarks/underparameterised.py                    # the first 3 instances of the replicated study
    python benchmarks/underparameterised.py --instances 6 --shard 1/2

The Deep Decoder's claim (Heckel & Hand 2019) is that a generator with fewer weights than observations cannot
fit the noise, so it needs no early stop. On ``darcy_inverse`` (1,024 noisy observations of u, 4,096 unknowns of
log a) this script fits, with the preset's L-BFGS for :data:`BUDGET_FACTOR` times its budget and no stop:

* the **Deep Decoder** (4 layers, the preset's configuration otherwise) at widths :data:`DD_CHANNELS`, whose
  weight counts are about ¼, ½, 1 and 2 × the observations, and the preset's width (21× them);
* the **multiscale grid** without its finest levels (:data:`FINEST`): a linear generator whose fields span
  64, 256, 1,024 (= the observations) and all 4,096 dimensions — under-parameterisation with no network.

Each row keeps the error at the discrepancy stop, at the oracle-best log, at the preset's budget and at the end,
and a thinned curve: does the error plateau (no U-curve) or rise late? Instances are the first ones of
``benchmarks/darcy_replicated.py``'s list, network seed 0. Resumable, one entry per (instance, part) in
``benchmarks/results/underparameterised.json``, written under a file lock; a part is redone only when its
fingerprint changed. About an hour of one core per instance (nine fits of 7,500 iterations, each iteration a
sparse solve and its adjoint). Tables: ``benchmarks/underparameterised_tables.py`` (docs/lessons.md).
"""

from __future__ import annotations

import dataclasses
import functools

from darcy_inverse import curve_row  # benchmarks/, the script's own folder
from darcy_replicated import INSTANCES, instance_key
from results_file import run_study, run_study_parts
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.family import get_preset
from pinnzoo.grids.darcy_inverse import DarcyInverse
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.recipe import canonical, code_version, digest

NAME = "underparameterised"
BUDGET_FACTOR = 5
#: Deep Decoder channels: 277, 550, 1,054 and 2,110 weights (about ¼, ½, 1, 2 × 1,024 observations); 64: the preset's
DD_CHANNELS = (6, 9, 13, 19, 64)
#: multiscale-grid levels left out below: fields of 64, 256, 1,024 and 4,096 dimensions (0: the preset's prior)
FINEST = (3, 2, 1, 0)
THIN = 5


def priors() -> dict[str, PriorSpec]:
    """``{part: prior}``: ``deep_decoder/13``, ``multiscale_grid/finest 1``, …"""
    out = {f"deep_decoder/{c}": PriorSpec("deep_decoder", {**GRID_PRIOR_CONFIGS["deep_decoder"], "channels": c})
           for c in DD_CHANNELS}
    out.update({f"multiscale_grid/finest {f}": PriorSpec("multiscale_grid", {**GRID_PRIOR_CONFIGS["multiscale_grid"],
                                                                            "finest": f}) for f in FINEST})
    return out


def field_dimension(part: str, problem: DarcyInverse) -> int | None:
    """The dimension of a linear generator's fields (the multiscale grid's finest kept level); None for a network."""
    if not part.startswith("multiscale_grid/"):
        return None
    finest = int(part.rsplit(" ", 1)[1])
    return (problem.m >> finest) ** 2


def long_fit():
    fit = get_preset("darcy_inverse").fit
    return dataclasses.replace(fit, lbfgs_iterations=BUDGET_FACTOR * fit.lbfgs_iterations)


def fingerprint(problem: DarcyInverse, part: str) -> str:
    preset = get_preset("darcy_inverse")
    return digest({"problem": problem.params, "fit": canonical(long_fit()), "prior": canonical(priors()[part]),
                   "code": code_version(preset.family), "tau": preset.discrepancy})


def run_part(problem: DarcyInverse, part: str) -> dict:
    preset, fit = get_preset("darcy_inverse"), long_fit()
    solver = build_coefficient_solver(problem, priors()[part], seed=0)
    log = fit_coefficient(solver, fit)["lbfgs"]
    row = curve_row(log, fit.log_every, preset.discrepancy)
    budget = preset.fit.lbfgs_iterations // fit.log_every - 1  # the log at the preset's own budget
    row["budget"] = {"iteration": row["curve"]["iteration"][min(budget, len(row["curve"]["iteration"]) - 1)],
                     "rel_l2": row["curve"]["rel_l2"][min(budget, len(row["curve"]["rel_l2"]) - 1)]}
    row["curve"] = {k: v[THIN - 1::THIN] for k, v in row["curve"].items()}
    return {"parameters": int(solver.prior.count_params()), "field_dimension": field_dimension(part, problem),
            "observations": int(problem.data.size), "iterations": int(log.get("iterations", 0)), **row}


def run_instance(noise: float, seed: int, noise_seed: int) -> bool:
    problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
    return run_study_parts(NAME, instance_key(noise, seed, noise_seed), problem,
                           {p: (fingerprint(problem, p), functools.partial(run_part, problem, p)) for p in priors()})


def main() -> None:
    run_study(__doc__.splitlines()[0], lambda args: INSTANCES[:args.instances], run_instance,
              extra=lambda parser: parser.add_argument("--instances", type=int, default=3,
                                                       help="the first N instances of the replicated study"))


if __name__ == "__main__":
    main()
