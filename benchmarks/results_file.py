"""Where a benchmark's measurements go: ``benchmarks/results/NAME.json``, stamped with the machine and the date."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import functools
import json
import os
import time
from pathlib import Path

from pinnzoo.export import machine
from pinnzoo.family import get_preset
from pinnzoo.recipe import run_recipe

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


def record_latest(name: str, row: dict) -> Path:
    """Keep ``row`` in ``benchmarks/results/NAME.json`` as the latest run of ``row["preset"]`` on this machine (runs on
    other machines stay): a results file that does not grow run by run."""
    path = RESULTS / f"{name}.json"
    data = json.loads(path.read_text()) if path.exists() else {"runs": {}}
    data["runs"].setdefault(row["preset"], {})[machine()] = row
    data["runs"] = dict(sorted(data["runs"].items()))
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


@contextlib.contextmanager
def locked_results(name: str, empty: dict):
    """``benchmarks/results/NAME.json`` (``empty`` if absent) read under an exclusive lock, and written back
    atomically on leaving: the results file of a study that several processes run in parts."""
    path = RESULTS / f"{name}.json"
    with open(path.with_suffix(".lock"), "w") as lock:  # *.lock is ignored by git
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = json.loads(path.read_text()) if path.exists() else empty
        yield data
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=1) + "\n")
        os.replace(tmp, path)


def run_study_parts(name: str, key: str, problem, parts: dict) -> bool:
    """Run the parts of one instance of a resumable study whose recorded fingerprint is not today's: ``parts`` maps
    a part's name to ``(fingerprint, run)``, ``run()`` returning its row. Each row, stamped with its time,
    fingerprint, machine and date, goes into ``benchmarks/results/NAME.json`` under ``instances[key][part]`` as
    soon as it is done (under the file lock). True if any part ran."""
    path = RESULTS / f"{name}.json"
    entry = json.loads(path.read_text())["instances"].get(key, {}) if path.exists() else {}
    missing = [p for p, (stamp, _) in parts.items() if entry.get(p, {}).get("fingerprint") != stamp]
    for part in missing:
        print(f"{key} | {part}", flush=True)
        stamp, run = parts[part]
        start = time.perf_counter()
        row = run()
        row.update(time_s=round(time.perf_counter() - start, 1), fingerprint=stamp, machine=machine(),
                   date=time.strftime("%Y-%m-%d"))
        with locked_results(name, {"instances": {}}) as data:
            data["instances"].setdefault(key, {"problem": problem.params})[part] = row
    return bool(missing)


def run_study(description: str, instances, run_instance, argv=None, extra=None) -> None:
    """The command line of a resumable study: ``--limit N`` (stop after N instances with work done) and ``--shard
    i/n`` (every n-th instance from the i-th: one process per core); ``instances`` is a sequence of argument
    tuples for ``run_instance`` (True when it ran something), or a function of the parsed arguments giving one;
    ``extra(parser)`` adds a study's own options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--limit", type=int, default=None, help="stop after this many instances with work done")
    parser.add_argument("--shard", default="0/1", help="i/n: only every n-th instance from the i-th (0-based)")
    if extra:
        extra(parser)
    args = parser.parse_args(argv)
    try:
        i, n = (int(v) for v in args.shard.split("/"))
        assert 0 <= i < n
    except (ValueError, AssertionError):
        parser.error(f"--shard must be i/n with 0 <= i < n, got {args.shard!r}")
    done = 0
    for instance in list(instances(args) if callable(instances) else instances)[i::n]:
        if args.limit is not None and done >= args.limit:
            return
        done += bool(run_instance(*instance))


#: results files written by benchmarks that train presets: their rows must stamp the recipe they ran
TRAINS_PRESETS = frozenset({
    "seed_robustness", "cpu_probe", "quasi_newton", "quasi_newton_seeds", "least_squares", "least_squares_long",
    "stop_gate", "transfer", "backward_heat", "noisy_pinns", "burgers_time_to_accuracy",
    "burgers_fast_time_to_accuracy", "darcy_inverse", "darcy_coupled", "grid_heat", "grid_pde", "grid_pde_pinn",
    "input_noise", "image_step_time", "image_restoration"})


def recipe_stamp(preset: str, seed: int = 0) -> dict:
    """What a results row records of the preset it ran: its name and the fingerprint of its registered recipe at
    ``seed`` (:mod:`pinnzoo.recipe`) — for a benchmark that varies the preset, the recipe it varied."""
    return {"preset": preset, "recipe_seed": seed,
            "recipe_fingerprint": run_recipe(get_preset(preset), seed=seed, quick=False)["fingerprint"]}


def _stamps(data):
    if isinstance(data, dict):
        if "recipe_fingerprint" in data and "preset" in data:
            yield data
        for value in data.values():
            yield from _stamps(value)
    elif isinstance(data, list):
        for value in data:
            yield from _stamps(value)


def recipe_note(name: str, data: dict) -> str:
    """A visible mark under a table whose rows ran another recipe than today's presets have, or that was
    recorded before rows stamped their recipe; ``""`` if every row is today's."""
    stamps = list(_stamps(data))
    if not stamps:
        return ("\n\n_Recorded before its runs stamped their recipe (`benchmarks/results/"
                f"{name}.json`): not checked against today's presets._") if name in TRAINS_PRESETS else ""
    stale = sorted({f"`{s['preset']}` (seed {s.get('recipe_seed', 0)})" for s in stamps
                    if run_recipe(get_preset(s["preset"]), seed=s.get("recipe_seed", 0), quick=False)["fingerprint"]
                    != s["recipe_fingerprint"]})
    return f"\n\n**Stale rows**: ran an older recipe than today's of {', '.join(stale)}." if stale else ""


def from_results(name: str):
    """A table built from ``benchmarks/results/<name>.json``, or a note to run ``benchmarks/<name>.py`` first;
    marked (:func:`recipe_note`) where its rows ran a recipe that is not today's."""
    def wrap(fn):
        @functools.wraps(fn)
        def table() -> str:
            path = RESULTS / f"{name}.json"
            if not path.exists():
                return f"_(run `python benchmarks/{name}.py` to fill this table)_"
            data = json.loads(path.read_text())
            return fn(data) + recipe_note(name, data)
        return table
    return wrap


def export_text(directory: Path, lead: str = "an export of") -> str:
    """A warm start's source in a results file: the export's preset, seed and the checksum of its prior weights."""
    meta = json.loads((Path(directory) / "pinnzoo.json").read_text())
    return (f"{lead} {meta['preset']}, seed {meta.get('training', {}).get('seed')} "
            f"(weights sha256 {meta['prior_weights']['sha256'][:12]})")
