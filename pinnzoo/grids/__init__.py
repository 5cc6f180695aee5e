"""PDEs on grids: problems whose residual is a finite-difference stencil (conv2d), and their references."""

from pinnzoo.grids.problems import GRID_PROBLEMS, DarcyGrid, GridProblem, PoissonGrid, get_grid_problem, register_grid_problem
from pinnzoo.grids.random_fields import darcy_coefficient, gaussian_random_field

__all__ = ["GRID_PROBLEMS", "DarcyGrid", "GridProblem", "PoissonGrid", "darcy_coefficient", "gaussian_random_field",
           "get_grid_problem", "register_grid_problem"]
