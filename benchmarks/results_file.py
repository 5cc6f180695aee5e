"""Where a benchmark's measurements go: ``benchmarks/results/NAME.json``, stamped with the machine and the date."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pinnzoo.export import machine

RESULTS = Path(__file__).resolve().parent / "results"


def write_results(name: str, payload: dict) -> Path:
    """Write ``payload`` (plus ``machine`` and ``date``) to ``benchmarks/results/NAME.json``; returns the path."""
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "date": time.strftime("%Y-%m-%d"), **payload}, indent=1) + "\n")
    print(f"wrote {path}")
    return path
