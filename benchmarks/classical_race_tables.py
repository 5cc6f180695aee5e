"""The race table of docs/performance.md: for each accuracy, the time the fastest shipped PINN recipe and the fastest
classical configuration of ``benchmarks/classical_race.py`` need to reach it, and who is first."""

from __future__ import annotations

import json
from pathlib import Path

from results_file import from_results

ROOT = Path(__file__).resolve().parents[1]
LEVELS = (1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7)
#: problem -> the shipped presets whose recorded error curves race
PINNS = {"burgers": ("burgers", "burgers_fast", "burgers_sota"), "allen_cahn": ("allen_cahn", "allen_cahn_sota"),
         "wave1d": ("wave1d", "wave1d_sota"), "helmholtz2d": ("helmholtz2d",)}


def pinn_curves(problem: str) -> dict:
    """``{preset: ([(seconds, error), …], machine)}`` from the shipped exports' ``training.error_curve``."""
    out = {}
    for preset in PINNS[problem]:
        path = ROOT / "saved_models" / preset / "pinnzoo.json"
        if path.exists():
            meta = json.loads(path.read_text())
            training = meta["training"]
            out[preset] = ([tuple(p) for p in training.get("error_curve", [])], meta.get("machine") or training.get("machine", "?"))
    return out


def first_pinn(curves: dict, level: float) -> tuple[float, str] | None:
    """The earliest recorded time at which any shipped curve is at or below ``level``, and whose curve."""
    hits = [(t, preset) for preset, (curve, _) in curves.items() for t, e in curve if e <= level]
    return min(hits) if hits else None


def first_classical(rows: list[dict], level: float) -> dict | None:
    hits = [r for r in rows if r["rel_l2"] <= level]
    return min(hits, key=lambda r: r["cpu_s"]) if hits else None


def _time(seconds: float) -> str:
    return f"{seconds:.3g} s"


@from_results("classical_race")
def classical_race_table(data: dict) -> str:
    rows = ["| problem | accuracy (rel. L2) | PINN: first shipped recipe there (wall time of its training) | classical: fastest "
            "configuration there (CPU time, 1 core) | first |", "|---|---|---|---|---|"]
    notes = []
    for problem, classical in data["problems"].items():
        curves = pinn_curves(problem)
        pinn_wins = []
        for level in LEVELS:
            p, c = first_pinn(curves, level), first_classical(classical, level)
            if p is None and c is None:
                continue
            winner = ("PINN" if c is None or (p and p[0] < c["cpu_s"]) else "classical") if p or c else "—"
            pinn_wins += [f"{level:g}"] if winner == "PINN" else []
            pinn = f"{_time(p[0])} (`{p[1]}`)" if p else "not reached"
            fast = f"{_time(c['cpu_s'])} ({c['method']}, {c['resolution']})" if c else "not reached"
            rows.append(f"| {problem} | {level:g} | {pinn} | {fast} | {winner} |")
        best = min((min(e for _, e in curve) for curve, _ in curves.values() if curve), default=None)
        floor = min(r["rel_l2"] for r in classical)
        notes.append(f"{problem}: the PINN is first at {', '.join(pinn_wins) if pinn_wins else 'no accuracy'}; best "
                     f"PINN error {best:.1e}, best classical {floor:.1e}" if best is not None else
                     f"{problem}: no shipped PINN curve")
    machines = sorted({m for problem in data["problems"] for _, m in pinn_curves(problem).values()})
    rows.append("\n" + "; ".join(notes) + ". PINN times: the shipped exports' recorded error curves (seconds since "
                f"the start of training, wall clock; {', '.join(machines)}), whose CPU time is up to twice that on two "
                f"cores; classical: CPU time of one process, median of {data['repeats']} runs, {data['machine']}, "
                f"{data['date']}. Both scored on the problem's own scoring grid against its own reference.")
    return "\n".join(rows)


CLASSICAL_RACE_TABLES = {"classical_race": classical_race_table}
