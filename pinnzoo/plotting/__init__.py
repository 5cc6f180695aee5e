"""Figures of trained solvers: described as data (:mod:`.figures`), drawn with matplotlib (:mod:`.render`)."""

from pinnzoo.plotting.exports import export_figures, plot
from pinnzoo.plotting.figures import Curves, Field, Figure, Line, history_figure
from pinnzoo.plotting.render import render, render_all

__all__ = ["Curves", "Field", "Figure", "Line", "export_figures", "history_figure", "plot", "render", "render_all"]
