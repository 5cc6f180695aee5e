"""The figures of a PINN export: the solution, the reference and the error as fields, slices, curves."""

from __future__ import annotations

import numpy as np

from pinnzoo.plotting.figures import Curves, Figure, Line, error_curve_figure, history_figure, triple


def _axes(problem):
    """``(horizontal, vertical)`` coordinate names: time runs to the right, as in Raissi et al.'s figures."""
    first, second = problem.coordinate_inputs[:2]
    return (second, first) if second == "t" else (first, second)


def _on_axes(problem, values, shape, horizontal):
    """``values`` of the slice grid (indexed [first, second]) as ``[vertical, horizontal]``."""
    field = values.reshape(shape)
    return field.T if problem.coordinate_inputs[0] == horizontal else field


def _inside_only(problem, points, field):
    """The first output of ``field`` at the points inside the domain, NaN (drawn blank) in holes and corners."""
    inside = problem.domain.contains(points)
    values = np.full(len(points), np.nan)
    if inside.any():
        values[inside] = field(points[inside])[:, 0]
    return values


def pinn_figures(problem, predict, title: str, rows=None, error_curve=None, size: int = 128) -> list[Figure]:
    """Fields (2-D problems, others sliced at the middle of the extra inputs), slices along the vertical
    coordinate at four values of the horizontal one, and the training curves."""
    figures = []
    out = problem.outputs[0]
    if len(problem.coordinate_inputs) >= 2:
        h, v = _axes(problem)
        points, shape = problem.slice_grid(size)
        u = _on_axes(problem, _inside_only(problem, points, predict), shape, h)
        ref = _on_axes(problem, _inside_only(problem, points, problem.reference), shape, h)
        (h0, h1), (v0, v1) = problem.domain.bounds[h], problem.domain.bounds[v]
        figures.append(Figure("solution", f"{title}: {out}({', '.join(problem.coordinate_inputs)})",
                              triple(out, u, ref, (h0, h1, v0, v1), (h, v))))
        vs = np.linspace(v0, v1, size)
        lines = []
        for k, j in enumerate(np.linspace(0, size - 1, 4).round().astype(int)):
            at = f"{h} = {h0 + (h1 - h0) * j / (size - 1):.3g}"
            lines += [Line(f"{out}, {at}", vs, u[:, j], color=f"C{k}"),
                      Line("reference" if k == 0 else "", vs, ref[:, j], dashed=True, color=f"C{k}")]
        figures.append(Figure("slices", f"{title}: slices (dashed: reference)",
                              [Curves(f"{out} along {v}", lines, (v, out))]))
    else:
        (x,) = problem.coordinate_inputs
        points, _ = problem.domain.grid(counts={x: 400})
        lines = [Line(out, points[:, 0], predict(points)[:, 0]),
                 Line("reference", points[:, 0], problem.reference(points)[:, 0], dashed=True)]
        figures.append(Figure("slices", f"{title}: {out}({x})", [Curves(out, lines, (x, out))]))
    if rows:
        figures.append(history_figure(rows, f"{title}: training"))
    elif error_curve:
        figures.append(error_curve_figure(error_curve, f"{title}: training"))
    return figures
