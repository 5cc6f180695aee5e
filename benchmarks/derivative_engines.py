"""Nested tapes vs forward (Taylor-mode) derivatives: Adam step and L-BFGS evaluation times.

    python benchmarks/derivative_engines.py [--windows 7]

Builds the ``burgers`` preset's solver twice, once per derivative engine, and
times them alternately in the same process (compiled with XLA, after warm-up):
milliseconds per Adam step on the preset's collocation batch and per
value-and-gradient evaluation of the L-BFGS phase. Medians over ``--windows``
go to ``benchmarks/results/derivative_engines.json`` (a README table).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import time
from pathlib import Path

import tensorflow as tf

from pinnzoo import get_preset
from pinnzoo.export import machine, versions
from pinnzoo.sampling import collocation_dataset, fixed_batch
from pinnzoo.solvers import flat_value_and_gradient
from pinnzoo.families.pinn.fit import build_solver

OUT = Path(__file__).resolve().parent / "results" / "derivative_engines.json"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=7)
    ap.add_argument("--steps", type=int, default=200)
    args = ap.parse_args(argv)
    base = get_preset("burgers")
    schedule = base.schedule
    setups = {}
    for engine in ("tape", "taylor", "forward"):
        preset = dataclasses.replace(base, solver={**base.solver, "derivatives": engine})
        solver = build_solver(preset, schedule, seed=0)
        data = collocation_dataset(solver, schedule.collocation.points, seed=0)
        solver.fit(data, epochs=1, steps_per_epoch=schedule.adam.steps_per_execution, verbose=0, shuffle=False)
        value_and_grad, get_flat = flat_value_and_gradient(solver, fixed_batch(solver, schedule.lbfgs.points), True)
        x = tf.constant(get_flat(), solver.trainable_variables[0].dtype)
        value_and_grad(x)
        setups[engine] = (solver, data, value_and_grad, x)
    times = {e: {"adam_ms": [], "lbfgs_eval_ms": []} for e in setups}
    for _ in range(args.windows):
        for engine, (solver, data, value_and_grad, x) in setups.items():
            t0 = time.perf_counter()
            solver.fit(data, epochs=1, steps_per_epoch=args.steps, verbose=0, shuffle=False)
            times[engine]["adam_ms"].append((time.perf_counter() - t0) / args.steps * 1e3)
            t0 = time.perf_counter()
            for _ in range(25):
                value_and_grad(x)[1].numpy()
            times[engine]["lbfgs_eval_ms"].append((time.perf_counter() - t0) / 25 * 1e3)
    summary = {
        "benchmark": "derivative_engines",
        "preset": "burgers",
        "n_residual": schedule.collocation.points,
        "lbfgs_points": schedule.lbfgs.points,
        "engines": {e: {k: statistics.median(v) for k, v in t.items()} for e, t in times.items()},
        "samples": times,
        "machine": machine(),
        "versions": versions(),
        "date": time.strftime("%Y-%m-%d"),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary["engines"], indent=2))


if __name__ == "__main__":
    main()
