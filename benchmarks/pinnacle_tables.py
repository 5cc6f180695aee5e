"""Tables of ``benchmarks/results/pinnacle.json`` (``benchmarks/pinnacle.py``) for docs/pinnacle.md."""

from __future__ import annotations

from pinnacle import ELEVEN, FEM_METHOD  # benchmarks/, the script's own folder
from results_file import from_results


def _reference_text(row: dict) -> str:
    if "reference_study" not in row:
        return "not yet run (the study runs after the seeds)"
    study = row["reference_study"]
    if not study:
        return "exact solution"
    if "grid" in study[-1]:  # spectral: the reference's distance to the finer solve after it
        ref = next(i for i, r in enumerate(study) if r["reference"])
        return (f"{study[ref + 1]['change']:.1e} (sine series {study[ref]['grid']}², dt = {study[ref]['dt']:g}, vs "
                f"{study[ref + 1]['grid']}², dt = {study[ref + 1]['dt']:g})")
    return f"{study[-1]['change']:.1e} (h = {study[-1]['h']:g})"


def _fem_to(row: dict, error: float) -> str:
    """The fastest finite-element solve of the race at least as accurate as ``error``."""
    fits = [f for f in row["fem"] if f["l2re"] <= error]
    if not fits:
        return f"none of h ≥ {min(f['h'] for f in row['fem']):g}"
    best = min(fits, key=lambda f: f["seconds"])
    return f"{best['seconds']:.2f} s (h = {best['h']:g})"


@from_results("pinnacle")
def pinnacle_table(b: dict) -> str:
    rows = ["| preset | PINNacle problem | PINNacle's best (reported) | target | pinnzoo, worst of 3 seeds | "
            "at PINNacle's nodes | met | reference: change of the two finest meshes | PINNacle's file vs ours | "
            "train time (slowest seed) | FEM time to the same error | machine |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for preset, runs in b["runs"].items():
        for host, r in sorted(runs.items()):
            worst = max(s["l2re"] for s in r["seeds"])
            nodes = [s["l2re_pinnacle_nodes"] for s in r["seeds"] if "l2re_pinnacle_nodes" in s]
            file_text = f"{r['pinnacle_file_l2re']:.1e}" if "pinnacle_file_l2re" in r else "no file"
            counted = "" if len(r["seeds"]) >= 3 else f" ({len(r['seeds'])} of 3 seeds so far)"
            rows.append(f"| `{preset}` | {r['pinnacle']} | {r['best']:.2e} | ≤ {r['target']:.1e} | {worst:.2e}{counted} | "
                        f"{f'{max(nodes):.2e}' if nodes else '–'} | {'yes' if worst <= r['target'] else '**no**'} | "
                        f"{_reference_text(r)} | {file_text} | {max(s['train_seconds'] for s in r['seeds']):.0f} s | "
                        f"{_fem_to(r, worst) if r.get('fem') else '–'} | {host} |")
    missing = [f"`{n}`" for n in ELEVEN if n not in b["runs"]]
    return "\n".join(rows) + f"\n\nNot yet run of the eleven: {', '.join(missing) or 'none'}."


@from_results("pinnacle")
def pinnacle_race_table(b: dict) -> str:
    rows = ["| preset | solver | size | time | L2RE vs reference |", "|---|---|---|---|---|"]
    for preset, runs in b["runs"].items():
        for host, r in sorted(runs.items()):
            if not r.get("fem"):
                continue  # an exact solution: no finite-element race
            for f in r["fem"]:
                rows.append(f"| `{preset}` | FEM {FEM_METHOD.get(preset, 'P2, curved mesh')} | h = {f['h']:g} "
                            f"({f['dofs']:,} unknowns) | "
                            f"{f['seconds']:.2f} s | {f['l2re']:.2e} |")
            for s in r["seeds"]:
                rows.append(f"| `{preset}` | PINN, seed {s['seed']} | – | {s['train_seconds']:.0f} s | {s['l2re']:.2e} |")
    verdicts = [crossing(preset, r) for preset, runs in b["runs"].items() for _, r in sorted(runs.items()) if r.get("fem")]
    return "\n".join(rows) + "\n\n" + "\n\n".join(verdicts)


def crossing(preset: str, r: dict) -> str:
    """The verdict the race supports: is any PINN seed more accurate than a FEM solve that took as long?"""
    wins = [s for s in r["seeds"]
            if not any(f["seconds"] <= s["train_seconds"] and f["l2re"] <= s["l2re"] for f in r["fem"])]
    worst = max(s["l2re"] for s in r["seeds"])
    times = sorted(s["train_seconds"] for s in r["seeds"])
    if wins:
        return (f"`{preset}`: {len(wins)} of {len(r['seeds'])} seeds beat every finite-element solve of the race "
                f"that took no longer: a crossing point within the sizes measured.")
    return (f"`{preset}`: every seed is matched by a finite-element solve of the race that took no longer — as "
            f"accurate as the worst seed in {_fem_to(r, worst)}, where {_trained(times)}: no crossing point.")


def _trained(times: list) -> str:
    if len(times) == 1:
        return f"the one seed run so far trained {times[0]:.0f} s"
    return f"the seeds trained {times[0]:.0f}–{times[-1]:.0f} s"


PINNACLE_TABLES = {"pinnacle": pinnacle_table, "pinnacle_race": pinnacle_race_table}
