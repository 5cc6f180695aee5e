"""Restoration with untrained image priors: the recipe (:class:`RestoreConfig`) and the fit (:func:`restore`)."""

from pinnzoo.restoration.config import LR_SCHEDULES, Optimiser, Output, Regularisation, RestoreConfig, Stopping
from pinnzoo.restoration.fit import RestoreResult, build_image_solver, estimate_noise_sigma, restore
from pinnzoo.restoration.many import restore_many

__all__ = ["LR_SCHEDULES", "Optimiser", "Output", "Regularisation", "RestoreConfig", "RestoreResult", "Stopping",
           "build_image_solver", "estimate_noise_sigma", "restore", "restore_many"]
