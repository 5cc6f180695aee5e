"""Quasi-Newton methods side by side: the same Adam start, then L-BFGS-B vs dense BFGS / self-scaled BFGS /
self-scaled Broyden (:mod:`pinnzoo.optimizers`) for the same number of iterations, in one run.

    python benchmarks/quasi_newton.py [--preset burgers_sota] [--iterations 3000] [--seeds 0]
                                      [--methods lbfgs ssbroyden ssbfgs bfgs]

Each row: the preset's schedule with its quasi-Newton phase cut to ``--iterations`` and run by one method;
rel. L2 error against the preset's reference (``pinnzoo evaluate``'s number), iterations and evaluations
taken, wall-clock time of the whole run. Medians over the seeds.
"""

from __future__ import annotations

import argparse
import statistics
import time

from results_file import progress, recipe_stamp, write_results  # benchmarks/, the script's own folder
from pinnzoo import get_preset


def one_run(preset, method: str, iterations: int, seed: int) -> dict:
    schedule = preset.schedule.replace(lbfgs={"maxiter": iterations, "method": method,
                                              "log_every": max(1, iterations // 10)})
    start = time.perf_counter()
    result = preset.train(seed=seed, verbose=0, schedule=schedule)
    info = result.history.get("lbfgs_info", {})
    return {**recipe_stamp(preset.name, seed), "method": method, "seed": seed, "error": float(result.metrics["rel_l2"]),
            "time_s": time.perf_counter() - start, "iterations": int(info.get("iterations", 0)),
            "evaluations": int(info.get("evaluations", 0)), "message": info.get("message", "")}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="burgers_sota")
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--methods", nargs="+", default=["lbfgs", "ssbroyden", "ssbfgs", "bfgs"])
    ap.add_argument("--name", default="quasi_newton", help="results file name (benchmarks/results/NAME.json)")
    args = ap.parse_args(argv)
    preset = get_preset(args.preset)
    runs = [one_run(preset, m, args.iterations, s)
            for s, m in progress([(s, m) for s in args.seeds for m in args.methods], "run")]
    summary = {}
    for m in args.methods:
        rows = [r for r in runs if r["method"] == m]
        summary[m] = {key: statistics.median(r[key] for r in rows) for key in ("error", "time_s", "iterations")}
        summary[m]["worst_error"] = max(r["error"] for r in rows)
        print(f"{m:10s} error {summary[m]['error']:.3e} (worst {summary[m]['worst_error']:.3e}) "
              f"{summary[m]['time_s']:.0f} s {summary[m]['iterations']:.0f} it")
    write_results(args.name, {"preset": args.preset, "iterations": args.iterations, "seeds": args.seeds,
                              "adam_steps": preset.schedule.adam_steps, "lbfgs_points": preset.schedule.lbfgs.points,
                              "lbfgs_sampling": preset.schedule.lbfgs.sampling,
                              "lbfgs_resample_every": preset.schedule.lbfgs.resample_every,
                              "runs": runs, "summary": summary})


if __name__ == "__main__":
    main()
