"""Convolutional priors as PDE solvers: every prior on every grid problem, with Adam and with L-BFGS.

    python benchmarks/grid_pde.py            # full run (about 20 minutes on 2 cores)
    python benchmarks/grid_pde.py --quick    # a smoke run of a few iterations

For each grid problem (``poisson2d_grid``, ``darcy_grid``) and prior (DIP, Deep
Decoder at two widths, the multiscale grid, the raw grid, the MLP at the grid's
points), fit the discrete residual loss with Adam and, separately, with L-BFGS,
each for the same iteration budget (smaller for the slow networks: 300 DIP, 500
wide Deep Decoder iterations), and record the relative L2 error against the
exact discrete solution every ``LOG`` iterations (monitoring only; the fit never
sees it), the error against the continuous solution, iterations and wall time to
1e-2 / 1e-3 / 1e-4, parameters, and the sparse direct solve's time (the classical
floor). The energy (Ritz) loss is run for the two grid parameterisations. The
stretch question — does a generator reach 1e-3 in fewer iterations than the raw
grid with the same optimiser? — is measured on three Darcy coefficient draws
(problem seeds 0, 1, 2). Everything runs in float64 through the public preset API
(:meth:`GridPreset.build_solver`). Writes ``benchmarks/results/grid_pde.json`` and
the convergence plots ``docs/grid-pde-<problem>.svg``.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path

import keras
import scipy.sparse.linalg as spla

from pinnzoo.export import machine, versions
from pinnzoo.grids import get_grid_problem
from pinnzoo.presets import GRID_PRIOR_CONFIGS, GridFit, GridPreset
from pinnzoo.families.grid.preset import field_errors
from pinnzoo.priors import PriorSpec
from pinnzoo.solvers import lbfgs_refine

ROOT = Path(__file__).resolve().parents[1]
LOG = 20
THRESHOLDS = (1e-2, 1e-3, 1e-4)
#: (label, prior name, configuration overrides, Adam learning rate, iteration budget)
PRIORS = [
    ("DIP (4 x 32)", "dip", {}, 1e-3, 300),
    ("Deep Decoder (32 ch)", "deep_decoder", {"channels": 32}, 1e-2, 1000),
    ("Deep Decoder (128 ch)", "deep_decoder", {"channels": 128}, 1e-2, 500),
    ("multiscale grid", "multiscale_grid", {}, 1e-2, 3000),
    ("raw grid", "raw_grid", {}, 1e-2, 3000),
    ("MLP-PINN, discrete operator (4 x 64)", "mlp", {}, 1e-3, 3000),
]
ENERGY = ("multiscale_grid", "raw_grid")


class Curve(keras.callbacks.Callback):
    """Error against the discrete solution and elapsed time after every logged epoch."""

    def __init__(self, every: int):
        super().__init__()
        self.every, self.points, self.start = every, [], None

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.points.append(((epoch + 1) * self.every, time.perf_counter() - self.start, float(logs["error"])))


def first_below(points, threshold):
    for it, t, err in points:
        if err <= threshold:
            return {"iterations": it, "time_s": round(t, 2)}
    return None


def run(problem: str, label: str, prior: str, config: dict, optimiser: str, lr: float, budget: int,
        loss: str = "residual", problem_params: dict | None = None, seed: int = 0) -> dict:
    spec = PriorSpec(prior, {**GRID_PRIOR_CONFIGS[prior], **config})
    fit = GridFit(adam_steps=budget if optimiser == "adam" else 0, learning_rate=lr,
                  lbfgs_iterations=budget if optimiser == "lbfgs" else 0, log_every=LOG)
    preset = GridPreset(f"{problem}-{prior}", label, problem, spec, fit, loss=loss,
                        problem_params=problem_params or {})
    solver = preset.build_solver(seed)
    curve = Curve(LOG)
    if optimiser == "adam":
        solver.fit(solver.dataset(), steps_per_epoch=LOG, epochs=budget // LOG, verbose=0, callbacks=[curve])
    else:
        h = lbfgs_refine(solver, {}, maxiter=budget, log_every=LOG, callbacks=[curve], verbose=0)
        if h.lbfgs["iterations"] < budget:  # converged early: the last point is where it stopped
            curve.points[-1] = (h.lbfgs["iterations"],) + curve.points[-1][1:]
    errors = field_errors(solver.problem, solver.solution())
    return {"problem": problem, "problem_params": problem_params or {}, "prior": label, "prior_name": prior,
            "optimiser": optimiser, "loss": loss, "seed": seed, "parameters": int(solver.prior.count_params()),
            "iterations": curve.points[-1][0], "time_s": round(curve.points[-1][1], 2),
            "seconds_per_iteration": curve.points[-1][1] / max(1, curve.points[-1][0]), **errors,
            "to": {f"{t:g}": first_below(curve.points, t) for t in THRESHOLDS},
            "curve": [[it, round(t, 3), err] for it, t, err in curve.points]}


def direct_solve_time(problem, repeats: int = 5) -> float:
    a, f = problem.operator.matrix().tocsc(), problem.rhs.ravel()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        spla.spsolve(a, f)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def svg_plot(runs: list[dict], title: str) -> str:
    """Error vs iteration on log-log axes, one line per run (Adam dashed, L-BFGS solid)."""
    w, h, left, top, right, bottom = 760, 440, 70, 30, 250, 50
    its = [p[0] for r in runs for p in r["curve"]]
    errs = [max(p[2], 1e-12) for r in runs for p in r["curve"]]
    x0, x1 = math.log10(min(its)), math.log10(max(its))
    y0, y1 = math.floor(math.log10(min(errs))), math.ceil(math.log10(max(errs)))
    pw, ph = w - left - right, h - top - bottom

    def xy(it, err):
        return (left + pw * (math.log10(it) - x0) / max(x1 - x0, 1e-9),
                top + ph * (y1 - math.log10(max(err, 1e-12))) / max(y1 - y0, 1e-9))

    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{left}" y="18" font-size="13">{title}</text>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>']
    for e in range(y0, y1 + 1):
        _, y = xy(10 ** x0, 10.0 ** e)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
    for e in range(math.ceil(x0), math.floor(x1) + 1):
        x, _ = xy(10.0 ** e, 10.0 ** y0)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{top + ph + 15}" text-anchor="middle">{10 ** e}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 10}" text-anchor="middle">iteration</text>'
               f'<text x="15" y="{top + ph / 2}" transform="rotate(-90 15 {top + ph / 2})" text-anchor="middle">'
               f'rel. L2 error vs the discrete solution</text>')
    labels = sorted({r["prior"] for r in runs}, key=[r["prior"] for r in runs].index)
    for k, run_ in enumerate(runs):
        colour = colours[labels.index(run_["prior"]) % len(colours)]
        pts = " ".join("%.1f,%.1f" % xy(it, err) for it, _, err in run_["curve"])
        dash = ' stroke-dasharray="5,3"' if run_["optimiser"] == "adam" else ""
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.5"{dash}/>')
    for k, label in enumerate(labels):
        y = top + 14 + 16 * k
        out.append(f'<line x1="{w - right + 12}" x2="{w - right + 36}" y1="{y - 4}" y2="{y - 4}" '
                   f'stroke="{colours[k % len(colours)]}" stroke-width="2"/>'
                   f'<text x="{w - right + 42}" y="{y}">{label}</text>')
    y = top + 14 + 16 * len(labels) + 10
    out.append(f'<text x="{w - right + 12}" y="{y}">solid: L-BFGS, dashed: Adam</text></svg>')
    return "\n".join(out) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few iterations per run (smoke test)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "grid_pde.json"))
    ap.add_argument("--plots", default=str(ROOT / "docs"), help="directory for the SVG plots")
    args = ap.parse_args(argv)
    cap = 2 * LOG if args.quick else None
    budget = (lambda b: min(b, cap)) if cap else (lambda b: b)
    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d"), "versions": versions(), "log_every": LOG, "dtype": "float64",
               "problems": {}, "runs": [], "stretch": []}
    for problem in ("poisson2d_grid", "darcy_grid"):
        p = get_grid_problem(problem)
        results["problems"][problem] = {"unknowns": int(p.rhs.size), "direct_solve_s": direct_solve_time(p),
                                        **{k: v for k, v in field_errors(p, p.discrete_solution()).items()
                                           if k == "discretisation_error"}}
        for label, prior, config, lr, iterations in PRIORS:
            for optimiser in ("adam", "lbfgs"):
                r = run(problem, label, prior, config, optimiser, lr, budget(iterations))
                results["runs"].append(r)
                print(f"{problem:15s} {label:38s} {optimiser:5s} err {r['rel_l2']:.2e} in {r['iterations']} "
                      f"its, {r['time_s']:.1f} s", flush=True)
        for prior in ENERGY:
            label = dict((q, l) for l, q, *_ in PRIORS)[prior] + ", energy loss"
            r = run(problem, label, prior, {}, "lbfgs", 1e-2, budget(3000), loss="energy")
            results["runs"].append(r)
            print(f"{problem:15s} {label:38s} lbfgs err {r['rel_l2']:.2e}", flush=True)
    for seed in (0, 1, 2):  # the stretch: three Darcy coefficient draws, the same optimiser for both
        for prior in ("multiscale_grid", "raw_grid"):
            label = dict((q, l) for l, q, *_ in PRIORS)[prior]
            for optimiser, lr in (("lbfgs", 1e-2), ("adam", 1e-2)):
                r = run("darcy_grid", label, prior, {}, optimiser, lr, budget(5000), problem_params={"seed": seed})
                r.pop("curve")
                results["stretch"].append(r)
                print(f"stretch seed {seed} {label:20s} {optimiser:5s} to 1e-3: {r['to']['0.001']}", flush=True)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n")
    for problem in results["problems"]:
        runs = [r for r in results["runs"] if r["problem"] == problem and r["loss"] == "residual"]
        Path(args.plots, f"grid-pde-{problem}.svg").write_text(svg_plot(runs, f"{problem}: discrete residual loss"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
