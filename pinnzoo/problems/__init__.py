"""Problems: domain + residual + conditions + reference solution (no weights)."""

from pinnzoo.problems.base import Condition, PDEProblem, get_problem, problem_names, register_problem
from pinnzoo.problems.burgers import Burgers
from pinnzoo.problems.derivatives import parse_derivative, tape_derivatives
from pinnzoo.problems.domains import Box

__all__ = ["Box", "Burgers", "Condition", "PDEProblem", "get_problem", "parse_derivative",
           "problem_names", "register_problem", "tape_derivatives"]
