"""The separation table of docs/lessons.md: prior (the data-free part) × operator and data term (the data part).

Every cell is the base-10 logarithm of a prior's error over its column's reference, on the same problem, budget and
optimiser: for the PDE columns the reference is the raw grid (the same unknowns with no architecture), for the image
columns the strongest classical baseline with its parameter chosen with the truth (a log-RMSE ratio, −ΔPSNR/20).
Negative: the prior helps. On the PDE block, whose columns share the raw-grid reference, an additive fit
``cell ≈ μ + prior + column`` (least squares over the filled cells) splits the spread of the cells into the part
the prior explains alone, the part the operator explains alone, and the interaction — what neither explains
alone. Sources: ``grid_pde.json`` (forward solves), ``darcy_replicated.json`` (or ``darcy_inverse.json``: the
coefficient through the solve), ``darcy_coupled.json`` (the same coefficient with the equation as a penalty),
``held_out_images.json`` (the image presets on held-out images).
"""

from __future__ import annotations

import json

import numpy as np

from held_out_images import STUDY
from held_out_tables import current_runs, per_image
from replicated_lessons import replicated
from results_file import RESULTS

PRIORS = ("raw_grid", "multiscale_grid", "deep_decoder", "dip", "mlp")
LABELS = {"raw_grid": "raw grid (no architecture)", "multiscale_grid": "multiscale grid (linear)",
          "deep_decoder": "Deep Decoder", "dip": "DIP", "mlp": "MLP (discrete PINN)"}


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def forward_columns() -> dict:
    """``{column: {prior: (log ratio, evidence)}}`` for the forward solves of ``grid_pde.json`` (best configuration
    of each prior, L-BFGS, the residual loss)."""
    data, out = _load("grid_pde"), {}
    if not data:
        return out
    for problem in ("poisson2d_grid", "darcy_grid"):
        runs = [r for r in data["runs"] if r["problem"] == problem and r["optimiser"] == "lbfgs"
                and r["loss"] == "residual" and not r["problem_params"]]
        best = {}
        for r in runs:
            best[r["prior_name"]] = min(best.get(r["prior_name"], np.inf), r["rel_l2"])
        if "raw_grid" in best:
            out[f"{problem}: A u = f, residual loss"] = {
                p: (float(np.log10(v / best["raw_grid"])), "1 run") for p, v in best.items()}
    return out


def inverse_columns() -> dict:
    """The coefficient of darcy_inverse through the solve (replicated when the study has enough instances) and,
    for the priors it ran, through the equation as a penalty (``darcy_coupled.json``, best setting)."""
    out = {}
    values = replicated()
    single = _load("darcy_inverse")
    solve = "darcy_inverse: a through the solve, discrepancy stop"
    if values:
        out[solve] = {p: (float(np.mean([np.log10(v[f"{p}/discrepancy"][0] / v["raw_grid/discrepancy"][0]) for v in values])),
                          f"{len(values)} instances") for p in PRIORS[:4]}
    elif single:
        by = {r["prior"]: r["discrepancy"]["rel_l2"] for r in single["rows"]}
        out[solve] = {p: (float(np.log10(v / by["raw_grid"])), "1 instance") for p, v in by.items()}
    coupled = _load("darcy_coupled")
    if coupled and single:
        raw = next(r["discrepancy"]["rel_l2"] for r in single["rows"] if r["prior"] == "raw_grid")
        best = {}
        for r in coupled["rows"]:
            best[r["prior"]] = min(best.get(r["prior"], np.inf), r["end"]["rel_l2"])
        out["darcy_inverse: a and u generated, the equation as a penalty"] = {
            p: (float(np.log10(v / raw)), "1 instance, best of its settings") for p, v in best.items()}
    return out


def image_columns() -> dict:
    """The image presets on held-out images: −(prior − strongest oracle baseline)/20 in log10 RMSE."""
    data, out = _load("held_out_images"), {}
    if not data:
        return out
    for preset in STUDY:
        images = per_image(current_runs(data, preset)[0], preset)
        if not images:
            continue
        prior, task = preset.split("_", 1) if preset.startswith("dip_") else ("deep_decoder", preset[len("deep_decoder_"):])
        gain = np.mean([v["prior"] - v["best"] for v in images.values()])
        runs = sum(v["seeds"] for v in images.values())
        out.setdefault(f"image {task.replace('_', ' ')} (vs best classical)", {})[prior] = (float(-gain / 20), f"{runs} runs")
    return out


def additive_shares(columns: dict) -> dict | None:
    """Least-squares fit of ``μ + prior_i + column_j`` to the filled cells; the shares of the cells' sum of squares
    about their mean explained by the priors alone, by the columns alone, and left (interaction)."""
    cells = [(p, c, v[0]) for c, col in columns.items() for p, v in col.items()]
    rows, cols = sorted({p for p, _, _ in cells}), sorted({c for _, c, _ in cells})
    if len(cells) < len(rows) + len(cols):
        return None
    y = np.array([v for _, _, v in cells])

    def design(use_rows, use_cols):
        x = [np.ones(len(cells))]
        x += [np.array([p == r for p, _, _ in cells], float) for r in rows[1:]] if use_rows else []
        x += [np.array([c == k for _, c, _ in cells], float) for k in cols[1:]] if use_cols else []
        return np.stack(x, axis=1)

    def rss(x):
        return float(np.sum((y - x @ np.linalg.lstsq(x, y, rcond=None)[0]) ** 2))

    total = rss(design(False, False))
    both, prior_only, col_only = rss(design(True, True)), rss(design(True, False)), rss(design(False, True))
    return {"prior": (total - prior_only) / total, "operator": (total - col_only) / total,
            "additive": (total - both) / total, "interaction": both / total, "cells": len(cells)}


def factorial_table() -> str:
    pde = {**forward_columns(), **inverse_columns()}
    columns = {**pde, **image_columns()}
    if not columns:
        return "_(run `python benchmarks/grid_pde.py` and `python benchmarks/darcy_replicated.py`)_"
    names = list(columns)
    rows = ["| prior | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for prior in PRIORS:
        cells = [f"{columns[c][prior][0]:+.2f} ({columns[c][prior][1]})" if prior in columns[c] else "—" for c in names]
        if any(x != "—" for x in cells):
            rows.append(f"| {LABELS[prior]} | " + " | ".join(cells) + " |")
    shares = additive_shares(pde)
    if shares:
        rows.append(f"\nOn the {shares['cells']} PDE cells (reference: the raw grid), of the spread of the cells about "
                    f"their mean the prior alone explains {100 * shares['prior']:.0f} %, the operator alone "
                    f"{100 * shares['operator']:.0f} %, the two additively {100 * shares['additive']:.0f} %; the other "
                    f"{100 * shares['interaction']:.0f} % is interaction — how much a prior helps depends on the operator "
                    "(the design is unbalanced, so the first two shares overlap).")
    rows.append("\nlog₁₀(error / the column's reference error); negative: better than the reference. Image columns: "
                "the reference is the strongest classical baseline tuned with the truth.")
    return "\n".join(rows)


FACTORIAL_TABLES = {"factorial": factorial_table}
