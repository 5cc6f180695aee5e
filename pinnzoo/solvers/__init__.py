"""Solvers: keras.Model subclasses that pair a problem with a prior and own train_step."""

from pinnzoo.solvers.coefficient import CoefficientSolver
from pinnzoo.solvers.coupled_coefficient import CoupledCoefficientSolver
from pinnzoo.solvers.grid import GridSolver
from pinnzoo.solvers.image_prior import ImagePriorSolver
from pinnzoo.solvers.lbfgs import flat_value_and_gradient, lbfgs_refine
from pinnzoo.solvers.pinn import PINNSolver
from pinnzoo.solvers.refit import refit_last_layer
from pinnzoo.solvers.time_marching import TimeMarchingSolver

__all__ = ["CoefficientSolver", "CoupledCoefficientSolver", "GridSolver", "ImagePriorSolver", "PINNSolver", "TimeMarchingSolver", "flat_value_and_gradient", "lbfgs_refine", "refit_last_layer"]
