"""Table of ``benchmarks/results/underparameterised.json`` (``benchmarks/underparameterised.py``) for docs/lessons.md.

Per generator size, over the instances whose part is today's: the relative L2 error of ``a`` at the discrepancy
stop, at the oracle-best log, at the preset's budget and after five times it; and the paired late change (end −
preset's budget) with its 95 % interval: "rises late" when the interval lies above zero, "falls late" below it.
"""

from __future__ import annotations

import numpy as np

from darcy_replicated import INSTANCES, instance_key
from intervals import ci_text, interval
from results_file import from_results
from underparameterised import BUDGET_FACTOR, fingerprint, priors
from pinnzoo.grids.darcy_inverse import DarcyInverse


def part_rows(data: dict) -> dict:
    """``{part: [row per instance]}`` over the instances' current rows."""
    out = {part: [] for part in priors()}
    for noise, seed, noise_seed in INSTANCES:
        entry = data["instances"].get(instance_key(noise, seed, noise_seed))
        if not entry:
            continue
        problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
        for part in out:
            if entry.get(part, {}).get("fingerprint") == fingerprint(problem, part):
                out[part].append(entry[part])
    return out


def late_verdict(changes) -> str:
    mean, half = interval(changes)
    if np.isnan(half):
        return "too few"
    if abs(mean) <= half:
        return "no late change shown"
    return "rises late" if mean > 0 else "falls late"


def _label(part: str, row: dict) -> str:
    name, size = part.split("/")
    if name == "deep_decoder":
        return f"Deep Decoder, {size} channels"
    return f"multiscale grid, fields of {row['field_dimension']:,} dimensions"


@from_results("underparameterised")
def underparameterised_table(data: dict) -> str:
    rows = ["| generator | weights | weights / observations | instances | at the discrepancy stop (reached) | "
            "oracle-best (iteration) | at the preset's budget | at the end | end − budget | verdict |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for part, group in part_rows(data).items():
        if not group:
            continue
        first = group[0]
        reached = sum(r["discrepancy_reached"] for r in group)
        late = [r["end"]["rel_l2"] - r["budget"]["rel_l2"] for r in group]
        rows.append(
            f"| {_label(part, first)} | {first['parameters']:,} | {first['parameters'] / first['observations']:.2f} | "
            f"{len(group)} | {ci_text([r['discrepancy']['rel_l2'] for r in group], digits=3)} ({reached} of {len(group)}) | "
            f"{ci_text([r['oracle']['rel_l2'] for r in group], digits=3)} "
            f"({np.median([r['oracle']['iteration'] for r in group]):.0f}) | "
            f"{ci_text([r['budget']['rel_l2'] for r in group], digits=3)} | {ci_text([r['end']['rel_l2'] for r in group], digits=3)} | "
            f"{ci_text(late, signed=True, digits=3)} | {late_verdict(late)} |")
    machines = sorted({r["machine"] for e in data["instances"].values() for k, r in e.items() if k != "problem"})
    rows_all = [r for g in part_rows(data).values() for r in g]
    budget = (f"iteration {rows_all[0]['budget']['iteration']:,} of up to {max(r['end']['iteration'] for r in rows_all):,}, "
              "fewer where L-BFGS converged" if rows_all else "–")
    rows.append(f"\nRelative L2 error of a on `darcy_inverse` instances (network seed 0), L-BFGS for {BUDGET_FACTOR} × "
                f"the preset's budget with no stop (the preset's budget: {budget}); mean over instances ± the "
                "half-width of its 95 % interval; oracle-best iteration: the median. \"end − budget\" is the paired "
                "change after the preset's budget. Machines: " + (", ".join(machines) or "none") + ".")
    return "\n".join(rows)


UNDERPARAMETERISED_TABLES = {"underparameterised": underparameterised_table}
