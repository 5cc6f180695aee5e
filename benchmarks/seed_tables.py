"""The table of ``docs/results.md``'s "over seeds" section, from ``benchmarks/results/seed_robustness.json``."""

from __future__ import annotations

from results_file import from_results  # benchmarks/, the script's own folder


def _robust(met: int, n: int) -> str:
    if met < n:
        return "**no**"
    return "yes" if n >= 3 else f"not yet ({n} seed{'s' if n > 1 else ''})"


def _table(r) -> str:
    rows = ["| preset | target | seeds | score, median | score, worst seed | seeds meeting the target | "
            "training time (median) | robust |", "|---|---|---|---|---|---|---|---|"]
    for name, s in sorted(r["summary"].items()):
        n = len(s["seeds"])
        rows.append(f"| `{name}` | {s['target']} | {', '.join(map(str, s['seeds']))} | {s['median']:.2e} | "
                    f"{s['worst']:.2e} | {s['met']}/{n} | {s['time_s']:.0f} s | {_robust(s['met'], n)} |")
    hosts = sorted({(x["machine"], x["date"]) for x in r["runs"]})
    rows.append("\nScore: the preset's relative L2 error on its scoring grid (for inverse presets the target also "
                "bounds the identified coefficients). Measured on " + "; ".join(f"{m}, {d}" for m, d in hosts) + ".")
    return "\n".join(rows)


SEED_TABLES = {"seed_robustness": from_results("seed_robustness")(_table)}
