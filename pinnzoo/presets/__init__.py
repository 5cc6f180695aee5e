"""The preset registry: one name → everything needed to reproduce a zoo entry from scratch.

    from pinnzoo.presets import get_preset
    preset = get_preset("burgers")
    result = preset.train(out="runs/burgers")
    print(result.summary())

Families: :class:`PINNPreset` (PDEs), :class:`ImagePreset` (untrained image priors) and
:class:`GridPreset` (grid PDEs solved with any prior), :class:`GridMarchingPreset` (time-marching grid
PDEs) and :class:`GridInversePreset` (a PDE coefficient recovered from noisy data with any prior).
Register your own with :func:`register_preset`; a new family is a :class:`Preset` subclass.
"""

from pinnzoo.presets.base import (FAMILIES, PRESETS, Preset, RunResult, family_of, get_preset, preset_names,
                                  register_family, register_preset)
from pinnzoo.presets.grid import GRID_PRIOR_CONFIGS, GridFit, GridPreset, grid_presets
from pinnzoo.presets.grid_inverse import GridInversePreset, TunedBaseline
from pinnzoo.presets.grid_marching import GridMarchingPreset
from pinnzoo.presets.image import Degradation, ImagePreset, image_presets, recipe_for
from pinnzoo.presets.pinn import PINNPreset
from pinnzoo.presets.schedule import AdamPhase, Balancing, Collocation, Continuation, LBFGSPhase, Schedule
from pinnzoo.presets import zoo_grid, zoo_images, zoo_pde  # noqa: E402, F401  (the registrations)

__all__ = ["FAMILIES", "GRID_PRIOR_CONFIGS", "PRESETS", "AdamPhase", "Balancing", "Collocation", "Continuation", "Degradation",
           "GridFit", "GridInversePreset", "GridMarchingPreset", "GridPreset", "ImagePreset", "LBFGSPhase", "PINNPreset", "Preset", "RunResult", "Schedule", "TunedBaseline", "family_of", "get_preset",
           "grid_presets", "image_presets", "preset_names", "recipe_for", "register_family", "register_preset"]
