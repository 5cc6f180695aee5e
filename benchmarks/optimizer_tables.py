"""The tables of ``docs/optimizers.md``: quasi-Newton methods side by side (``benchmarks/results/quasi_newton.json``
and its siblings) and the dense update's linear algebra (``dense_update.json``)."""

from __future__ import annotations

from results_file import from_results  # benchmarks/, the script's own folder

NAMES = {"lbfgs": "L-BFGS-B (scipy, 50 pairs)", "bfgs": "BFGS (dense)", "ssbfgs": "self-scaled BFGS (dense)",
         "ssbroyden": "self-scaled Broyden (dense)", "lm": "Levenberg–Marquardt (Gauss–Newton, damped)"}


def _table(r) -> str:
    seeds = len(r["seeds"])
    rows = [f"| method | rel. L2 error (median of {seeds} seed{'s' if seeds > 1 else ''}) | worst seed | iterations "
            "| evaluations | wall-clock time of the run | how it stopped |",
            "|---|---|---|---|---|---|---|"]
    for method, s in sorted(r["summary"].items(), key=lambda kv: kv[1]["error"]):
        runs = [x for x in r["runs"] if x["method"] == method]
        evaluations = sorted(x["evaluations"] for x in runs)[len(runs) // 2]
        stops = "; ".join(sorted({x["message"] for x in runs}))
        rows.append(f"| {NAMES.get(method, method)} | {s['error']:.2e} | {s['worst_error']:.2e} | "
                    f"{s['iterations']:.0f} | {evaluations} | {s['time_s']:.0f} s | {stops} |")
    rows.append(f"\n`{r['preset']}`: its {r['adam_steps']:,} Adam steps, then at most {r['iterations']:,} "
                f"quasi-Newton iterations on {_points(r)}; {r['machine']}, {r['date']}.")
    return "\n".join(rows)


def _points(r) -> str:
    """The quasi-Newton phase's points as the run drew them (files written before the keys existed: fixed Sobol')."""
    every = r.get("lbfgs_resample_every", 0)
    kind = "residual-adaptive (RAD)" if r.get("lbfgs_sampling", "sobol") == "rad" else "Sobol'"
    return f"{r['lbfgs_points']:,} {kind} points" + (f" redrawn every {every:,} iterations" if every else ", fixed")


@from_results("dense_update")
def dense_update_table(r) -> str:
    rows = ["| weights n | H (MB) | textbook numpy update | pinnzoo (`InverseHessian`) | speed-up | max. rel. difference |",
            "|---|---|---|---|---|---|"]
    for x in r["rows"]:
        rows.append(f"| {x['n']:,} | {x['matrix_mb']:.0f} | {x['textbook_ms']:.1f} ms | {x['pinnzoo_ms']:.1f} ms | "
                    f"{x['speedup']:.1f}× | {x['difference']:.0e} |")
    rows.append(f"\nOne iteration's direction, product and self-scaled Broyden update; medians of {r['rounds']} "
                f"alternating rounds of {r['repeats']}; {r['machine']}, {r['date']}.")
    return "\n".join(rows)


OPTIMIZER_TABLES = {"quasi_newton": from_results("quasi_newton")(_table),
                    "dense_update": dense_update_table,
                    "quasi_newton_seeds": from_results("quasi_newton_seeds")(_table),
                    "least_squares": from_results("least_squares")(_table),
                    "least_squares_long": from_results("least_squares_long")(_table)}
