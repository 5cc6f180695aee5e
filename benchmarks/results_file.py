"""Where a benchmark's measurements go: ``benchmarks/results/NAME.json``, stamped with the machine and the date."""

from __future__ import annotations

import functools
import json
import time
from pathlib import Path

from pinnzoo.export import machine

RESULTS = Path(__file__).resolve().parent / "results"


def progress(items, what: str = "run"):
    """Iterate over ``items`` with a progress bar (one step per item, with the elapsed time and an estimate
    of the time left): a benchmark's runs take minutes each."""
    from keras.utils import Progbar

    items = list(items)
    bar = Progbar(len(items), unit_name=what)
    bar.update(0)
    for k, item in enumerate(items):
        yield item
        bar.update(k + 1)
    print(flush=True)


def write_results(name: str, payload: dict) -> Path:
    """Write ``payload`` (plus ``machine`` and ``date``) to ``benchmarks/results/NAME.json``; returns the path."""
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), "date": time.strftime("%Y-%m-%d"), **payload}, indent=1) + "\n")
    print(f"wrote {path}")
    return path


def from_results(name: str):
    """A table built from ``benchmarks/results/<name>.json``, or a note to run ``benchmarks/<name>.py`` first."""
    def wrap(fn):
        @functools.wraps(fn)
        def table() -> str:
            path = RESULTS / f"{name}.json"
            if not path.exists():
                return f"_(run `python benchmarks/{name}.py` to fill this table)_"
            return fn(json.loads(path.read_text()))
        return table
    return wrap


def export_text(directory: Path, lead: str = "an export of") -> str:
    """A warm start's source in a results file: the export's preset, seed and the checksum of its prior weights."""
    meta = json.loads((Path(directory) / "pinnzoo.json").read_text())
    return (f"{lead} {meta['preset']}, seed {meta.get('training', {}).get('seed')} "
            f"(weights sha256 {meta['prior_weights']['sha256'][:12]})")
