"""Rewrite shipped PINN exports with today's SavedModel writer — the same weights, a smaller file.

    python benchmarks/rewrite_exports.py                 # every shipped PINN export
    python benchmarks/rewrite_exports.py burgers kdv     # these

Each export's solver is rebuilt from its preset (the recipe the export records must be today's), its priors' weights
are read from ``prior_weights.npz`` and its identified coefficients from ``pinnzoo.json``; the rebuilt solver is
exported beside the shipped one, and must serve what the shipped one serves on the problem's scoring points before
it is swapped in for it, with its ``pinnzoo.json`` and ``history.csv`` unchanged apart from what the
writer records (the weights' file hash). Nothing is retrained. Prints each export's size before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

import numpy as np

from pinnzoo.errors import ExportError
from pinnzoo.export import load_export, predict_export
from pinnzoo.families.pinn.archive import export_solver
from pinnzoo.families.pinn.fit import build_solver
from pinnzoo.family import get_preset
from pinnzoo.recipe import recipe_status
from pinnzoo.warm_start import WarmStart

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "saved_models"
#: how far the rewritten export's values may be from the shipped one's (relative to the largest value)
TOLERANCE = 1e-6


def rebuild(directory: Path, meta: dict):
    """The export's solver, rebuilt from its preset with the export's weights and coefficients."""
    preset = get_preset(meta["preset"]).with_params(meta.get("set_params") or {})
    solver = build_solver(preset, preset.schedule, int(meta["training"]["seed"]), verbose=0)
    if meta["training"]["dtype"] != solver.compute_dtype:  # a float64 continuation
        solver = solver.recast(meta["training"]["dtype"])
    WarmStart(str(directory)).apply([part.prior for part in solver.parts()])
    if meta.get("identified_params"):  # inverse problems
        solver.set_coefficients(meta["identified_params"])
    return solver


def rewrite(directory: Path) -> tuple[int, int]:
    """Rewrite one export; returns its size in bytes before and after."""
    meta = json.loads((directory / "pinnzoo.json").read_text())
    if not recipe_status(meta)["recipe_current"]:
        raise ExportError(f"{directory.name}: not today's recipe, so its preset cannot rebuild it")
    solver = rebuild(directory, meta)
    fresh = directory.parent / f".{directory.name}.rewrite"
    kept = {k: v for k, v in meta.items() if k != "prior_weights"}
    export_solver(solver, fresh, kept, files={"history.csv": (directory / "history.csv").read_bytes()})
    try:
        points = solver.problem.scoring_grid()[0]
        served = [predict_export(*load_export(d), points) for d in (directory, fresh)]
        gap = float(np.abs(served[0] - served[1]).max())
        if not gap <= TOLERANCE * max(1.0, float(np.abs(served[0]).max())):
            raise ExportError(f"{directory.name}: the rewritten export serves values {gap:.2e} away from the "
                              "shipped one; not replaced")
        before, after = (sum(f.stat().st_size for f in d.rglob("*") if f.is_file()) for d in (directory, fresh))
        old = directory.parent / f".{directory.name}.old"
        os.replace(directory, old)
        os.replace(fresh, directory)
        shutil.rmtree(old)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exports", nargs="*", help="names in saved_models/ (default: every PINN export)")
    args = parser.parse_args()
    metas = {p.name: json.loads((p / "pinnzoo.json").read_text())
             for p in sorted(SHIPPED.iterdir()) if (p / "pinnzoo.json").exists()}
    names = args.exports or [n for n, m in metas.items() if m.get("family") == "pinn"]
    total = [0, 0]
    for name in names:
        before, after = rewrite(SHIPPED / name)
        total[0], total[1] = total[0] + before, total[1] + after
        print(f"{name}: {before / 2**20:.2f} MiB -> {after / 2**20:.2f} MiB", flush=True)
    print(f"all: {total[0] / 2**20:.1f} MiB -> {total[1] / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
