"""The figures of an image-prior export: degraded / restored / reference side by side, and the PSNR curve."""

from __future__ import annotations

import numpy as np

from pinnzoo.plotting.figures import Field, Figure, history_figure


def _gray(title, image) -> Field:
    image = np.asarray(image, dtype=float)
    return Field(title, image[..., 0] if image.shape[-1] == 1 else image, gray=True)


def image_figures(restored, title: str, measured=None, clean=None, rows=None, marks=()) -> list[Figure]:
    """``restored`` (``[H, W, C]`` in [0, 1]) beside the measurement and the clean image where known, the
    difference to the clean image, and the curves of the run with ``marks`` (the automatic stop, the peak)."""
    panels = []
    if measured is not None:
        panels.append(_gray(f"measured {measured.shape[0]}×{measured.shape[1]}", measured))
    panels.append(_gray("restored", restored))
    if clean is not None:
        panels.append(_gray("reference", clean))
        diff = np.asarray(restored, float) - np.asarray(clean, float)
        panels.append(Field("restored − reference", diff.mean(axis=-1), diverging=True, gray=True))
    figures = [Figure("images", title, panels)]
    if rows:
        figures.append(history_figure(rows, f"{title}: training", marks))
    return figures
