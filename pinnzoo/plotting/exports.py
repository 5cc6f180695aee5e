"""``pinnzoo plot``: the figures of an export (or of a run that logged but did not export) to PNG files."""

from __future__ import annotations

from pathlib import Path

from pinnzoo.errors import InputError
from pinnzoo.export import load_export
from pinnzoo.family import family_of
from pinnzoo.plotting.figures import history_figure, load_history
from pinnzoo.plotting.render import render_all
from pinnzoo.run_log import read_history


def export_figures(directory) -> list:
    """The :class:`~pinnzoo.plotting.figures.Figure` list of an export: its family's
    (:meth:`pinnzoo.family.Preset.figures`, or its training curves), from the SavedModel loaded with plain TensorFlow."""
    model, meta = load_export(directory)
    figures = family_of(meta).figures(Path(directory), model, meta)
    rows = None if figures else load_history(directory)
    return figures or ([history_figure(rows, f"{meta.get('preset') or Path(directory).name}: training")] if rows else [])


def plot(source, out_dir) -> list[Path]:
    """Write the figures of ``source`` to ``out_dir``: an export directory, or a ``history.csv`` file
    (``OUT.history.csv`` of a run that stopped before its export; ``LOGDIR/history.csv`` of a restore)."""
    source = Path(source)
    if source.is_file() and source.suffix == ".csv":
        try:
            rows = read_history(source)
        except (ValueError, OSError) as exc:
            raise InputError(str(exc)) from None
        figures = [history_figure(rows, source.name)]
    elif source.is_dir():
        figures = export_figures(source)
    else:
        raise InputError(f"{source}: neither an export directory nor a history .csv file")
    if not figures:
        raise InputError(f"{source}: nothing to plot")
    return render_all(figures, out_dir)
