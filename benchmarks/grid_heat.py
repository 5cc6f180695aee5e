"""Warm starts in time: the heat equation by implicit Euler steps, each solved by a prior, with and without
carrying the weights over from the previous step.

    python benchmarks/grid_heat.py

For the multiscale grid and the raw grid, with L-BFGS (the preset's per-step
budget) and with Adam (300 steps per step), march ``heat2d_grid`` (20 steps) warm-started (every step starts
from the previous step's weights, which represent u^k, already close to u^{k+1})
and cold-started (every step starts from the initial weights), and record the
error at the final time and the worst step against the exact discrete trajectory,
and the time. Everything through the public preset API (``GridMarchingPreset``).
Writes ``benchmarks/results/grid_heat.json``.
"""

from __future__ import annotations

import dataclasses
import json

from results_file import progress, write_results
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit, get_preset
from pinnzoo.priors import PriorSpec

ADAM = GridFit(adam_steps=300, learning_rate=1e-2)


def main() -> int:
    base = get_preset("heat2d_grid")
    rows = []
    runs = [(prior, optimiser, fit, warm) for prior in ("multiscale_grid", "raw_grid")
            for optimiser, fit in (("L-BFGS", base.fit), ("Adam", ADAM))  # the preset's own L-BFGS budget
            for warm in (True, False)]
    for prior, optimiser, fit, warm in progress(runs, "run"):
        preset = dataclasses.replace(base, prior=PriorSpec(prior, GRID_PRIOR_CONFIGS[prior]), fit=fit,
                                     warm_start=warm)
        r = preset.train(verbose=0)
        m = r.metrics
        rows.append({"prior": prior, "optimiser": optimiser, "per_step": fit.adam_steps or fit.lbfgs_iterations,
                     "warm_start": warm, "rel_l2": m["rel_l2"], "max_step_rel_l2": m["max_step_rel_l2"],
                     "rel_l2_continuous": m["rel_l2_continuous"], "time_s": round(r.train_time, 2)})
        print(json.dumps(rows[-1]), flush=True)
    write_results("grid_heat", {"steps": base.build_problem().steps, "discretisation_error": m["discretisation_error"],
                                "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
