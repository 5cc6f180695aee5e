"""Tables of ``benchmarks/results/spectra.json`` (``benchmarks/spectra.py``) for docs/lessons.md: each prior's
tangent-kernel spectrum, the fit it predicts, and the measured fit beside the prediction."""

from __future__ import annotations

import json

import numpy as np
from scipy import stats

from results_file import RESULTS, from_results

NAMES = {"raw_grid": "raw grid", "multiscale_grid": "multiscale grid", "deep_decoder": "Deep Decoder",
         "dip": "DIP", "mlp": "MLP on the grid (discrete PINN)"}
TOLERANCES = ("0.01", "0.001", "0.0001")


def measured_lbfgs() -> dict:
    """``{(prior name, parameters, loss): {"to": …, "iterations": budget}}`` of the L-BFGS runs on darcy_grid's
    default draw in ``benchmarks/results/grid_pde.json`` (empty when that file is absent)."""
    path = RESULTS / "grid_pde.json"
    if not path.exists():
        return {}
    runs = json.loads(path.read_text())["runs"]
    return {(r["prior_name"], r["parameters"], r["loss"]): r for r in runs
            if r["problem"] == "darcy_grid" and r["optimiser"] == "lbfgs" and not r["problem_params"]}


def _counts(to: dict, budget: int | None = None) -> str:
    cells = []
    for tol in TOLERANCES:
        got = to.get(tol)
        got = got["iterations"] if isinstance(got, dict) else got
        cells.append(str(got) if got is not None else (f"> {budget}" if budget else "—"))
    return " / ".join(cells)


def _measured(runs: dict, row: dict, loss: str) -> str:
    run = runs.get((row["prior"], row["parameters"], loss))
    return _counts(run["to"], run["iterations"]) if run else "not run"


@from_results("spectra")
def spectra_forward_table(data: dict) -> str:
    forward = data.get("forward") or {}
    if not forward.get("rows"):
        return "_(run `python benchmarks/spectra.py` to fill this table)_"
    runs = measured_lbfgs()
    rows = ["| prior | weights | loss | κ of the Gram | eigenvalues ≥ 10⁻² λ₁ | √κ | CG preconditioned by C: "
            "iterations to 10⁻² / 10⁻³ / 10⁻⁴ (— : not within 5,000) | L-BFGS measured |", "|---|---|---|---|---|---|---|---|"]
    for row in forward["rows"]:
        for loss, gram in (("residual", "A C Aᵀ"), ("energy", "Lᵀ C L")):
            spec = row[loss]
            kappa, root = ((f"{spec['condition']:.2e}", f"{np.sqrt(spec['condition']):,.0f}") if np.isfinite(spec["condition"])
                           else ("∞ (singular: fields outside the prior's tangent space)", "∞"))
            rows.append(f"| {NAMES[row['prior']]} | {row['parameters']:,} | {loss} ({gram}) | {kappa} | "
                        f"{spec['decay']['0.01']:,} | {root} | "
                        f"{_counts(row['krylov'][loss])} | {_measured(runs, row, loss)} |")
    rows.append("\n" + ordering_test(forward["rows"], runs))
    rows.append(f"\n`darcy_grid` ({forward['problem']}, 64 × 64), kernels at initialisation (seed 0). The measured "
                "column is `benchmarks/grid_pde.py`'s L-BFGS run of the same prior and weight count (\"not run\": "
                "no run of that configuration there). Relative L2 error of u against the direct solve. "
                f"{forward['machine']}, {forward['date']}.")
    return "\n".join(rows)


def _reach(to: dict, tol: str = "0.01") -> float:
    """Iterations to ``tol`` (inf when not reached)."""
    got = to.get(tol)
    got = got["iterations"] if isinstance(got, dict) else got
    return float(got) if got is not None else np.inf


def ordering_test(rows: list[dict], runs: dict) -> str:
    """Which prediction orders the priors as the measured L-BFGS runs do (iterations to 10⁻², per loss): over every
    pair of measured priors whose measured order is known (not both unreached), count the pairs √κ and the
    preconditioned CG each put in the same order."""
    agree = {"√κ": 0, "CG": 0}
    pairs = 0
    for loss in ("residual", "energy"):
        measured = [(row, _reach(runs[(row["prior"], row["parameters"], loss)]["to"])) for row in rows
                    if (row["prior"], row["parameters"], loss) in runs]
        for i, (a, ma) in enumerate(measured):
            for b, mb in measured[i + 1:]:
                if ma == mb:
                    continue
                pairs += 1
                kappa = (a[loss]["condition"], b[loss]["condition"])
                cg = (_reach(a["krylov"][loss]), _reach(b["krylov"][loss]))
                agree["√κ"] += (kappa[0] < kappa[1]) == (ma < mb) and kappa[0] != kappa[1]
                agree["CG"] += (cg[0] < cg[1]) == (ma < mb) and cg[0] != cg[1]
    return (f"Ordering test over {pairs} pairs of measured priors (same loss, iterations to 10⁻²): √κ puts "
            f"{agree['√κ']} in the measured order, the C-preconditioned CG {agree['CG']}.")


def _mean(rows: list[dict], get) -> float:
    values = [get(r) for r in rows]
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else float("nan")


def inverse_by_prior(data: dict) -> dict:
    """``{prior: [row per instance]}`` of the inverse entries."""
    out = {}
    for entry in (data.get("inverse") or {}).values():
        for row in entry["rows"]:
            out.setdefault(row["prior"], []).append(row)
    return out


@from_results("spectra")
def spectra_inverse_table(data: dict) -> str:
    by_prior = inverse_by_prior(data)
    if not by_prior:
        return "_(run `python benchmarks/spectra.py` to fill this table)_"
    rows = ["| prior | weights | instances | Gram eigenvalues ≥ 10⁻² λ₁ | signal / noise in the top 64 directions | "
            "directions fitted at the stop | signal / noise fitted at the stop | rel. L2 of a predicted at the stop "
            "(best, end) | measured at the stop | kernel moved by the stop |", "|---|---|---|---|---|---|---|---|---|---|"]
    for prior, group in by_prior.items():
        rows.append(
            f"| {NAMES[prior]} | {group[0]['parameters']:,} | {len(group)} | {_mean(group, lambda r: r['gram']['decay']['0.01']):.0f} | "
            f"{_mean(group, lambda r: r['signal_share']['64']):.3f} / {_mean(group, lambda r: r['noise_share']['64']):.3f} | "
            f"{_mean(group, lambda r: r['fitted_directions']):.0f} | "
            f"{_mean(group, lambda r: r['signal_fitted']):.4f} / {_mean(group, lambda r: r['noise_fitted']):.3f} | "
            f"{_mean(group, lambda r: r['predicted']['discrepancy']):.3f} ({_mean(group, lambda r: r['predicted']['oracle']):.3f}, "
            f"{_mean(group, lambda r: r['predicted']['end']):.3f}) | {_mean(group, lambda r: r['measured']['rel_l2']):.3f} | "
            f"{_mean(group, lambda r: r['kernel_moved']['gram']):.2f} |")
    rows.append("\n" + prediction_test(by_prior) + " Means over instances (the first instances of the replicated "
                "study); signal: the clean data minus the initial prediction, noise: the data's noise; kernel moved: "
                "relative Frobenius change of the data Gram from initialisation to the measured stop. "
                f"{_machines(data)}.")
    return "\n".join(rows)


def prediction_test(by_prior: dict) -> str:
    """Does the initial kernel's prediction rank the priors as the measured stops do? Spearman's ρ over every
    (instance, prior) pair, and per instance, whether the predicted best prior is the measured best."""
    pairs = [(r["predicted"]["discrepancy"], r["measured"]["rel_l2"]) for g in by_prior.values() for r in g
             if r["predicted"]["discrepancy"] is not None]
    if len(pairs) < 3:
        return "Too few runs to test the prediction."
    rho = stats.spearmanr(*zip(*pairs)).statistic
    noise = [(r["noise_fitted"], r["measured"]["rel_l2"]) for g in by_prior.values() for r in g
             if r["noise_fitted"] is not None]
    rho_noise = stats.spearmanr(*zip(*noise)).statistic
    instances = list(zip(*by_prior.values()))
    same = sum(min(i, key=lambda r: r["predicted"]["discrepancy"] or np.inf)["prior"]
               == min(i, key=lambda r: r["measured"]["rel_l2"])["prior"] for i in instances)
    fewest = sum(min(i, key=lambda r: r["noise_fitted"] if r["noise_fitted"] is not None else np.inf)["prior"]
                 == min(i, key=lambda r: r["measured"]["rel_l2"])["prior"] for i in instances)
    return (f"Over {len(pairs)} (instance, prior) pairs, Spearman ρ of the measured error at the stop against the "
            f"predicted error: {rho:.2f}; against the share of the noise the linearised flow has fitted by the stop: "
            f"{rho_noise:.2f}. The predicted best prior is the measured best in {same} of {len(instances)} instances; "
            f"the prior that fits the least noise is the measured best in {fewest}.")


def _machines(data: dict) -> str:
    return ", ".join(sorted({e["machine"] for e in (data.get("inverse") or {}).values()})) or "no machine"


SPECTRA_TABLES = {"spectra_forward": spectra_forward_table, "spectra_inverse": spectra_inverse_table}
