"""The grid family: a discrete PDE on a grid solved by fitting a generator's field to its residual.

``preset`` holds the family (:class:`GridPreset`, :class:`GridFit`), ``run`` the fit with checkpoints,
``archive`` the SavedModel writer, ``figures`` what ``pinnzoo plot`` draws and ``zoo`` the shipped presets.
"""

from pinnzoo.families.grid import zoo  # noqa: F401  (the registrations)
from pinnzoo.families.grid.preset import GRID_PRIOR_CONFIGS, GridFit, GridPreset, GridResult, grid_presets

__all__ = ["GRID_PRIOR_CONFIGS", "GridFit", "GridPreset", "GridResult", "grid_presets"]
