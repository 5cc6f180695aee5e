"""Problems: domain + residual + conditions + reference solution (no weights)."""

from pinnzoo.problems.allen_cahn import AllenCahn
from pinnzoo.problems.base import (PROBLEMS, Condition, PDEProblem, dirichlet, get_problem, neumann, problem_names,
                                   register_problem, robin)
from pinnzoo.problems.burgers import Burgers, BurgersInverse
from pinnzoo.problems.derivatives import parse_derivative, tape_derivatives
from pinnzoo.problems.diffusion_reaction import DiffusionReaction
from pinnzoo.problems.domains import Box
from pinnzoo.problems.heat import Heat1D, HeatInverse, HeatNoisyInitial
from pinnzoo.problems.kovasznay import Kovasznay
from pinnzoo.problems.pinnacle_nd import Heat5D, Poisson5D
from pinnzoo.problems.pinnacle_flow import NS2DBackstep, NS2DLid
from pinnzoo.problems.pinnacle_heat import Heat2DLongTime, Heat2DMultiscale
from pinnzoo.problems.pinnacle_inverse import HeatInverse2D, PoissonInverse2D
from pinnzoo.problems.pinnacle_poisson import Poisson2DHoles, PoissonBoltzmann2D
from pinnzoo.problems.poisson import Helmholtz2D, Poisson2D
from pinnzoo.problems.schrodinger import Schrodinger
from pinnzoo.problems.wave import Wave1D, Wave1DPinnacle

__all__ = ["PROBLEMS", "AllenCahn", "Box", "Burgers", "BurgersInverse", "Condition", "DiffusionReaction", "Heat1D",
           "Heat2DLongTime", "Heat2DMultiscale", "Heat5D", "HeatInverse", "HeatInverse2D", "HeatNoisyInitial",
           "Helmholtz2D", "Kovasznay", "NS2DBackstep", "NS2DLid", "PDEProblem", "Poisson2D", "Poisson2DHoles",
           "Poisson5D", "PoissonBoltzmann2D", "PoissonInverse2D", "Schrodinger", "Wave1D", "Wave1DPinnacle",
           "dirichlet", "get_problem", "neumann", "parse_derivative", "problem_names", "register_problem", "robin",
           "tape_derivatives"]
