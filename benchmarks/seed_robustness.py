"""Do the recipes hold over seeds? Every named preset trained with its own recipe from several seeds.

    python benchmarks/seed_robustness.py [PRESET ...] [--seeds 0 1 2] [--name seed_robustness]

Each run is ``preset.train(seed=s)`` exported to a temporary folder; its score is the export's metadata
(the numbers ``pinnzoo evaluate`` recomputes) and "met" is the preset family's own target rule
(:meth:`~pinnzoo.family.Preset.headline`, the README's rule). A recipe counts as robust only if
its worst seed meets the target. Runs accumulate in ``benchmarks/results/NAME.json`` (a (preset, seed)
run again replaces its earlier row), so the zoo can be covered over several sittings, a few seeds at a
time; with no PRESET, every PINN preset shipped in ``saved_models/`` is run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from results_file import RESULTS, progress, recipe_stamp, write_results  # benchmarks/, the script's own folder
from pinnzoo import get_preset
from pinnzoo.presets import PRESETS, PINNPreset
from pinnzoo.export import machine

ROOT = Path(__file__).resolve().parents[1]


def shipped_pinn_presets() -> list[str]:
    """The PINN presets with a shipped export, in name order."""
    names = [json.loads(meta.read_text()).get("preset") for meta in sorted((ROOT / "saved_models").glob("*/pinnzoo.json"))]
    return [n for n in names if n in PRESETS and isinstance(PRESETS.get(n), PINNPreset)]


def one_run(name: str, seed: int) -> dict:
    """Train ``name`` from ``seed`` with its full recipe; the exported metadata's scores and the target rule."""
    preset = get_preset(name)
    with tempfile.TemporaryDirectory() as tmp:
        start, cpu_start = time.perf_counter(), time.process_time()
        preset.train(seed=seed, out=Path(tmp) / name, verbose=0)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        meta = json.loads((Path(tmp) / name / "pinnzoo.json").read_text())
    headline = type(preset).headline(meta)
    return {**recipe_stamp(name, seed), "seed": seed, "score": float(meta["metrics"]["rel_l2"]), "metrics": meta["metrics"],
            "result": headline["result"], "target": headline["target"], "met": bool(headline["met"]),
            "time_s": elapsed, "cpu_s": cpu, "machine": machine(), "date": time.strftime("%Y-%m-%d")}


def summarise(runs: list[dict]) -> dict:
    """Per preset: median and worst score, median wall-clock time (and CPU time, where every run recorded it:
    user + system time of all the process's threads), seeds that met the target."""
    out = {}
    for name in dict.fromkeys(r["preset"] for r in runs):
        rows = [r for r in runs if r["preset"] == name]
        out[name] = {"seeds": [r["seed"] for r in rows], "median": statistics.median(r["score"] for r in rows),
                     "worst": max(r["score"] for r in rows), "time_s": statistics.median(r["time_s"] for r in rows),
                     "met": sum(r["met"] for r in rows), "target": rows[0]["target"]}
        if all("cpu_s" in r for r in rows):
            out[name]["cpu_s"] = statistics.median(r["cpu_s"] for r in rows)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("presets", nargs="*", help="preset names (default: every shipped PINN preset)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--name", default="seed_robustness", help="results file name (benchmarks/results/NAME.json)")
    args = ap.parse_args(argv)
    names = args.presets or shipped_pinn_presets()
    for name in names:
        get_preset(name)  # an unknown name fails before any training, with the closest one
    path = RESULTS / f"{args.name}.json"
    todo = [(n, s) for n in names for s in args.seeds]
    earlier = json.loads(path.read_text())["runs"] if path.exists() else []
    runs = [r for r in earlier if (r["preset"], r["seed"]) not in todo]
    for name, seed in progress(todo, "run"):
        runs.append(one_run(name, seed))
        # after every run: a long sitting keeps what it measured
        write_results(args.name, {"runs": runs, "summary": summarise(runs)})
    for name, s in summarise(runs).items():
        print(f"{name:22s} median {s['median']:.2e} worst {s['worst']:.2e} met {s['met']}/{len(s['seeds'])} "
              f"{s['time_s']:.0f} s")


if __name__ == "__main__":
    main()
