"""Does the zoo reproduce itself? Retrain presets with today's code and compare with what ships.

    python benchmarks/reproduce.py burgers heat1d        # retrain, compare, keep the exports in runs/reproduce/
    python benchmarks/reproduce.py --ship burgers         # ... and replace saved_models/burgers with the retrain
    python benchmarks/reproduce.py --all --ship           # the whole zoo, one preset after the other
    python benchmarks/reproduce.py --stale --ship         # those whose shipped export today's code does not give

Each preset trains from scratch at the shipped export's seed (0 for a preset that ships nothing) with its full
recipe; the shipped export's headline (score, target, time, recipe fingerprint) is read before anything is
replaced. ``benchmarks/results/reproduce.json`` keeps the latest run per preset and machine; its table, shipped vs
reproduced, is generated into ``docs/reproduce.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from results_file import record_latest  # benchmarks/, the script's own folder
from pinnzoo.family import family_of, get_preset, preset_names
from pinnzoo.recipe import recipe_status

ROOT = Path(__file__).resolve().parents[1]
NAME = "reproduce"


def shipped(preset: str) -> dict | None:
    path = ROOT / "saved_models" / preset / "pinnzoo.json"
    return json.loads(path.read_text()) if path.exists() else None


def summary(meta: dict) -> dict:
    """The headline of an export (as the README shows it), its date, machine and recipe."""
    h = family_of(meta).headline(meta)
    recipe = meta.get("recipe_fingerprint") or {}
    return {"result": h["result"], "target": h["target"], "met": bool(h["met"]), "time_s": float(h["time_s"]),
            "machine": meta.get("training", {}).get("machine"), "fingerprint": recipe.get("fingerprint"),
            **recipe_status(meta)}


def seed_of(meta: dict | None) -> int:
    if not meta:
        return 0
    recipe = meta.get("recipe_fingerprint") or {}
    return int(recipe.get("definition", {}).get("seed", meta.get("training", {}).get("seed", meta.get("seed", 0))))


def reproduce(preset: str, ship: bool) -> dict:
    """Retrain ``preset``; its row: the shipped export's summary beside the retrain's."""
    before = shipped(preset)
    out = ROOT / "saved_models" / preset if ship else ROOT / "runs" / "reproduce" / preset
    start = time.perf_counter()
    get_preset(preset).train(seed=seed_of(before), out=out, verbose=2)
    after = json.loads((out / "pinnzoo.json").read_text())
    return {"preset": preset, "date": time.strftime("%Y-%m-%d"), "wall_s": round(time.perf_counter() - start, 1),
            "shipped": summary(before) if before else None, "reproduced": summary(after), "shipped_now": ship}


def record(row: dict) -> Path:
    return record_latest(NAME, row)


def stale() -> list[str]:
    """The registered presets whose shipped export is missing or not what today's recipe gives."""
    return [n for n in preset_names() if not (shipped(n) and recipe_status(shipped(n))["recipe_current"])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*")
    parser.add_argument("--all", action="store_true", help="every registered preset")
    parser.add_argument("--stale", action="store_true",
                        help="every preset whose shipped export is missing or not today's recipe")
    parser.add_argument("--ship", action="store_true", help="replace saved_models/PRESET with the retrain")
    args = parser.parse_args()
    names = preset_names() if args.all else [*args.presets, *(stale() if args.stale else [])]
    for name in names:
        get_preset(name)  # an unknown name fails before anything trains
    for k, name in enumerate(names):
        print(f"[{k + 1}/{len(names)}] {name}", flush=True)
        row = reproduce(name, args.ship)
        print(f"{name}: shipped {row['shipped'] and row['shipped']['result']} | reproduced "
              f"{row['reproduced']['result']} in {row['reproduced']['time_s']:.0f} s -> {record(row)}", flush=True)


if __name__ == "__main__":
    main()
