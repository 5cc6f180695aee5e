"""The lessons' verdicts on ``darcy_inverse`` from the replicated study (``benchmarks/darcy_replicated.py``).

A verdict here is a statement about a paired 95 % interval over instances (:func:`intervals.paired_verdict`): an
effect "carries over" only when its interval excludes zero; with fewer than :data:`MIN_INSTANCES` complete
instances there is no verdict. Each function returns ``(evidence, baseline, effect, verdict)`` for one row of the
lessons table, or None when the study has too few instances (the table then says so).
"""

from __future__ import annotations

import json

import numpy as np

from darcy_replicated import GENERATORS, NET_SEEDS
from darcy_replicated_tables import instance_rows
from intervals import ci_text, interval, paired_verdict
from results_file import RESULTS

NOISE = 0.01  # the level with the most instances; the others are reported in the study's own tables
MIN_INSTANCES = 3
WITHIN = 0.10  # an automatic stop "works" when its error is within 10 % of the oracle-best's
PRIORS = ("multiscale_grid", *GENERATORS)
NAMES = {"raw_grid": "raw grid", "multiscale_grid": "multiscale grid", "deep_decoder": "Deep Decoder", "dip": "DIP",
         "h1": "H¹ least squares", "tv": "TV least squares"}


def replicated() -> list[dict] | None:
    """The per-instance values at :data:`NOISE` (complete instances only), or None below :data:`MIN_INSTANCES`."""
    path = RESULTS / "darcy_replicated.json"
    if not path.exists():
        return None
    values = instance_rows(json.loads(path.read_text()))[0].get(NOISE, [])
    return values if len(values) >= MIN_INSTANCES else None


def evidence(values: list[dict], seeds: bool = True) -> str:
    text = f"darcy_inverse, {len(values)} instances at {100 * NOISE:g} % noise"
    return text + (f" × {len(NET_SEEDS)} network seeds" if seeds else "")


def _error(values, method):
    return [v[method][0] for v in values]


def _diff(values, cand, ref):
    return [v[cand][0] - v[ref][0] for v in values]


def _strongest(values, rule: str) -> str:
    """The baseline (H¹ or TV) with the lower mean error under ``rule`` (oracle or discrepancy)."""
    return min((f"{p}/{rule}" for p in ("h1", "tv")), key=lambda m: np.mean(_error(values, m)))


def _name(method: str) -> str:
    return NAMES[method.split("/")[0]]


def architecture_inverse(values) -> tuple[str, str, str, str]:
    oracle, blind = _strongest(values, "oracle"), _strongest(values, "discrepancy")
    effects, wins, blind_wins = [], [], []
    for prior in PRIORS:
        cand = f"{prior}/discrepancy"
        d_oracle, d_blind = _diff(values, cand, oracle), _diff(values, cand, blind)
        effects.append(f"{NAMES[prior]} {ci_text(_error(values, cand), digits=3)}: "
                       f"{ci_text(d_oracle, signed=True, digits=3)} vs oracle, {ci_text(d_blind, signed=True, digits=3)} vs no-truth")
        wins += [NAMES[prior]] if paired_verdict(d_oracle) == "better" else []
        blind_wins += [NAMES[prior]] if paired_verdict(d_blind) == "better" else []
    effect = (f"rel. L2 of a at the discrepancy stop, and its paired difference to {_name(oracle)} (weight by the truth) "
              f"and {_name(blind)} (weight by the discrepancy principle): " + "; ".join(effects))
    if wins:
        verdict = f"carries over against the oracle-tuned baseline: {', '.join(wins)}"
    elif blind_wins:
        verdict = (f"carries over only against the no-truth baseline ({', '.join(blind_wins)}); against the "
                   "oracle-tuned one no generator is shown better")
    else:
        verdict = "not shown: no generator's interval excludes zero against either baseline"
    return evidence(values), f"{_name(oracle)} oracle / {_name(blind)} no-truth", effect, verdict


def linear_control(values) -> tuple[str, str, str, str]:
    ref = "multiscale_grid/discrepancy"
    effects, verdicts = [], []
    for prior in GENERATORS:
        d = _diff(values, f"{prior}/discrepancy", ref)
        effects.append(f"{NAMES[prior]} − multiscale grid {ci_text(d, signed=True, digits=3)}")
        verdicts.append(f"{NAMES[prior]}: {paired_verdict(d)}")
    d = _diff(values, ref, "raw_grid/discrepancy")
    effects.append(f"multiscale grid − raw grid (both linear, no penalty) {ci_text(d, signed=True, digits=3)}")
    verdicts.append(f"the hierarchical basis over the raw grid: {paired_verdict(d)}")
    return (evidence(values), "the multiscale grid: the same basis, linear, no network (iterative regularisation)",
            "paired difference of rel. L2 at the discrepancy stop: " + "; ".join(effects), "; ".join(verdicts))


def early_stopping(values) -> tuple[str, str, str, str]:
    effects, needed = [], []
    for prior in ("raw_grid", *PRIORS):
        d = _diff(values, f"{prior}/end", f"{prior}/discrepancy")
        effects.append(f"{NAMES[prior]} {ci_text(d, signed=True, digits=3)}")
        needed += [NAMES[prior]] if paired_verdict(d, lower_is_better=False) == "better" else []
    verdict = (f"carries over: running on costs accuracy for {', '.join(needed)}" if needed
               else "not shown: the end of the budget is not worse than the discrepancy stop for any prior")
    return (evidence(values), "the same fit stopped by the discrepancy principle",
            "end of the budget − discrepancy stop, paired: " + "; ".join(effects), verdict)


def automatic_stopping(values) -> tuple[str, str, str, str]:
    effects, works = [], []
    for prior in ("raw_grid", *PRIORS):
        gaps = [v[f"{prior}/discrepancy"][0] / v[f"{prior}/oracle"][0] - 1 for v in values]
        mean, half = interval(gaps)
        effects.append(f"{NAMES[prior]} {100 * mean:+.1f} ± {100 * half:.1f} %")
        works += [NAMES[prior]] if mean + half <= WITHIN else []
    verdict = (f"works (within 10 % of the oracle, whole interval) for {len(works)} of {len(effects)} priors"
               + (f": {', '.join(works)}" if works else ""))
    return (evidence(values), "the oracle-best iteration (needs the truth)",
            "discrepancy stop over the oracle-best error: " + "; ".join(effects), verdict)


#: lesson -> the function of the replicated values that measures it
REPLICATED = {"architecture_inverse": architecture_inverse, "linear_control": linear_control,
              "early_stopping": early_stopping, "automatic_stopping": automatic_stopping}
