"""The grid-inverse family: a PDE coefficient recovered from noisy data by a generator through the solve
(:class:`GridInversePreset`, with its tuned classical baselines; ``archive``: its SavedModel writer; ``zoo``: the
shipped presets)."""

from pinnzoo.families.grid_inverse import zoo  # noqa: F401  (the registrations)
from pinnzoo.families.grid_inverse.preset import GridInversePreset, TunedBaseline

__all__ = ["GridInversePreset", "TunedBaseline"]
