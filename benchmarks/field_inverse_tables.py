"""Table of ``benchmarks/results/field_inverse_pinns.json`` (``benchmarks/field_inverse_pinns.py``) for docs/lessons.md.

Per noise level, over the noise draws (each draw: the mean over its network seeds): the relative L2 error of the
coefficient a at each stopping point, mean ± the half-width of its 95 % interval; then the paired differences that
carry the verdicts — the end against the discrepancy stop (does running on cost accuracy: a U-curve a user meets?)
and each rule against the oracle.
"""

from __future__ import annotations

import numpy as np

from field_inverse_pinns import INSTANCES, SEEDS, TAUS, fingerprint, instance_key
from intervals import ci_text, paired_verdict
from results_file import from_results

POINTS = ("end", "oracle", *(f"discrepancy {t:g}" for t in TAUS), "es_wmv")
LABELS = {"end": "end of the schedule", "oracle": "oracle (lowest error of a)", "es_wmv": "ES-WMV",
          **{f"discrepancy {t:g}": f"discrepancy, τ = {t:g}" for t in TAUS}}


def draws(data: dict) -> dict:
    """``{noise: [{point: mean error of a over the draw's seeds}, …]}`` over draws whose every seed is today's."""
    out = {}
    for noise, draw in INSTANCES:
        entry = data["instances"].get(instance_key(noise, draw), {})
        rows = [entry.get(f"seed {s}") for s in SEEDS]
        if any(r is None or r.get("fingerprint") != fingerprint(noise, draw, s) for r, s in zip(rows, SEEDS)):
            continue
        out.setdefault(noise, []).append({p: float(np.mean([r[p]["a"] for r in rows])) for p in POINTS})
    return out


@from_results("field_inverse_pinns")
def field_inverse_table(data: dict) -> str:
    groups = draws(data)
    rows = ["| noise σ | draws × seeds | " + " | ".join(LABELS[p] for p in POINTS) + " | end − discrepancy (τ = 1) | verdict |",
            "|---|---|" + "---|" * len(POINTS) + "---|---|"]
    for noise, values in sorted(groups.items()):
        cells = [ci_text([v[p] for v in values], digits=3) for p in POINTS]
        late = [v["end"] - v["discrepancy 1"] for v in values]
        verdict = {"better": "stop needed: the end is worse", "worse": "the end is better than the stop"}.get(
            paired_verdict(late, lower_is_better=False), paired_verdict(late))
        rows.append(f"| {noise:g} | {len(values)} × {len(SEEDS)} | " + " | ".join(cells)
                    + f" | {ci_text(late, signed=True, digits=3)} | {verdict} |")
    planned = {n: sum(1 for i in INSTANCES if i[0] == n) for n in sorted({i[0] for i in INSTANCES})}
    done = ", ".join(f"{len(groups.get(n, []))} of {k} draws at σ = {n:g}" for n, k in planned.items())
    rows.append(f"\nRelative L2 error of the coefficient a on the scoring grid, `poisson_inverse2d`; complete: {done}. "
                "Mean over noise draws ± the half-width of its 95 % Student-t interval (each draw: the mean over its "
                "network seeds).")
    return "\n".join(rows)


FIELD_INVERSE_TABLES = {"field_inverse_pinns": field_inverse_table}
