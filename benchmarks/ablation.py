"""What each PINN technique contributes: error and time, one row per configuration.

Usage::

    python benchmarks/ablation.py [--only burgers|allen_cahn] [--rows NAME ...]

Burgers rows start from a vanilla PINN (soft initial/boundary terms, Adam at a
constant learning rate) and add one technique at a time (learning-rate decay,
hard constraints, L-BFGS refinement), then try each remaining technique on top
of that (float64, RAD points, Fourier features, modified MLP, random weight
factorisation, causal weighting; gradient-norm balancing on the soft-constraint
variant, the only one with several loss terms). Allen–Cahn rows compare one
network (soft periodicity, then the exact periodic embedding, then causal
weighting) with time marching, then add more initial points per window, then
longer L-BFGS on residual-adaptive points with a float64 continuation (the
former ``allen_cahn_sota``), and the ``allen_cahn_sota`` preset (a smaller
network in float64 with the self-scaled Broyden method). Every row trains from scratch with seed 0
through :func:`pinnzoo.families.pinn.fit.train`, on the same budget within its problem,
and is scored on the problem's grid. Results are merged into
``benchmarks/results/ablation.json`` (row by row, so ``--rows`` reruns some),
which ``benchmarks/make_readme_tables.py`` turns into the README's table.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import time
from pathlib import Path

from pinnzoo import AdamPhase, Collocation, LBFGSPhase, PINNPreset, PriorSpec, Schedule, get_preset, train
from pinnzoo.export import machine, versions
from pinnzoo.families.pinn.schedule import Continuation

OUT = Path(__file__).resolve().parent / "results" / "ablation.json"


def burgers_rows():
    """(name, preset, schedule) for Burgers: 2,000 Adam steps (+ 2,000 L-BFGS iterations where used)."""
    widths = (20,) * 8
    adam = Schedule(adam=AdamPhase(epochs=4, steps_per_epoch=500, decay_steps=1000, decay_rate=1.0),
                    collocation=Collocation(4096), lbfgs=LBFGSPhase(maxiter=0, points=8192))
    decay = adam.replace(adam={"decay_steps": 200, "decay_rate": 0.9})
    lbfgs = decay.replace(lbfgs={"maxiter": 2000})
    base = PINNPreset(name="burgers_ablation", description="ablation", problem="burgers",
                      prior=PriorSpec("mlp", {"widths": widths}), schedule=adam, solver={}, target=1e-3)
    hard = dataclasses.replace(base, solver={"hard_constraints": True})
    causal = {"coordinate": "t", "chunks": 16, "epsilon": 1.0}
    return [
        ("vanilla PINN: soft conditions, Adam at a constant learning rate", base, adam),
        ("+ learning-rate decay (x0.9 every 200 steps)", base, decay),
        ("+ hard initial/boundary constraints", hard, decay),
        ("+ L-BFGS refinement (2,000 iterations)", hard, lbfgs),
        ("  + float64", hard, lbfgs.replace(dtype="float64")),
        ("  + RAD points for L-BFGS", hard, lbfgs.replace(lbfgs={"sampling": "rad"})),
        ("  + Fourier features (sigma 1)", dataclasses.replace(hard, prior=PriorSpec("fourier_mlp", {
            "widths": widths, "features": 20, "scale": 1.0, "feature_seed": 0})), lbfgs),
        ("  + modified MLP", dataclasses.replace(hard, prior=PriorSpec("modified_mlp", {"widths": widths})), lbfgs),
        ("  + random weight factorisation", dataclasses.replace(hard, prior=PriorSpec("mlp", {
            "widths": widths, "factorization": {"mean": 1.0, "std": 0.1}, "seed": 0})), lbfgs),
        ("  + causal weighting (16 slabs, eps 1)", dataclasses.replace(hard, solver={"hard_constraints": True,
                                                                               "causal": causal}), lbfgs),
        ("soft conditions, decay + L-BFGS", base, lbfgs),
        ("  + gradient-norm loss balancing", base, lbfgs.replace(balancing={"every": 100})),
    ]


def allen_cahn_rows():
    """Allen–Cahn: one network (3,000 Adam steps + 3,000 L-BFGS iterations) against time marching (the preset)."""
    single = Schedule(adam=AdamPhase(epochs=6, steps_per_epoch=500, decay_steps=1000), collocation=Collocation(4096),
                      lbfgs=LBFGSPhase(maxiter=3000, points=8192, log_every=500))
    base = PINNPreset(name="allen_cahn_ablation", description="ablation", problem="allen_cahn",
                      prior=PriorSpec("mlp", {"widths": (64,) * 4}), schedule=single,
                      solver={"loss_weights": {"initial": 100.0}}, target=1e-2)
    periodic = dataclasses.replace(base, solver={"loss_weights": {"initial": 100.0}, "periodic_embedding": True})
    causal = dataclasses.replace(periodic, solver={**periodic.solver,
                                                   "causal": {"coordinate": "t", "chunks": 16, "epsilon": 1.0}})
    marching = get_preset("allen_cahn")
    initial_points = dataclasses.replace(marching, solver={**marching.solver, "condition_points": {"initial": 2048}})
    continued = marching.schedule.replace(lbfgs=LBFGSPhase(maxiter=8000, points=2048, sampling="rad", log_every=1000,
                                                           continuation=Continuation("float64", maxiter=1500)))
    sota = get_preset("allen_cahn_sota")
    return [
        ("one network: soft periodic conditions, Adam + L-BFGS", base, single),
        ("  + exact periodic embedding", periodic, single),
        ("  + causal weighting (16 slabs, eps 1)", causal, single),
        ("time marching, 10 windows (the `allen_cahn` preset)", marching, marching.schedule),
        ("  + 2,048 initial points per window", initial_points, marching.schedule),
        ("+ L-BFGS on 2,048 RAD points until float32 stalls, then float64 (the former `allen_cahn_sota`)",
         initial_points, continued),
        ("instead: 4x32 network in float64, 2,400 self-scaled Broyden iterations on 4,096 RAD points per window "
         "(the `allen_cahn_sota` preset)", sota, sota.schedule),
    ]


PROBLEMS = {"burgers": burgers_rows, "allen_cahn": allen_cahn_rows}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(PROBLEMS), action="append")
    ap.add_argument("--rows", nargs="*", help="run only rows whose name contains one of these strings")
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)
    out = Path(args.out)
    results = json.loads(out.read_text()) if out.exists() else {"rows": []}
    order = {(p, n): i for i, (p, n) in enumerate((p, n) for p in PROBLEMS for n, _, _ in PROBLEMS[p]())}
    for problem in args.only or list(PROBLEMS):
        for name, preset, schedule in PROBLEMS[problem]():
            if args.rows and not any(s in name for s in args.rows):
                continue
            start = time.perf_counter()
            result = train(preset, schedule=schedule, verbose=0)
            row = {"problem": problem, "configuration": name, "rel_l2": result.metrics["rel_l2"],
                   "train_time_s": round(result.train_time, 1), "adam_steps": result.adam_steps,
                   "lbfgs_iterations": result.lbfgs_iterations, "dtype": schedule.dtype,
                   "wall_s": round(time.perf_counter() - start, 1)}
            print(f"{problem:<11} {name:<62} rel. L2 {row['rel_l2']:.2e}  {row['train_time_s']:>6.0f} s", flush=True)
            results["rows"] = [r for r in results["rows"]
                               if (r["problem"], r["configuration"]) != (problem, name)] + [row]
            results["rows"].sort(key=lambda r: order.get((r["problem"], r["configuration"]), 10 ** 6))
            results.update(machine=machine(), versions=versions(), date=datetime.date.today().isoformat())
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
