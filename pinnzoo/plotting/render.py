"""Draw :class:`~pinnzoo.plotting.figures.Figure` descriptions to PNG files with matplotlib (the ``plot`` extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pinnzoo.errors import InputError
from pinnzoo.plotting.figures import Curves, Field, Figure


def _pyplot():
    try:
        import matplotlib  # optional dependency (the plot extra)

        matplotlib.use("Agg")  # files only, no screen
        import matplotlib.pyplot as plt
    except ImportError:
        raise InputError("plotting needs matplotlib: pip install -e \".[plot]\" (or pip install matplotlib)") from None
    return plt


def _field(ax, panel: Field, fig):
    values = np.asarray(panel.values, dtype=float)
    kwargs = {"origin": "lower", "aspect": "auto", "extent": panel.extent}
    if panel.gray:  # a picture: rows from the top, square pixels, no ticks
        kwargs.update(origin="upper", aspect="equal")
        ax.set_xticks([]), ax.set_yticks([])
    if panel.diverging:
        bound = float(np.nanmax(np.abs(values))) or 1.0
        image = ax.imshow(values, cmap="RdBu_r", vmin=-bound, vmax=bound, **kwargs)
    elif panel.gray:
        image = ax.imshow(np.clip(values, 0, 1), cmap="gray", vmin=0, vmax=1, **kwargs)
    else:
        image = ax.imshow(values, cmap="viridis", **kwargs)
    if not panel.gray or panel.diverging:
        fig.colorbar(image, ax=ax, shrink=0.85)
    ax.set_xlabel(panel.labels[0])
    ax.set_ylabel(panel.labels[1])


def _curves(ax, panel: Curves):
    for line in panel.lines:
        ax.plot(line.x, line.y, "--" if line.dashed else "-", label=line.label or None, linewidth=1.2,
                color=line.color)
    for x, label in panel.marks:
        ax.axvline(x, color="gray", linestyle=":", linewidth=1)
        ax.annotate(label, (x, 1), xycoords=("data", "axes fraction"), rotation=90, va="top", ha="right",
                    fontsize=8, color="gray")
    if panel.log_y:
        ax.set_yscale("log")
    ax.set_xlabel(panel.labels[0])
    ax.set_ylabel(panel.labels[1])
    if panel.lines:
        ax.legend(fontsize=8)
    ax.grid(alpha=0.3)


def render(figure: Figure, path) -> Path:
    """Write ``figure`` to ``path`` (PNG, 100 dpi, about 4 inches per panel)."""
    plt = _pyplot()
    n = len(figure.panels)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), squeeze=False)
    for ax, panel in zip(axes[0], figure.panels):
        ax.set_title(panel.title, fontsize=10)
        if isinstance(panel, Field):
            _field(ax, panel, fig)
        else:
            _curves(ax, panel)
    fig.suptitle(figure.title, fontsize=11)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def render_all(figures, out_dir) -> list[Path]:
    """Each figure to ``out_dir/NAME.png``."""
    return [render(f, Path(out_dir) / f"{f.name}.png") for f in figures]
