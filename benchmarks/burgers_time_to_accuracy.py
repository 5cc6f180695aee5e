"""Time-to-accuracy and Adam step time of the ``burgers`` preset (or another Burgers preset), from scratch.

Usage::

    python benchmarks/burgers_time_to_accuracy.py [--repeats 3] [--target 1e-3] [--preset burgers]

For each repeat (seeds 0, 1, ...) the preset is trained exactly as
``pinnzoo train burgers`` does, with the reference error (relative L2 on
Raissi's 256×100 grid) checked after every Adam epoch and every 100 L-BFGS
iterations (or its own ``log_every``, if finer); the wall time at which it first reaches ``--target`` is
recorded.
Separately, the Adam step is timed on its own (compiled, after warm-up) over
several windows. Medians go to ``benchmarks/results/burgers_time_to_accuracy.json``,
which ``benchmarks/make_readme_tables.py`` turns into the table of docs/results.md; ``--preset burgers_fast``
writes ``burgers_fast_time_to_accuracy.json`` instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from pathlib import Path

from results_file import recipe_stamp  # benchmarks/, the script's own folder
from pinnzoo import get_preset, train
from pinnzoo.export import machine, versions
from pinnzoo.sampling import collocation_dataset
from pinnzoo.families.pinn.fit import build_solver

RESULTS = Path(__file__).resolve().parent / "results"


def adam_ms_per_step(preset, windows: int = 5, steps: int = 200) -> list[float]:
    schedule = preset.schedule
    solver = build_solver(preset, schedule, seed=0)
    data = collocation_dataset(solver, schedule.collocation.points, seed=0, resample=schedule.collocation.resample)
    solver.fit(data, epochs=1, steps_per_epoch=schedule.adam.steps_per_execution, verbose=0, shuffle=False)  # compile
    out = []
    for _ in range(windows):
        t0 = time.perf_counter()
        solver.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)
        out.append((time.perf_counter() - t0) / steps * 1e3)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--target", type=float, default=1e-3)
    ap.add_argument("--preset", default="burgers")
    ap.add_argument("--out", help="default: benchmarks/results/PRESET_time_to_accuracy.json")
    args = ap.parse_args(argv)
    preset = get_preset(args.preset)
    out = Path(args.out) if args.out else RESULTS / f"{args.preset}_time_to_accuracy.json"
    schedule = preset.schedule.replace(lbfgs={"log_every": min(100, preset.schedule.lbfgs.log_every)})
    preset = dataclasses.replace(preset, target=args.target)
    runs = []
    for seed in range(args.repeats):
        result = train(preset, seed=seed, verbose=0, schedule=schedule)
        runs.append({**recipe_stamp(args.preset, seed), "seed": seed, "time_to_target_s": result.time_to_target, "final_rel_l2": result.metrics["rel_l2"],
                     "total_time_s": result.train_time, "adam_steps": result.adam_steps,
                     "lbfgs_iterations": result.lbfgs_iterations})
        print(json.dumps(runs[-1]), flush=True)
    step_ms = adam_ms_per_step(preset)
    reached = [r["time_to_target_s"] for r in runs if r["time_to_target_s"] is not None]
    summary = {
        "benchmark": "burgers_time_to_accuracy",
        "preset": preset.name,
        "preset_description": preset.description,
        "target": args.target,
        "runs": runs,
        "reached": f"{len(reached)}/{len(runs)}",
        "median_time_to_target_s": statistics.median(reached) if reached else None,
        "median_final_rel_l2": statistics.median(r["final_rel_l2"] for r in runs),
        "median_total_time_s": statistics.median(r["total_time_s"] for r in runs),
        "adam_ms_per_step": step_ms,
        "median_adam_ms_per_step": statistics.median(step_ms),
        "n_residual": schedule.collocation.points,
        "machine": machine(),
        "versions": versions(),
        "date": time.strftime("%Y-%m-%d"),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
