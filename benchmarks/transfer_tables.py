"""The tables of ``docs/transfer.md``: warm start vs cold start, from ``benchmarks/results/transfer.json``.

The verdicts are computed here by the issue's rules: the median speed-up (time for a
cold start to reach its final error over the warm start's time to reach it; 0 when
the warm start never does) over the instances of the PDE families is at least 3×,
and no family's median final error is worse warm than cold.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from results_file import recipe_note  # benchmarks/, the script's own folder

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "transfer.json"
TARGET_SPEEDUP = 3.0
PDE_FAMILIES = ("burgers", "helmholtz", "darcy_multiscale", "darcy_mlp")


def _load():
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else None


def _value(v: float, lower: bool) -> str:
    return f"{v:.2e}" if lower else f"{v:.2f} dB"


def _speedup(v: float) -> str:
    return f"{v:.1f}×" if v else "never"


def transfer_table() -> str:
    b = _load()
    if b is None:
        return "_(run `python benchmarks/transfer.py` to fill this table)_"
    rows = ["| family | instance | warm from | seeds | cold: final, time | warm: final, time "
            "| at equal time (the shorter run's end): cold / warm "
            "| time to cold's final: cold / warm (median) | speed-up (median) | reached |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for r in b["rows"]:
        lower = r["lower_is_better"]
        times = [(x["cold_time_to_cold_final"], x["warm_time_to_cold_final"]) for x in r["runs"]]
        cold_t = float(np.median([c for c, _ in times]))
        warm_t = [w for _, w in times if w is not None]
        warm_text = f"{np.median(warm_t):.0f} s" if warm_t else "never"
        rows.append(f"| {r['family']} | {r['label']} | {r['source']} | {r['seeds']} | "
                    f"{_value(r['median_cold_final'], lower)}, {r['median_cold_time']:.0f} s | "
                    f"{_value(r['median_warm_final'], lower)}, {r['median_warm_time']:.0f} s | "
                    f"{_equal_time(r['runs'], lower)} | {cold_t:.0f} s / {warm_text} | "
                    f"{_speedup(r['median_speedup'])} | {r['reached']}/{r['seeds']} |")
    def host(r, x):  # runs record their machine and date; older results, the row or the file
        return x.get("machine", r.get("machine", b["machine"])), x.get("date", r.get("date", b["date"]))

    hosts_of: dict[str, set] = {}
    for r in b["rows"]:
        hosts_of.setdefault(r["family"], set()).update(host(r, x) for x in r["runs"])
    where = {}  # (machine, date) -> the families (rows, runs) measured there, named as finely as needed
    for r in b["rows"]:
        one_host = len({host(r, x) for x in r["runs"]}) == 1
        for x in r["runs"]:
            name = r["family"] if len(hosts_of[r["family"]]) == 1 else f"{r['family']} {r['label']}"
            seeds = where.setdefault(host(r, x), {}).setdefault(name, [])
            if not one_host:  # the row's seeds ran on several hosts: name them
                seeds.append(str(x["seed"]))

    def named(name, seeds):
        return name if not seeds else f"{name} seed{'s' if len(seeds) > 1 else ''} {', '.join(seeds)}"

    hosts = "; ".join(f"{', '.join(named(n, s) for n, s in families.items())}: {m}, {d}"
                      for (m, d), families in sorted(where.items()))
    rows.append(f"\nErrors: relative L2 against the reference (PINNs: the scoring grid; Darcy: the discrete solution); "
                f"dip: PSNR of the restored image. Medians over seeds. Measured on {hosts}.")
    return "\n".join(rows) + recipe_note("transfer", b)


def _equal_time(runs: list, lower: bool) -> str:
    """Cold and warm errors at the end of the shorter of the two runs (medians over seeds)."""
    from transfer import value_at  # benchmarks/, beside this file

    pairs = []
    for x in runs:
        t = min(x["cold_time"], x["warm_time"])
        pairs.append((value_at(x["cold_curve"], t), value_at(x["warm_curve"], t)))
    cold, warm = (float(np.median(v)) for v in zip(*pairs))
    return f"{_value(cold, lower)} / {_value(warm, lower)}"


def verdict_table() -> str:
    b = _load()
    if b is None:
        return "_(run `python benchmarks/transfer.py` to fill this table)_"
    rows = ["| family | instances | median speed-up | warm final not worse than cold (instances) | verdict |",
            "|---|---|---|---|---|"]
    by_family: dict[str, list] = {}
    for r in b["rows"]:
        by_family.setdefault(r["family"], []).append(r)
    pde, variants = {}, {}
    for family, rs in by_family.items():
        speedups = [r["median_speedup"] for r in rs]
        not_worse = sum(1 for r in rs if r["warm_not_worse"])
        if family in PDE_FAMILIES:
            pde[family] = speedups
        elif _variant_of(family):
            variants[family] = speedups
        good = np.median(speedups) >= TARGET_SPEEDUP and not_worse == len(rs)
        verdict = "gains" if good else "does not meet the target"
        if family not in PDE_FAMILIES:
            verdict += " (not counted below)"
        rows.append(f"| {family} | {len(rs)} | {_speedup(float(np.median(speedups)))} | {not_worse}/{len(rs)} | "
                    f"{verdict} |")
    missing = [f for f in (*PDE_FAMILIES, "dip") if f not in by_family]
    if missing:
        rows.append(f"\nNot measured yet: {', '.join(missing)} (`python benchmarks/transfer.py {' '.join(missing)}`); "
                    "the target below is over the families measured.")
    partial = _partly_measured(by_family)
    if partial:
        rows.append(f"\nPartly measured: {'; '.join(partial)}.")
    if pde:
        rows.append(_pde_median(pde))
    for family, speedups in variants.items():
        rows.append(f"\n{family} re-runs instances of {_variant_of(family)} with another warm start (the last layer "
                    f"re-solved first) and is not counted above: median speed-up {_speedup(float(np.median(speedups)))} "
                    f"over its {len(speedups)} instances.")
    return "\n".join(rows)


def _pde_median(pde: dict[str, list]) -> str:
    """The target over the PDE families' instances, and the same median leaving out one family at a time."""
    every = [s for speedups in pde.values() for s in speedups]
    median = float(np.median(every))
    text = (f"\nOver the PDE families' {len(every)} instances: median speed-up {_speedup(median)} "
            f"(target ≥ {TARGET_SPEEDUP:g}×: {'met' if median >= TARGET_SPEEDUP else 'NOT met'}).")
    if len(pde) > 1:
        rest = []
        for family in pde:
            others = [s for f, speedups in pde.items() if f != family for s in speedups]
            rest.append(f"without {family}, {_speedup(float(np.median(others)))} over {len(others)}")
        text += f" Leaving out one family at a time: {'; '.join(rest)}."
    return text


def _variant_of(family: str) -> str | None:
    from transfer import FAMILIES  # benchmarks/, beside this file

    return FAMILIES[family].variant_of if family in FAMILIES else None


def seed_span(rows: list) -> str:
    """How many seeds the instances of a transfer family were run with: ``3``, or ``1–3`` when they differ."""
    fewest, most = min(r["seeds"] for r in rows), max(r["seeds"] for r in rows)
    return f"{fewest}" if fewest == most else f"{fewest}–{most}"


def _partly_measured(by_family: dict) -> list[str]:
    """Families with fewer instances or seeds than the benchmark's full run (``--limit``/``--seeds`` runs)."""
    from transfer import FAMILIES, SEEDS  # benchmarks/, beside this file

    out = []
    for family, rs in by_family.items():
        full = len(FAMILIES[family].instances())
        if len(rs) < full or min(r["seeds"] for r in rs) < SEEDS:
            out.append(f"{family}, {len(rs)} of {full} instances with {seed_span(rs)} of {SEEDS} seeds "
                       f"(`python benchmarks/transfer.py {family}` runs them all)")
    return out


def dip_table() -> str:
    """DIP warm starts from the camera model: does the camera show through in the restored images?"""
    b = _load()
    rows = [r for r in (b or {}).get("rows", []) if r["family"] == "dip"]
    if not rows:
        return "_(run `python benchmarks/transfer.py dip` to fill this table)_"
    out = ["| image | seeds | cold PSNR | warm PSNR | warm vs cold (PSNR between them) | corr(warm − cold, camera) "
           "| cold / warm (columns 1–2), difference ×2 (column 3) |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        runs = r["runs"]
        between = float(np.median([x["psnr_warm_vs_cold"] for x in runs]))
        corr = max((x["corr_difference_camera"] for x in runs), key=abs)
        figure = next((x["figure"] for x in runs if "figure" in x), None)
        link = f"[{Path(figure).name}]({Path(figure).relative_to('docs').as_posix()})" if figure else "—"
        out.append(f"| {r['instance']['image']} | {r['seeds']} | {r['median_cold_final']:.2f} dB | "
                   f"{r['median_warm_final']:.2f} dB | {between:.1f} dB | {corr:+.3f} | {link} |")
    out.append("\nPSNR against the clean image, medians over seeds; the correlation is the largest in magnitude over the "
               "seeds, between the warm result's difference from the cold one and the camera image the warm start "
               "came from (0: no trace of the camera in the difference).")
    return "\n".join(out)


def linear_bound_table() -> str:
    """Darcy: the speed-up a better start alone can buy when the error falls at a fixed linear rate.

    If the error falls by the same factor per iteration from either start, reaching e_final from e_0 takes
    ln(e_0 / e_final) / rate iterations, so the start's speed-up is ln(e_cold / e_final) / ln(e_warm / e_final),
    with both starts read at their first logged point.
    """
    b = _load()
    rows = [r for r in (b or {}).get("rows", []) if r["family"].startswith("darcy")]
    if not rows:
        return "_(run `python benchmarks/transfer.py darcy_multiscale` to fill this table)_"
    out = ["| family | instance | cold: first logged error | warm: first logged error | cold's final error "
           "| bound: ln(cold first / final) / ln(warm first / final) | measured speed-up (median) "
           "| quasi-Newton iterations, cold / warm |", "|---|---|---|---|---|---|---|---|"]
    first_cold, first_warm, final, bounds = [], [], [], []
    for r in rows:
        run = r["runs"][0]  # the seeds of a draw are identical here
        first_cold.append(run["cold_curve"][0][1])
        first_warm.append(run["warm_curve"][0][1])
        final.append(run["cold_final"])
        bounds.append(np.log(first_cold[-1] / final[-1]) / np.log(first_warm[-1] / final[-1]))
        out.append(f"| {r['family']} | {r['label']} | {first_cold[-1]:.3f} | {first_warm[-1]:.3f} | {final[-1]:.2e} | "
                   f"{bounds[-1]:.2f}× | {_speedup(r['median_speedup'])} | "
                   f"{run['cold']['lbfgs_iterations']} / {run['warm']['lbfgs_iterations']} |")
    first_cold, first_warm, final = np.array(first_cold), np.array(first_warm), np.array(final)
    closer, decades = first_cold / first_warm, np.log10(first_cold / final)
    need = final * (first_cold / final) ** (1 / TARGET_SPEEDUP)
    iterations = [r["runs"][0]["warm"]["lbfgs_iterations"] / r["runs"][0]["cold"]["lbfgs_iterations"] - 1 for r in rows]
    out.append(f"\nSeed 0 of each draw (the seeds are identical here). The warm start begins "
               f"{min(closer):.1f}–{max(closer):.1f}× closer than the cold one, which then covers "
               f"{min(decades):.1f}–{max(decades):.1f} decades of error; bound {min(bounds):.2f}–{max(bounds):.2f}×; the "
               f"warm run's iterations differ from the cold run's by {100 * min(iterations):+.0f} % to "
               f"{100 * max(iterations):+.0f} %. For {TARGET_SPEEDUP:g}× the warm start would have to begin at a "
               f"relative error of {min(need):.0e}–{max(need):.0e}, i.e. on the new draw's solution already.")
    return "\n".join(out)


def _per_nu_errors(b) -> dict:
    """Per-ν solvers' errors: the cold starts of the transfer benchmark (median), the shipped ``burgers`` at 0.01/π."""
    out = {}
    for r in (b or {}).get("rows", []):
        if r["family"] == "burgers":
            out[round(r["instance"]["nu"] * np.pi / 0.01, 4)] = (r["median_cold_final"], f"cold start, {r['seeds']} seeds")
    shipped = ROOT / "saved_models" / "burgers" / "pinnzoo.json"
    if shipped.exists():
        out[1.0] = (json.loads(shipped.read_text())["metrics"]["rel_l2"], "shipped `burgers`")
    return out


def parametric_table() -> str:
    """The parametric Burgers solver (one network, ν an input) against per-ν solvers at each scoring viscosity."""
    path = ROOT / "saved_models" / "burgers_parametric" / "pinnzoo.json"
    if not path.exists():
        return "_(train it: `pinnzoo train burgers_parametric --out saved_models/burgers_parametric`)_"
    meta = json.loads(path.read_text())
    m, per_nu = meta["metrics"], _per_nu_errors(_load())
    rows = ["| ν / (0.01/π) | parametric solver | per-ν solver | ratio | within 2× |", "|---|---|---|---|---|"]
    ratios = []
    for i, nu in enumerate(m["nu_values"]):
        mine = m[f"rel_l2_nu{i}"]
        scale = round(nu * np.pi / 0.01, 4)
        if scale in per_nu:
            ref, what = per_nu[scale]
            ratios.append(mine / ref)
            rows.append(f"| {scale:g} | {mine:.2e} | {ref:.2e} ({what}) | {mine / ref:.2f} | "
                        f"{'yes' if mine <= 2 * ref else 'no'} |")
        else:
            rows.append(f"| {scale:g} | {mine:.2e} | _(run `python benchmarks/transfer.py burgers`)_ | | |")
    t = meta["training"]
    cold = [r["median_cold_time"] for r in (_load() or {}).get("rows", []) if r["family"] == "burgers"]
    each = f", {min(cold):.0f}–{max(cold):.0f} s each in the transfer benchmark" if cold else ""
    rows.append(f"\nOne network for the whole range, {t['time_s']:.0f} s of training ({t['adam_steps']} Adam steps + "
                f"{t['lbfgs_iterations']} quasi-Newton iterations, {t['machine']}); the per-ν solvers train one network "
                f"per viscosity (the `burgers` recipe{each})."
                + (f" Worst ratio {max(ratios):.2f} (target ≤ 2: {'met' if max(ratios) <= 2 else 'NOT met'})."
                   if ratios else ""))
    return "\n".join(rows)


TRANSFER_TABLES = {"transfer": transfer_table, "transfer_verdict": verdict_table, "transfer_dip": dip_table,
                   "transfer_linear_bound": linear_bound_table, "parametric": parametric_table}
