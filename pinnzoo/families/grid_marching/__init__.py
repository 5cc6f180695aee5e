"""The grid-marching family: a time-dependent grid PDE, one implicit step after another, each step's field fitted
by a generator warm-started from the step before (:class:`GridMarchingPreset`; ``zoo``: the shipped presets)."""

from pinnzoo.families.grid_marching import zoo  # noqa: F401  (the registrations)
from pinnzoo.families.grid_marching.preset import GridMarchingPreset

__all__ = ["GridMarchingPreset"]
