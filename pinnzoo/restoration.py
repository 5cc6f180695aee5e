"""Restoration with untrained image priors, the public face of the image family (:mod:`pinnzoo.families.image`):
the recipe (:class:`RestoreConfig`) and the fit (:func:`restore`, :func:`restore_many`)."""

from pinnzoo.families.image import (LR_SCHEDULES, Optimiser, Output, Regularisation, RestoreConfig, RestoreResult,
                                    Stopping, build_image_solver, estimate_noise_sigma, restore, restore_many)

__all__ = ["LR_SCHEDULES", "Optimiser", "Output", "Regularisation", "RestoreConfig", "RestoreResult", "Stopping",
           "build_image_solver", "estimate_noise_sigma", "restore", "restore_many"]
