"""The figures of a marching grid export: the final field against the exact discrete solution and the error of
every step."""

from __future__ import annotations

import numpy as np

from pinnzoo.families.grid.figures import LABELS, extent_of
from pinnzoo.plotting.figures import Curves, Figure, Line, triple


def marching_figures(problem, u, title: str, step_errors) -> list[Figure]:
    """The final field against the exact discrete trajectory's last step, and the error at every step."""
    extent = extent_of(problem)
    figures = [Figure("field", f"{title}: u at the final time",
                      triple("u", u, problem.trajectory()[-1], extent, LABELS, "discrete solution"))]
    if step_errors:
        steps = np.arange(1, len(step_errors) + 1)
        figures.append(Figure("curves", f"{title}: time marching",
                              [Curves("error after each step", [Line("rel. L2", steps, np.asarray(step_errors))],
                                      ("time step", "relative L2 error"), log_y=True)]))
    return figures
