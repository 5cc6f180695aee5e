"""The figures of grid exports: the field against the discrete solution, the coefficient, the residual."""

from __future__ import annotations

import numpy as np

from pinnzoo.plotting.figures import Curves, Field, Figure, Line, history_figure, triple

LABELS = ("x", "y")


def _extent(problem):
    xy = problem.coordinates()
    return (float(xy[0, 0, 0]), float(xy[0, -1, 0]), float(xy[0, 0, 1]), float(xy[-1, 0, 1]))


def grid_figures(problem, u, title: str, rows=None) -> list[Figure]:
    """``u`` (``[ny, nx]``) against the exact discrete solution, then the coefficient (where the
    problem has one) and the residual ``A u − f`` of ``u``."""
    extent = _extent(problem)
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


def marching_figures(problem, u, title: str, step_errors) -> list[Figure]:
    """The final field against the exact discrete trajectory's last step, and the error at every step."""
    extent = _extent(problem)
    figures = [Figure("field", f"{title}: u at the final time",
                      triple("u", u, problem.trajectory()[-1], extent, LABELS, "discrete solution"))]
    if step_errors:
        steps = np.arange(1, len(step_errors) + 1)
        figures.append(Figure("curves", f"{title}: time marching",
                              [Curves("error after each step", [Line("rel. L2", steps, np.asarray(step_errors))],
                                      ("time step", "relative L2 error"), log_y=True)]))
    return figures


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
