"""The table of ``docs/results.md``'s "over seeds" section, from ``benchmarks/results/seed_robustness.json``."""

from __future__ import annotations

import json
from pathlib import Path

from results_file import from_results  # benchmarks/, the script's own folder
from pinnzoo.presets import PRESETS, PINNPreset

SHIPPED = Path(__file__).resolve().parents[1] / "saved_models"


def _robust(met: int, n: int) -> str:
    if met < n:
        return "**no**"
    return "yes" if n >= 3 else f"not yet ({n} seed{'s' if n > 1 else ''})"


def _hosts(runs) -> str:
    """Where and when the runs were measured, each (machine, date) once."""
    return "; ".join(f"{m}, {d}" for m, d in sorted({(x["machine"], x["date"]) for x in runs}))


def _table(r) -> str:
    rows = ["| preset | target | seeds | score, median | score, worst seed | seeds meeting the target | "
            "training time (median) | robust |", "|---|---|---|---|---|---|---|---|"]
    for name, s in sorted(r["summary"].items()):
        n = len(s["seeds"])
        rows.append(f"| `{name}` | {s['target']} | {', '.join(map(str, s['seeds']))} | {s['median']:.2e} | "
                    f"{s['worst']:.2e} | {s['met']}/{n} | {s['time_s']:.0f} s | {_robust(s['met'], n)} |")
    rows.append("\nScore: the preset's relative L2 error on its scoring grid (for inverse presets the target also "
                f"bounds the identified coefficients). Measured on {_hosts(r['runs'])}.")
    cpu = {name: s for name, s in sorted(r["summary"].items()) if "cpu_s" in s}
    if cpu:
        rows.append("\nCPU time (user + system over both cores, median over the seeds) where it was recorded: "
                    + "; ".join(f"`{n}` {s['cpu_s']:.0f} s (wall clock {s['time_s']:.0f} s)" for n, s in cpu.items())
                    + ".")
    shipped = [json.loads(p.read_text()) for p in sorted(SHIPPED.glob("*/pinnzoo.json"))]
    missing = [m for m in shipped if m.get("preset") in PRESETS and m["preset"] not in r["summary"]
               and isinstance(PRESETS.get(m["preset"]), PINNPreset)]
    if missing:
        hours = 3 * sum(m["training"]["time_s"] for m in missing) / 3600
        rows.append("\nShipped PINN presets not run over seeds yet: " + ", ".join(f"`{m['preset']}`" for m in missing)
                    + f" (three seeds{' of each' if len(missing) > 1 else ''}: about {hours:.1f} h at their shipped "
                    "training times).")
    return "\n".join(rows)


def _cpu_table(r) -> str:
    def minutes(seconds):
        return f"{seconds:.0f} s ({seconds / 60:.1f} min)"

    head = ("| preset | seed | score | target met | wall-clock time | CPU time (user + system, both cores) | "
            "CPU / wall |\n|---|---|---|---|---|---|---|")
    body = [f"| `{x['preset']}` | {x['seed']} | {x['score']:.2e} | {'yes' if x['met'] else '**no**'} | "
            f"{minutes(x['time_s'])} | {minutes(x['cpu_s'])} | {x['cpu_s'] / x['time_s']:.2f} |" for x in r["runs"]]
    return "\n".join([head, *body, f"\n`python benchmarks/seed_robustness.py PRESET --seeds S --name cpu_probe`; "
                                    f"{_hosts(r['runs'])}."])


SEED_TABLES = {"seed_robustness": from_results("seed_robustness")(_table),
               "cpu_probe": from_results("cpu_probe")(_cpu_table)}
