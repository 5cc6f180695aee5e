"""Tables of ``benchmarks/results/darcy_replicated.json`` (``benchmarks/darcy_replicated.py``) for docs/lessons.md.

Only complete instances count (every part present and today's by its fingerprint). A method's value on an
instance is its relative L2 error of ``a``; a generator's is the mean over its network seeds. Means carry the
half-width of their 95 % Student-t interval over instances; a comparison is the *paired* per-instance difference
(candidate − reference; negative: the candidate is closer to the truth) with its interval, and its verdict is
"better" or "worse" only when that interval excludes zero.
"""

from __future__ import annotations

import numpy as np

from darcy_replicated import GENERATORS, INSTANCES, NET_SEEDS, PENALTIES, fingerprint, instance_key, parts
from intervals import ci_text, paired_verdict
from results_file import from_results
from pinnzoo.families.grid_inverse.preset import discrepancy_pick
from pinnzoo.family import get_preset
from pinnzoo.grids.darcy_inverse import DarcyInverse

NAMES = {"h1": "H¹ least squares", "tv": "TV least squares", "raw_grid": "raw grid, no penalty",
         "multiscale_grid": "multiscale grid (the preset's prior, linear)", "deep_decoder": "Deep Decoder",
         "dip": "DIP"}
STOPS = ("discrepancy", "oracle", "end")


def instance_rows(data: dict) -> tuple[dict, int]:
    """``{noise: [{method/rule: (rel_l2, wrong_phase)}, …]}`` over the complete instances; and the count of
    instances with some part done but not all (or stale)."""
    tau = get_preset("darcy_inverse").discrepancy
    out, partial = {}, 0
    for noise, seed, noise_seed in INSTANCES:
        entry = data["instances"].get(instance_key(noise, seed, noise_seed))
        if not entry:
            continue
        problem = DarcyInverse(seed=seed, noise=noise, noise_seed=noise_seed)
        if any(entry.get(p, {}).get("fingerprint") != fingerprint(problem, p) for p in parts()):
            partial += 1
            continue
        out.setdefault(noise, []).append(_values(entry, tau))
    return out, partial


def _score(row: dict) -> tuple[float, float]:
    return row["rel_l2"], row["wrong_phase"]


def _values(entry: dict, tau: float) -> dict:
    values = {"seconds": sum(v.get("time_s", 0.0) for k, v in entry.items() if k != "problem")}
    for p in PENALTIES:
        sweep = entry[f"baseline/{p}"]["sweep"]
        values[f"{p}/oracle"] = _score(min(sweep, key=lambda r: r["rel_l2"]))
        values[f"{p}/discrepancy"] = _score(discrepancy_pick(sweep, tau))
    for name in ("raw_grid", "multiscale_grid"):
        for stop in STOPS:
            values[f"{name}/{stop}"] = _score(entry[f"linear/{name}"][stop])
    for name in GENERATORS:
        for stop in STOPS:
            scores = [_score(entry[f"generator/{name}/{s}"][stop]) for s in NET_SEEDS]
            values[f"{name}/{stop}"] = tuple(float(np.mean(v)) for v in zip(*scores))
    return values


def _methods() -> list[tuple[str, str]]:
    rows = [(p, rule) for p in PENALTIES for rule in ("oracle", "discrepancy")]
    return rows + [(name, stop) for name in ("raw_grid", "multiscale_grid", *GENERATORS) for stop in STOPS]


def _rule(name: str, rule: str) -> str:
    if name in PENALTIES:
        return {"oracle": "weight chosen with the truth", "discrepancy": "weight by the discrepancy principle"}[rule]
    return {"discrepancy": "discrepancy stop", "oracle": "best iteration (truth)", "end": "whole budget"}[rule]


@from_results("darcy_replicated")
def darcy_replicated_table(data: dict) -> str:
    groups, partial = instance_rows(data)
    rows = ["| noise | method | rule | instances | rel. L2 of a | wrong phase (%) |", "|---|---|---|---|---|---|"]
    for noise, values in sorted(groups.items()):
        for name, rule in _methods():
            got = [v[f"{name}/{rule}"] for v in values]
            rows.append(f"| {100 * noise:g} % | {NAMES[name]} | {_rule(name, rule)} | {len(got)} | "
                        f"{ci_text([g[0] for g in got], digits=3)} | {ci_text([100 * g[1] for g in got])} |")
    planned = {n: sum(1 for i in INSTANCES if i[0] == n) for n in sorted({i[0] for i in INSTANCES})}
    done = ", ".join(f"{len(groups.get(n, []))} of {k} at {100 * n:g} %" for n, k in planned.items())
    seconds = [v["seconds"] for values in groups.values() for v in values]
    rows.append(f"\nComplete instances: {done}" + (f" ({partial} more begun)" if partial else "") + ". "
                f"Generators: the mean of network seeds {', '.join(map(str, NET_SEEDS))} per instance. Mean over "
                "instances ± the half-width of its 95 % Student-t interval. CPU time per instance (all its fits, "
                f"one core): median {np.median(seconds) if seconds else float('nan'):.0f} s. "
                f"Machines: {_machines(data)}.")
    return "\n".join(rows)


#: (candidate, reference) pairs: each no-truth method against every baseline, and the generators against the
#: same linear basis with no network
PAIRS = tuple([(c, r) for c in ("multiscale_grid/discrepancy", "deep_decoder/discrepancy", "dip/discrepancy",
                                "raw_grid/discrepancy")
               for r in ("h1/oracle", "tv/oracle", "h1/discrepancy", "tv/discrepancy")]
              + [("deep_decoder/discrepancy", "multiscale_grid/discrepancy"), ("dip/discrepancy", "multiscale_grid/discrepancy"),
                 ("multiscale_grid/discrepancy", "raw_grid/discrepancy")])


def _label(method: str) -> str:
    name, rule = method.split("/")
    return f"{NAMES[name]} ({_rule(name, rule)})"


@from_results("darcy_replicated")
def darcy_replicated_paired_table(data: dict) -> str:
    groups, _ = instance_rows(data)
    rows = ["| noise | candidate | reference | instances | paired difference of rel. L2 | verdict |",
            "|---|---|---|---|---|---|"]
    for noise, values in sorted(groups.items()):
        for cand, ref in PAIRS:
            diff = [v[cand][0] - v[ref][0] for v in values]
            rows.append(f"| {100 * noise:g} % | {_label(cand)} | {_label(ref)} | {len(diff)} | "
                        f"{ci_text(diff, signed=True, digits=3)} | {paired_verdict(diff)} |")
    rows.append("\nCandidate − reference per instance (negative: the candidate is closer to the truth), mean ± the "
                "half-width of its 95 % interval; a verdict other than \"no difference shown\" needs an interval "
                "that excludes zero.")
    return "\n".join(rows)


def _machines(data: dict) -> str:
    names = sorted({v["machine"] for e in data["instances"].values() for k, v in e.items() if k != "problem"})
    return ", ".join(names) or "none yet"


DARCY_REPLICATED_TABLES = {"darcy_replicated": darcy_replicated_table,
                           "darcy_replicated_paired": darcy_replicated_paired_table}
