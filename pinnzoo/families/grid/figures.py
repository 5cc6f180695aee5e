"""The figures of grid exports: the field against the discrete solution, the coefficient, the residual."""

from __future__ import annotations

import numpy as np

from pinnzoo.plotting.figures import Field, Figure, history_figure, triple

LABELS = ("x", "y")


def extent_of(problem):
    xy = problem.coordinates()
    return (float(xy[0, 0, 0]), float(xy[0, -1, 0]), float(xy[0, 0, 1]), float(xy[-1, 0, 1]))


def grid_figures(problem, u, title: str, rows=None) -> list[Figure]:
    """``u`` (``[ny, nx]``) against the exact discrete solution, then the coefficient (where the
    problem has one) and the residual ``A u − f`` of ``u``."""
    extent = extent_of(problem)
    figures = [Figure("field", f"{title}: u on the {u.shape[0]}×{u.shape[1]} grid",
                      triple("u", u, problem.discrete_solution(), extent, LABELS, "discrete solution"))]
    residual = problem.residual(np.asarray(u, np.float64)[None, :, :, None]).numpy()[0, :, :, 0]
    panels = [Field("residual A u − f", residual, extent, LABELS, diverging=True)]
    coefficient = problem.coefficient_field()
    if coefficient is not None:
        panels.insert(0, Field("coefficient a", coefficient, extent, LABELS))
    figures.append(Figure("coefficient", f"{title}: the problem and the residual", panels))
    if rows:
        figures.append(history_figure(rows, f"{title}: training"))
    return figures
