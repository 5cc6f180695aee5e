"""The image-prior family: an untrained generator fitted to one degraded image through a known operator.

``config`` holds the recipe (:class:`RestoreConfig`), ``fit`` the fit of one image (:func:`restore`),
``many`` several images sharded over replicas (:func:`restore_many`), ``preset`` the family
(:class:`ImagePreset`), ``archive`` its SavedModel writer, ``figures`` what ``pinnzoo plot`` draws and ``zoo``
the shipped presets.
"""

from pinnzoo.families.image.config import LR_SCHEDULES, Optimiser, Output, Regularisation, RestoreConfig, Stopping
from pinnzoo.families.image.fit import RestoreResult, build_image_solver, estimate_noise_sigma, restore
from pinnzoo.families.image.many import restore_many
from pinnzoo.families.image.preset import Degradation, ImagePreset, image_presets, recipe_for
from pinnzoo.families.image import zoo  # noqa: F401  (the registrations)

__all__ = ["LR_SCHEDULES", "Degradation", "ImagePreset", "Optimiser", "Output", "Regularisation", "RestoreConfig",
           "RestoreResult", "Stopping", "build_image_solver", "estimate_noise_sigma", "image_presets", "recipe_for",
           "restore", "restore_many"]
