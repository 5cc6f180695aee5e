"""The preset registry: one name → everything needed to reproduce a zoo entry from scratch.

    from pinnzoo.presets import get_preset
    preset = get_preset("burgers")
    result = preset.train(out="runs/burgers")
    print(result.summary())

The public face of :mod:`pinnzoo.family` (the contract and the registries) and :mod:`pinnzoo.families` (one folder
per family: :class:`PINNPreset` (PDEs), :class:`ImagePreset` (untrained image priors), :class:`GridPreset` (grid
PDEs solved with any prior), :class:`GridMarchingPreset` (time-marching grid PDEs) and :class:`GridInversePreset`
(a PDE coefficient recovered from noisy data with any prior)). Register your own with :func:`register_preset`; a
new family is a :class:`Preset` subclass.
"""

from pinnzoo.families.grid import GRID_PRIOR_CONFIGS, GridFit, GridPreset, grid_presets
from pinnzoo.families.grid_inverse import GridInversePreset, TunedBaseline
from pinnzoo.families.grid_marching import GridMarchingPreset
from pinnzoo.families.image import Degradation, ImagePreset, image_presets, recipe_for
from pinnzoo.families.pinn import AdamPhase, Balancing, Collocation, Continuation, LBFGSPhase, PINNPreset, Schedule
from pinnzoo.family import (FAMILIES, PRESETS, Preset, RunResult, family_of, get_preset, preset_names,
                            register_family, register_preset, train)

__all__ = ["FAMILIES", "GRID_PRIOR_CONFIGS", "PRESETS", "AdamPhase", "Balancing", "Collocation", "Continuation",
           "Degradation", "GridFit", "GridInversePreset", "GridMarchingPreset", "GridPreset", "ImagePreset",
           "LBFGSPhase", "PINNPreset", "Preset", "RunResult", "Schedule", "TunedBaseline", "family_of", "get_preset",
           "grid_presets", "image_presets", "preset_names", "recipe_for", "register_family", "register_preset", "train"]
