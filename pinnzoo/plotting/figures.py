"""What a figure shows, as data: fields and curves in panels (no matplotlib here; :mod:`.render` draws them).

A preset family describes the figures of one of its exports
(:meth:`pinnzoo.presets.Preset.figures`) with these classes, so the description is
tested without a plotting library and every family is drawn the same way.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from pinnzoo.run_log import HISTORY_FILE, read_history, series


@dataclasses.dataclass
class Field:
    """A 2-D field ``values [rows, columns]`` shown as an image with a colour bar.

    ``extent`` is ``(left, right, bottom, top)`` in the axes' units (None: pixel indices);
    ``diverging`` centres the colour map on 0 (errors, residuals)."""

    title: str
    values: np.ndarray
    extent: tuple[float, float, float, float] | None = None
    labels: tuple[str, str] = ("", "")
    diverging: bool = False
    gray: bool = False


@dataclasses.dataclass
class Line:
    label: str
    x: np.ndarray
    y: np.ndarray
    dashed: bool = False
    color: str | None = None


@dataclasses.dataclass
class Curves:
    """Lines on one pair of axes; ``marks`` are labelled vertical lines (a phase change, the automatic stop)."""

    title: str
    lines: list[Line]
    labels: tuple[str, str] = ("", "")
    log_y: bool = False
    marks: list[tuple[float, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Figure:
    """One PNG: ``name`` is the file stem, the panels are laid out in a row."""

    name: str
    title: str
    panels: list


def load_history(directory) -> list[tuple] | None:
    """The rows of an export's ``history.csv`` (or of ``OUT.history.csv`` beside it), None if it has none."""
    directory = Path(directory)
    for path in (directory / HISTORY_FILE, directory.parent / f"{directory.name}.history.csv"):
        if path.is_file():
            return read_history(path)
    return None


#: names in a history that measure the error (plotted apart from the loss terms)
ERROR_NAMES = ("rel_l2", "error", "one_step_rel_l2", "wrong_phase", "psnr", "psnr_raw", "ssim")


def phase_marks(rows) -> list[tuple[float, str]]:
    """A mark where each phase after the first begins (at the last step of the phase before)."""
    marks, last, at = [], None, 0
    for step, phase, *_ in rows:
        if last is not None and phase != last:
            marks.append((float(at), phase))
        last, at = phase, step
    return marks


def history_figure(rows, title: str, marks=()) -> Figure:
    """Loss terms (log scale) and error measures against the step, phases and ``marks`` marked."""
    names = list(dict.fromkeys(r[3] for r in rows))
    marks = [*phase_marks(rows), *marks]
    skip = {"learning_rate", "variance", *ERROR_NAMES}
    losses = [Line(n, *series(rows, n)) for n in names if n not in skip and not n.startswith("w_")]
    losses = [line for line in losses if np.all(line.y[np.isfinite(line.y)] > 0)]
    panels = [Curves("loss terms", losses, ("step", "value"), log_y=True, marks=marks)]
    errors = [n for n in names if n in ERROR_NAMES and not n.startswith("psnr") and n != "ssim"]
    if errors:
        panels.append(Curves("error", [Line(n, *series(rows, n)) for n in errors], ("step", "relative error"),
                             log_y=True, marks=marks))
    quality = [n for n in ("psnr", "psnr_raw") if n in names]
    if quality:
        panels.append(Curves("PSNR", [Line({"psnr": "restored (average)", "psnr_raw": "generator"}[n],
                                           *series(rows, n)) for n in quality], ("step", "dB"), marks=marks))
    return Figure("curves", title, panels)


def error_curve_figure(curve, title: str) -> Figure:
    """The error against wall time, from an export's ``training.error_curve`` (exports without a history)."""
    t, e = (np.asarray(c, dtype=float) for c in zip(*curve))
    return Figure("curves", title, [Curves("error on the scoring grid", [Line("rel. L2", t, e)],
                                           ("seconds", "relative L2 error"), log_y=True)])


def triple(title_u: str, u: np.ndarray, reference: np.ndarray, extent=None, labels=("", ""),
           reference_title: str = "reference") -> list[Field]:
    """``u``, the reference and their difference, side by side."""
    return [Field(title_u, u, extent, labels), Field(reference_title, reference, extent, labels),
            Field(f"{title_u} − {reference_title}", u - reference, extent, labels, diverging=True)]
