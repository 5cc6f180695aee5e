"""The PINN family: a network u(x, t) fitted so that a PDE residual vanishes at collocation points.

``schedule`` holds the training schedule (Adam, then L-BFGS), ``preset`` the family (:class:`PINNPreset`),
``fit`` its training run (:func:`train_pinn`), ``archive`` its SavedModel writer, ``figures`` what ``pinnzoo plot``
draws, ``zoo`` the shipped presets and ``pinnacle`` those of PINNacle's problems.
"""

from pinnzoo.families.pinn.fit import TrainResult, build_solver, train_pinn
from pinnzoo.families.pinn.preset import PINNPreset
from pinnzoo.families.pinn.schedule import AdamPhase, Balancing, Collocation, Continuation, LBFGSPhase, Schedule
from pinnzoo.families.pinn import pinnacle, zoo  # noqa: F401  (the registrations)

__all__ = ["AdamPhase", "Balancing", "Collocation", "Continuation", "LBFGSPhase", "PINNPreset", "Schedule",
           "TrainResult", "build_solver", "train_pinn"]
