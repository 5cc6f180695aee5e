"""Scaling: step time and peak memory vs problem size for the PINN, image-prior and grid families.

    python benchmarks/scaling.py [--quick] [--series NAME ...] [--largest] [--plots docs]

Each case runs in its own Python process (peak memory is the process's high-water mark, ``ru_maxrss``, less
its resident size after TensorFlow and pinnzoo were imported), through the public API, for a few epochs:

* PINN: ``burgers`` Adam steps vs collocation points per step (10³ → 10⁶, 4×32 MLP) and vs network width
  (4 hidden layers of 32 → 256, 8,192 points);
* image prior: DIP (the original skip architecture) denoising iterations vs image size (128² → 1024²), gray and
  RGB;
* grid solver: ``poisson2d_grid`` (multiscale-grid generator, float64) Adam steps vs nodes per side (65 → 513).

The step time is the median over epochs (the first, which traces and compiles, left out) of the epoch's
time over its optimiser steps. The slope of log(time) and log(memory) against log(size), fitted by least
squares over the sizes of each series, is the observed complexity. Results go to
``benchmarks/results/scaling.json`` (the tables of ``docs/scaling.md``) and the plots to
``docs/scaling-time.svg`` and ``docs/scaling-memory.svg``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

from results_file import progress, write_results  # benchmarks/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]

#: series name -> (what varies, the sizes, the quick sizes)
SERIES = {
    "pinn_points": ("collocation points", [1_000, 10_000, 100_000, 1_000_000], [1_000, 4_000]),
    "pinn_width": ("hidden width", [32, 64, 128, 256], [16, 32]),
    "image_gray": ("pixels", [128, 256, 512, 1024], [64, 128]),
    "image_rgb": ("pixels", [128, 256, 512, 1024], [64, 128]),
    "grid": ("nodes", [65, 129, 257, 513], [33, 65]),
}


# -- one case, in its own process ---------------------------------------------------------------------------
def _rss_gib() -> float:
    import os

    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2 ** 30


def _peak_gib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20  # KiB on Linux


def _timer():
    import time

    import keras

    class StepTimes(keras.callbacks.Callback):
        """Seconds per optimiser step of every epoch (from the optimiser's iteration count)."""

        def __init__(self):
            super().__init__()
            self.per_step, self._last = [], None

        def on_epoch_begin(self, epoch, logs=None):
            self._last = (time.perf_counter(), int(self.model.optimizer.iterations.numpy()))

        def on_epoch_end(self, epoch, logs=None):
            t, it = time.perf_counter(), int(self.model.optimizer.iterations.numpy())
            if it > self._last[1]:
                self.per_step.append((t - self._last[0]) / (it - self._last[1]))

    return StepTimes()


def _pinn(points: int, width: int, epochs: int, steps: int) -> None:
    import dataclasses

    from pinnzoo import get_preset
    from pinnzoo.priors import PriorSpec

    preset = get_preset("burgers")
    preset = dataclasses.replace(preset, prior=PriorSpec("mlp", {"widths": (width,) * 4}))
    schedule = preset.schedule.replace(adam={"epochs": epochs, "steps_per_epoch": steps},
                                       collocation={"points": points}, lbfgs={"maxiter": 0})
    timer = _timer()
    preset.train(schedule=schedule, seed=0, verbose=0, callbacks=[timer])
    return timer


def _image(size: int, channels: int, epochs: int, steps: int):
    import numpy as np

    from pinnzoo.operators import Identity
    from pinnzoo.restoration import RestoreConfig, restore

    rng = np.random.default_rng(0)
    y = np.clip(0.5 + 0.1 * rng.standard_normal((size, size, channels)), 0, 1).astype(np.float32)
    config = RestoreConfig().override(iterations=epochs * steps, log_every=steps, auto=False)
    timer = _timer()
    restore(y, Identity(), config, seed=0, verbose=0, callbacks=[timer])
    return timer


def _grid(nodes: int, epochs: int, steps: int):
    import dataclasses

    from pinnzoo import get_preset
    from pinnzoo.families.grid.preset import GridFit

    preset = get_preset("poisson2d_grid").with_params({"n": nodes})
    preset = dataclasses.replace(preset, fit=GridFit(adam_steps=epochs * steps, log_every=steps))
    timer = _timer()
    preset.train(seed=0, verbose=0, callbacks=[timer])
    return timer


def run_case(series: str, size: int, quick: bool) -> dict:
    """One measurement: ``{"step_s", "peak_gib", "base_gib"}`` (run in a fresh process by :func:`measure`)."""
    import importlib
    import statistics

    importlib.import_module("pinnzoo")  # TensorFlow and pinnzoo imported before the baseline is read

    base = _rss_gib()
    epochs = 3 if quick else 4
    if series == "pinn_points":
        timer = _pinn(size, 32, epochs, max(2, min(50, 200_000 // size)))
    elif series == "pinn_width":
        timer = _pinn(8192, size, epochs, 50)
    elif series.startswith("image"):
        timer = _image(size, 3 if series == "image_rgb" else 1, epochs, max(2, min(20, 2 ** 18 // size ** 2 * 5)))
    else:
        timer = _grid(size, epochs, 10)
    return {"step_s": statistics.median(timer.per_step[1:]), "peak_gib": _peak_gib(), "base_gib": base}


def measure(series: str, size: int, quick: bool, timeout: float = 3600) -> dict:
    """:func:`run_case` in a fresh Python process; ``{"error": ...}`` if it failed (e.g. out of memory)."""
    cmd = [sys.executable, __file__, "--case", series, str(size)] + (["--quick"] if quick else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=Path(__file__).parent)
    lines = [x for x in proc.stdout.splitlines() if x.startswith("CASE ")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}: " + (proc.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(lines[-1][5:])


# -- analysis and plots -------------------------------------------------------------------------------------
def slope(xs, ys) -> float:
    """Least-squares slope of log y against log x."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def work(series: str, size: int) -> int:
    """The size on the plots' x axis: points, width, pixels (size²) or nodes (size²)."""
    return size ** 2 if series.startswith(("image", "grid")) else size


def loglog_svg(results: dict, key: str, label: str) -> str:
    """``key`` (``step_s`` or ``memory_gib``) against each series' size, log–log, one line per series."""
    w, h, left, top, right, bottom = 720, 420, 70, 30, 200, 50
    lines = {name: [(work(name, r["size"]), r[key]) for r in rows if key in r and r[key] > 0]
             for name, rows in results.items()}
    xs = [x for pts in lines.values() for x, _ in pts]
    ys = [y for pts in lines.values() for _, y in pts]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    pw, ph = w - left - right, h - top - bottom

    def xy(x, y):
        return left + pw * (math.log10(x) - x0) / (x1 - x0), top + ph * (y1 - math.log10(y)) / (y1 - y0)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="black"/>',
           f'<text x="{left}" y="18" font-size="13">{label} vs size (log-log)</text>']
    for e in range(y0, y1 + 1):
        y = xy(10 ** x0, 10.0 ** e)[1]
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">1e{e}</text>')
    for e in range(x0, x1 + 1):
        x = xy(10.0 ** e, 10.0 ** y0)[0]
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" stroke="#ddd"/>'
                   f'<text x="{x:.1f}" y="{top + ph + 15}" text-anchor="middle">1e{e}</text>')
    out.append(f'<text x="{left + pw / 2}" y="{h - 10}" text-anchor="middle">points / width / pixels / nodes</text>')
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"]
    for k, (name, pts) in enumerate(lines.items()):
        if not pts:
            continue
        c = colours[k % len(colours)]
        out.append(f'<polyline points="{" ".join("%.1f,%.1f" % xy(x, y) for x, y in pts)}" fill="none" '
                   f'stroke="{c}" stroke-width="1.5"/>')
        y = top + 14 + 16 * k
        out.append(f'<line x1="{w - right + 12}" x2="{w - right + 36}" y1="{y - 4}" y2="{y - 4}" stroke="{c}" '
                   f'stroke-width="2"/><text x="{w - right + 42}" y="{y}">{name}</text>')
    return "\n".join(out) + "\n</svg>\n"


#: series -> sizes beyond the scaling runs, below the memory the fitted slope projects for this machine
LARGEST = {"pinn_points": [2_000_000, 3_000_000], "image_gray": [1280], "image_rgb": [1280]}


def machine_gib() -> float:
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) / 2 ** 20


def largest() -> int:
    """Try the sizes of :data:`LARGEST` one by one and record what trained (``docs/scaling.md`` projects the
    limit from the two largest sizes measured)."""
    path = ROOT / "benchmarks" / "results" / "scaling.json"
    data = json.loads(path.read_text())
    total = machine_gib()
    out = {"machine_gib": total, "tried": {}}
    for name, sizes in LARGEST.items():
        for size in progress(sizes, f"{name} size"):
            row = {"size": size, **measure(name, size, False)}
            if "peak_gib" in row:
                row["memory_gib"] = row["peak_gib"] - row["base_gib"]
            print(f"{name} {size}: {row}", flush=True)
            out["tried"].setdefault(name, []).append(row)
    data["largest"] = out
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {path}")
    return 0


def run_series(names, quick: bool) -> dict[str, list]:
    cases = [(name, size) for name in names for size in (SERIES[name][2] if quick else SERIES[name][1])]
    results: dict[str, list] = {name: [] for name in names}
    for name, size in progress(cases, "case"):
        row = {"size": size, **measure(name, size, quick)}
        if "peak_gib" in row:
            row["memory_gib"] = row["peak_gib"] - row["base_gib"]
        results[name].append(row)
        print(f"{name} {size}: {row}", flush=True)
    return results


def slopes_of(results: dict[str, list]) -> dict:
    slopes = {}
    for name, rows in results.items():
        ok = [r for r in rows if "step_s" in r]
        if len(ok) >= 2:
            xs = [work(name, r["size"]) for r in ok]
            slopes[name] = {"time": slope(xs, [r["step_s"] for r in ok]),
                            "memory": slope(xs, [max(r["memory_gib"], 1e-3) for r in ok])}
    return slopes


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="two small sizes per series (smoke test)")
    ap.add_argument("--case", nargs=2, metavar=("SERIES", "SIZE"), help=argparse.SUPPRESS)
    ap.add_argument("--series", nargs="+", choices=sorted(SERIES),
                    help="measure only these series again and replace them in scaling.json (default: all)")
    ap.add_argument("--plots", default=str(ROOT / "docs"), help="directory for the SVG plots")
    ap.add_argument("--largest", action="store_true",
                    help="after a full run: try the sizes of LARGEST and add them to scaling.json")
    args = ap.parse_args(argv)
    if args.case:
        print("CASE " + json.dumps(run_case(args.case[0], int(args.case[1]), args.quick)), flush=True)
        return 0
    if args.largest:
        return largest()
    fresh = run_series(args.series or list(SERIES), args.quick)
    if args.quick:
        print(json.dumps({"results": fresh, "slopes": slopes_of(fresh)}, indent=1))
        return 0
    path = ROOT / "benchmarks" / "results" / "scaling.json"
    old = json.loads(path.read_text()) if args.series and path.exists() else {}
    results = {**old.get("results", {}), **fresh}
    payload = {"series": {n: s[0] for n, s in SERIES.items()}, "results": results, "slopes": slopes_of(results)}
    if "largest" in old:
        payload["largest"] = old["largest"]
    write_results("scaling", payload)
    for key, label in (("step_s", "seconds per step"), ("memory_gib", "peak memory, GiB")):
        name = "time" if key == "step_s" else "memory"
        Path(args.plots, f"scaling-{name}.svg").write_text(loglog_svg(results, key, label))
    return 0


if __name__ == "__main__":
    sys.exit(main())
