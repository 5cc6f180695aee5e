"""PDEs on grids: problems whose residual is a finite-difference stencil (conv2d), and their references."""

from pinnzoo.grids.problems import (GRID_PROBLEMS, DarcyGrid, GridProblem, MarchingGridProblem, PoissonGrid,
                                    get_grid_problem, register_grid_problem)
from pinnzoo.grids.darcy_inverse import DarcyForward, DarcyInverse
from pinnzoo.grids.heat import HeatGrid, ImplicitEuler
from pinnzoo.grids.random_fields import darcy_coefficient, gaussian_random_field

__all__ = ["GRID_PROBLEMS", "DarcyForward", "DarcyGrid", "DarcyInverse", "GridProblem", "HeatGrid", "ImplicitEuler", "MarchingGridProblem", "PoissonGrid", "darcy_coefficient", "gaussian_random_field",
           "get_grid_problem", "register_grid_problem"]
