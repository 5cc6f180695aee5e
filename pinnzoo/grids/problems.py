"""PDE problems on grids: a discrete operator, its right-hand side, and references (no weights).

A :class:`GridProblem` is the grid counterpart of :class:`~pinnzoo.problems.PDEProblem`:
the unknown is a field on a grid, the residual ``A u − f`` is computed by a
:class:`~pinnzoo.operators.GridOperator` (``tf.nn.conv2d``), and the reference is
the exact discrete solution from a sparse direct solve of the same operator, plus
the continuous solution where one is known.
"""

from __future__ import annotations

import abc
from typing import ClassVar

import numpy as np
import scipy.sparse.linalg as spla
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.grids.random_fields import darcy_coefficient
from pinnzoo.operators.grid import Diffusion, GridOperator, Laplacian
from pinnzoo.parameters import Parameter, resolve
from pinnzoo.registry import Registry


class GridProblem(abc.ABC):
    """Find ``u`` on a grid with ``A u = f``; :meth:`residual` is what a solver drives to zero."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: what ``--set`` may change (the constructor's keyword arguments), with their valid ranges
    parameters: ClassVar[tuple[Parameter, ...]] = ()
    operator: GridOperator
    rhs: np.ndarray  # [ny, nx]
    _discrete: np.ndarray | None = None

    def residual(self, u) -> tf.Tensor:
        """``A u − f`` for fields ``u [B, ny, nx, 1]``."""
        au = self.operator.A(u)
        return au - tf.constant(self.rhs[None, :, :, None], dtype=au.dtype)

    def discrete_solution(self) -> np.ndarray:
        """The exact solution of the discrete system (sparse direct solve), ``[ny, nx]``; cached."""
        if self._discrete is None:
            self._discrete = spla.spsolve(self.operator.matrix().tocsc(), self.rhs.ravel()).reshape(self.rhs.shape)
        return self._discrete

    def continuous_solution(self) -> np.ndarray | None:
        """The PDE's exact solution at the unknowns' locations, where one is known."""
        return None

    def coefficient_field(self) -> np.ndarray | None:
        """The PDE's coefficient on the grid (``[ny, nx]``), for problems that have one (Darcy)."""
        return None

    @property
    @abc.abstractmethod
    def scale(self) -> float:
        """A rough size of the solution, ``max|f| / λ`` with ``λ`` a lower bound of the operator's smallest
        eigenvalue (solvers multiply their prior's order-one output by it)."""

    def extended_axes(self) -> tuple[np.ndarray, np.ndarray]:
        """``(xs, ys)``: the unknowns' coordinates along each axis with the boundary (0 and 1) added, the
        tensor grid on which the field padded with its zero boundary values is interpolated."""
        xy = self.coordinates()
        return (np.concatenate([[0.0], xy[0, :, 0], [1.0]]), np.concatenate([[0.0], xy[:, 0, 1], [1.0]]))

    @property
    @abc.abstractmethod
    def params(self) -> dict:
        """The constructor's arguments (``get_grid_problem(name, **params)`` rebuilds the problem)."""

    @abc.abstractmethod
    def coordinates(self) -> np.ndarray:
        """``[ny, nx, 2]`` (``x``, ``y``) of the unknowns."""


class MarchingGridProblem(GridProblem):
    """One step of a time-dependent grid problem: solving it gives the next field, from which
    :meth:`next` poses the step after (``step`` counts from 0)."""

    step: int

    @property
    @abc.abstractmethod
    def steps(self) -> int:
        """How many steps the problem has."""

    @abc.abstractmethod
    def next(self, field: np.ndarray) -> "MarchingGridProblem":
        """The following step, with ``field`` (the computed solution of this one) as its data."""

    @abc.abstractmethod
    def trajectory(self) -> np.ndarray:
        """The exact discrete solution after every step from the initial data, ``[steps, ny, nx]``."""

    def final_solution(self) -> np.ndarray | None:
        """The PDE's solution at the final time, where one is known."""
        return None


#: name -> grid problem class
GRID_PROBLEMS: Registry = Registry("grid problem", ProblemError)


def register_grid_problem(cls):
    GRID_PROBLEMS.register(cls.name, cls, replace=True)
    return cls


def get_grid_problem(name: str, **params) -> GridProblem:
    """The registered grid problem ``name`` with ``params`` (checked against its declared parameters)."""
    cls = GRID_PROBLEMS.get(name)
    values = resolve(name, cls.parameters, params)
    return cls(**{k: values[k] for k in params})


@register_grid_problem
class PoissonGrid(GridProblem):
    r"""``−Δu = 2π² sin πx sin πy`` on ``[0, 1]²``, ``u = 0`` on the boundary, on ``n × n`` nodes
    (the ``poisson2d`` problem on a grid); exact solution ``u = sin πx sin πy``. ``order`` 2 or 4
    (5-point or compact 9-point stencil with the corrected right-hand side)."""

    name, title = "poisson2d_grid", "Poisson on a 65 x 65 node grid, u = sin(pi x) sin(pi y)"
    parameters = (Parameter("n", 65, 5, 1025, integer=True, doc="nodes per side, boundary included"),
                  Parameter("order", 2, 2, 4, integer=True, doc="2: 5-point stencil, 4: compact 9-point"))

    def __init__(self, n: int = 65, order: int = 2):
        lap = Laplacian(n, order)
        self.laplacian, self.n = lap, int(n)
        self.operator = _Negated(lap)
        xy = lap.nodes()
        f = 2 * np.pi ** 2 * np.sin(np.pi * xy[..., 0]) * np.sin(np.pi * xy[..., 1])
        self.rhs = -lap.corrected_rhs(-f)  # −Δu = f  ⇔  Δu = −f

    @property
    def params(self):
        return {"n": self.n, "order": self.laplacian.order}

    @property
    def scale(self):
        return float(np.abs(self.rhs).max() / (2 * np.pi ** 2))  # λ_min(−Δ) ≈ 2π² on the unit square

    def coordinates(self):
        return self.laplacian.nodes()[1:-1, 1:-1]

    def continuous_solution(self):
        xy = self.coordinates()
        return np.sin(np.pi * xy[..., 0]) * np.sin(np.pi * xy[..., 1])


@register_grid_problem
class DarcyGrid(GridProblem):
    r"""Darcy flow ``−∇·(a ∇u) = 1`` on ``[0, 1]²``, ``u = 0`` on the boundary, on ``m × m`` cells, with
    the two-phase permeability ``a ∈ {3, 12}`` of :func:`~pinnzoo.grids.random_fields.darcy_coefficient`
    drawn with ``seed`` (Li et al., "Fourier Neural Operator", ICLR 2021). No closed-form solution:
    the reference is the discrete one."""

    name, title = "darcy_grid", "Darcy flow, two-phase permeability {3, 12} from a Gaussian random field"
    parameters = (Parameter("m", 64, 8, 512, integer=True, doc="cells per side"),
                  Parameter("seed", 0, 0, 2 ** 31 - 1, integer=True, doc="the permeability draw"))

    def __init__(self, m: int = 64, seed: int = 0):
        self.m, self.seed = int(m), int(seed)
        self.coefficient = darcy_coefficient(self.m, self.seed)
        self.operator = Diffusion(self.coefficient)
        self.rhs = np.ones((self.m, self.m))

    @property
    def params(self):
        return {"m": self.m, "seed": self.seed}

    def coefficient_field(self):
        return self.coefficient

    @property
    def scale(self):
        return float(np.abs(self.rhs).max() / (2 * np.pi ** 2 * self.coefficient.min()))  # λ_min ≥ 2π² min a

    def coordinates(self):
        return self.operator.centres()


class _Negated(GridOperator):
    """``−A`` for a grid operator ``A`` (so that ``−Δ`` is positive definite)."""

    def __init__(self, op: GridOperator):
        self.op, self.shape, self.channels = op, op.shape, op.channels

    def A(self, u):
        return -self.op.A(u)

    def A_adjoint(self, v):
        return -self.op.A_adjoint(v)

    def matrix(self):
        return -self.op.matrix()
