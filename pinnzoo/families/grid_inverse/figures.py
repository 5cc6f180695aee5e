"""The figures of a grid-inverse export: the recovered coefficient against the truth and the state it gives."""

from __future__ import annotations

from pinnzoo.families.grid.figures import LABELS
from pinnzoo.plotting.figures import Field, Figure, history_figure, triple


def coefficient_figures(problem, a, u, title: str, rows=None) -> list[Figure]:
    """The recovered coefficient against the truth (and the phase errors), the state it gives, the curves."""
    extent = (0.0, 1.0, 0.0, 1.0)
    wrong = ((a > 0.5 * (problem.low + problem.high)) != (problem.truth > 0.5 * (problem.low + problem.high)))
    figures = [Figure("coefficient", f"{title}: permeability a",
                      [*triple("a", a, problem.truth, extent, LABELS, "true a"),
                       Field(f"wrong phase ({100 * wrong.mean():.1f} % of cells)", wrong.astype(float), extent,
                             LABELS)]),
               Figure("field", f"{title}: the state u(a)",
                      triple("u(a)", u, problem.solution, extent, LABELS, "u(true a)"))]
    if rows:
        figures.append(history_figure(rows, f"{title}: training"))
    return figures
