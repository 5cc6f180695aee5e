"""darcy_inverse replicated: many coefficient and noise draws, network seeds, baselines chosen with and without the truth.

    python benchmarks/darcy_replicated.py                      # everything not yet done (hours: run in parts)
    python benchmarks/darcy_replicated.py --limit 2            # the next 2 instances
    python benchmarks/darcy_replicated.py --shard 1/2          # every 2nd instance from the 2nd: one process per core

The instances (:data:`INSTANCES`): 10 permeability draws × 2 noise draws at 1 % noise, 5 × 1 at 0.5 % and at 5 %.
Each instance is solved through the same differentiable sparse solve (``pinnzoo.families.grid_inverse``) by

* **regularised least squares** on the raw grid, H¹ (Tikhonov) and TV, at every weight of :data:`WEIGHTS`
  (L-BFGS for the preset's budget); the weight is chosen twice by the tables, with the truth (oracle) and by the
  discrepancy principle (no truth, :func:`~pinnzoo.families.grid_inverse.preset.discrepancy_pick`);
* **iterative regularisation, no network**: L-BFGS on the raw grid and in the hierarchical (multiscale) basis —
  the preset's own prior, a *linear* generator — with no penalty, stopped by the discrepancy principle;
* **the generators**: Deep Decoder and DIP, network seeds :data:`NET_SEEDS`, same optimiser and budget.

Every fit runs the preset's whole L-BFGS budget with no stop (equal budgets), logged every 10 iterations; its
row keeps the error at the discrepancy stop (the first log with misfit ≤ τ: the rule a user without the truth
applies), at the oracle-best log, and at the end, plus a thinned curve. Resumable and safe to run as several
processes: ``benchmarks/results/darcy_replicated.json`` keeps one entry per (instance, part), written under a file
lock after every part; a part is redone only when its fingerprint (problem, fit, prior/weights, the family's
code version) changed. Tables: ``benchmarks/darcy_replicated_tables.py`` (docs/lessons.md).

Time: about 25 minutes of one core per instance, over the issue's 10 minutes on two cores — ten baseline fits
(two penalties × five weights) and eight generator and control fits, each 1,500 L-BFGS iterations whose every
evaluation is a sparse solve and its adjoint; run one shard per core (about 13 minutes per instance then). The
table states the measured median.
"""

from __future__ import annotations

import functools

from darcy_inverse import curve_row  # benchmarks/, the script's own folder
from results_file import run_study, run_study_parts
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS
from pinnzoo.families.grid_inverse.fit import build_coefficient_solver, fit_coefficient
from pinnzoo.families.grid_inverse.preset import TunedBaseline
from pinnzoo.family import get_preset
from pinnzoo.grids.darcy_inverse import DarcyInverse
from pinnzoo.priors.registry import PriorSpec
from pinnzoo.recipe import canonical, code_version, digest

NAME = "darcy_replicated"
#: (noise, permeability draw, noise draw), in the order they are run (a part run gives a balanced first look)
INSTANCES = tuple([(0.01, k, 1) for k in range(10)] + [(0.01, k, 2) for k in range(10)]
                  + [(0.005, k, 1) for k in range(5)] + [(0.05, k, 1) for k in range(5)])
WEIGHTS = (1.0, 3.0, 10.0, 30.0, 100.0)
PENALTIES = ("h1", "tv")
LINEAR = ("raw_grid", "multiscale_grid")  # zero-initialised: no seed
GENERATORS = ("deep_decoder", "dip")
NET_SEEDS = (0, 1, 2)
THIN = 5  # keep every 5th logged point of a curve


def instance_key(noise: float, seed: int, noise_seed: int) -> str:
    return f"noise {noise:g}, a-draw {seed}, noise-draw {noise_seed}"


def parts() -> list[str]:
    """The parts of one instance: ``baseline/h1``, ``linear/raw_grid``, ``generator/dip/2``, …"""
    return ([f"baseline/{p}" for p in PENALTIES] + [f"linear/{p}" for p in LINEAR]
            + [f"generator/{g}/{s}" for g in GENERATORS for s in NET_SEEDS])


def fingerprint(problem: DarcyInverse, part: str) -> str:
    preset = get_preset("darcy_inverse")
    what = {"problem": problem.params, "fit": canonical(preset.fit), "part": part,
            "code": code_version(preset.family), "tau": preset.discrepancy}
    if part.startswith("baseline/"):
        what["weights"] = list(WEIGHTS)
    else:
        prior = part.split("/")[1]
        what["prior"] = canonical(GRID_PRIOR_CONFIGS.get(prior, {}))
    return digest(what)


def run_baseline(problem, penalty: str) -> dict:
    fit = get_preset("darcy_inverse").fit
    return {"sweep": TunedBaseline(penalty, WEIGHTS, iterations=fit.lbfgs_iterations).run(problem)["sweep"]}


def run_fit(problem, prior: str, seed: int) -> dict:
    preset = get_preset("darcy_inverse")
    solver = build_coefficient_solver(problem, PriorSpec(prior, GRID_PRIOR_CONFIGS.get(prior, {})), seed=seed)
    log = fit_coefficient(solver, preset.fit)["lbfgs"]
    row = curve_row(log, preset.fit.log_every, preset.discrepancy)
    row["curve"] = {k: v[THIN - 1::THIN] for k, v in row["curve"].items()}
    return {"parameters": int(solver.prior.count_params()), **row}


def run_part(problem, part: str) -> dict:
    kind, name, *seed = part.split("/")
    if kind == "baseline":
        return run_baseline(problem, name)
    return run_fit(problem, name, int(seed[0]) if seed else 0)


def run_instance(noise: float, seed: int, noise_seed: int) -> bool:
    """Run the missing or stale parts of one instance; True if any ran."""
    problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
    return run_study_parts(NAME, instance_key(noise, seed, noise_seed), problem,
                           {p: (fingerprint(problem, p), functools.partial(run_part, problem, p)) for p in parts()})


def main() -> None:
    run_study(__doc__.splitlines()[0], INSTANCES, run_instance)


if __name__ == "__main__":
    main()
