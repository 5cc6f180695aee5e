"""Means with 95 % Student-t intervals, and the verdict a paired interval supports: the statistics of the replicated
studies' tables."""

from __future__ import annotations

import numpy as np
from scipy import stats


def interval(values) -> tuple[float, float]:
    """``(mean, half-width of the 95 % Student-t interval)``; half-width NaN for fewer than two values."""
    v = np.asarray(values, dtype=float)
    if len(v) < 2:
        return float(v.mean()) if len(v) else float("nan"), float("nan")
    return float(v.mean()), float(stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v)))


def ci_text(values, signed: bool = False, digits: int = 2) -> str:
    """``mean ± half-width`` (``–`` for no values, the mean alone for one)."""
    mean, half = interval(values)
    if np.isnan(mean):
        return "–"
    text = f"{mean:+.{digits}f}" if signed else f"{mean:.{digits}f}"
    return text if np.isnan(half) else f"{text} ± {half:.{digits}f}"


def paired_verdict(differences, lower_is_better: bool = True) -> str:
    """What a paired difference (candidate − reference) supports: ``better`` / ``worse`` when its 95 % interval
    excludes zero, ``no difference shown`` when it does not, ``too few`` below two pairs."""
    mean, half = interval(differences)
    if np.isnan(half):
        return "too few"
    if abs(mean) <= half:
        return "no difference shown"
    return "better" if (mean < 0) == lower_is_better else "worse"
