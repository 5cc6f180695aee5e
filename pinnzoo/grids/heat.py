"""The 2-D heat equation on a grid, one implicit Euler step at a time (a sequence of grid problems)."""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from pinnzoo.errors import InputError
from pinnzoo.grids.problems import MarchingGridProblem, register_grid_problem
from pinnzoo.operators.grid import GridOperator, Laplacian
from pinnzoo.parameters import Parameter

#: the initial condition's modes: (amplitude, m, n) of sin(m π x) sin(n π y)
MODES = ((1.0, 1, 1), (0.5, 2, 3))


class ImplicitEuler(GridOperator):
    """``I − c Δ_h`` (``c = κ Δt``) on the interior nodes, for a :class:`~pinnzoo.operators.grid.Laplacian` ``Δ_h``:
    the matrix of one implicit Euler step of ``u_t = κ Δu``; symmetric positive definite."""

    def __init__(self, laplacian: Laplacian, c: float):
        self.laplacian, self.c, self.shape, self.channels = laplacian, float(c), laplacian.shape, laplacian.channels

    def A(self, u):
        return u - self.c * self.laplacian.A(u)

    def A_adjoint(self, v):
        return v - self.c * self.laplacian.A_adjoint(v)

    def matrix(self):
        lap = self.laplacian.matrix()
        return (sp.identity(lap.shape[0], format="csr") - self.c * lap).tocsr()


@dataclasses.dataclass(frozen=True)
class HeatSetup:
    """``n × n`` nodes, diffusivity ``kappa``, step ``dt``, ``steps`` steps (final time ``steps · dt``)."""

    n: int = 65
    kappa: float = 0.1
    dt: float = 0.01
    steps: int = 20

    def __post_init__(self):
        if self.n < 3 or self.steps < 1 or not (self.kappa > 0 and self.dt > 0):
            raise InputError(f"heat2d_grid needs n >= 3, steps >= 1, kappa > 0 and dt > 0, got {self}")


@register_grid_problem
class HeatGrid(MarchingGridProblem):
    r"""``u_t = κ Δu`` on ``[0, 1]²``, ``u = 0`` on the boundary, ``u(·, 0) = Σ a sin(mπx) sin(nπy)`` over
    :data:`MODES`, by implicit Euler steps on ``n × n`` nodes with the 5-point Laplacian:

    .. math:: (I - κ Δt\, Δ_h)\, u^{k+1} = u^k .

    One instance is *one step*: its right-hand side is the previous field ``u^k`` (``step`` counts the
    steps taken, 0 for the first); :meth:`next` poses the following step from a computed field, so that
    a solver marches by solving one grid problem after another, warm-started from the previous one.
    References: :meth:`trajectory` (the exact discrete steps from the initial condition, by a sparse
    factorisation) and the continuous solution ``Σ a e^{−(m²+n²)π²κt} sin(mπx) sin(nπy)`` at the
    step's time, whose distance from the discrete one is the time and space discretisation error.
    """

    name, title = "heat2d_grid", "Heat equation, implicit Euler on a 65 x 65 node grid, two modes"
    parameters = (Parameter("n", 65, 5, 1025, integer=True, doc="nodes per side, boundary included"),
                  Parameter("kappa", 0.1, 1e-4, 10.0, doc="diffusivity"),
                  Parameter("dt", 0.01, 1e-5, 1.0, doc="time step"),
                  Parameter("steps", 20, 1, 1000, integer=True, doc="implicit Euler steps"))

    def __init__(self, n: int = 65, kappa: float = 0.1, dt: float = 0.01, steps: int = 20, step: int = 0,
                 previous: np.ndarray | None = None):
        self.setup = HeatSetup(int(n), float(kappa), float(dt), int(steps))
        self.laplacian = Laplacian(self.setup.n)
        self.operator = ImplicitEuler(self.laplacian, self.setup.kappa * self.setup.dt)
        if not 0 <= int(step) < self.setup.steps:
            raise InputError(f"step must be in [0, {self.setup.steps}), got {step}")
        self.step = int(step)
        self.rhs = self.exact(0.0) if previous is None else np.asarray(previous, dtype=np.float64)
        if self.rhs.shape != self.operator.shape:
            raise InputError(f"the previous field must have shape {self.operator.shape}, got {self.rhs.shape}")

    @property
    def params(self):
        return dataclasses.asdict(self.setup)

    @property
    def scale(self):
        return float(np.abs(self.rhs).max())  # the step's operator has λ_min > 1: |u^{k+1}| <= |u^k|

    @property
    def steps(self) -> int:
        return self.setup.steps

    def final_solution(self):
        return self.exact(self.setup.steps * self.setup.dt)

    @property
    def time(self) -> float:
        """The time the step's solution approximates."""
        return (self.step + 1) * self.setup.dt

    def coordinates(self):
        return self.laplacian.nodes()[1:-1, 1:-1]

    def exact(self, t: float) -> np.ndarray:
        xy = self.coordinates()
        k = self.setup.kappa
        return sum(a * np.exp(-(m * m + n * n) * np.pi ** 2 * k * t) * np.sin(m * np.pi * xy[..., 0])
                   * np.sin(n * np.pi * xy[..., 1]) for a, m, n in MODES)

    def continuous_solution(self):
        return self.exact(self.time)

    def next(self, field: np.ndarray) -> "HeatGrid":
        """The following step, whose right-hand side is ``field`` (the computed ``u^{k+1}``)."""
        s = self.setup
        return HeatGrid(s.n, s.kappa, s.dt, s.steps, self.step + 1, previous=field)

    def trajectory(self) -> np.ndarray:
        """The exact discrete solution after every step from the initial condition, ``[steps, ny, nx]``."""
        solve = spla.factorized(self.operator.matrix().tocsc())
        u, out = self.exact(0.0).ravel(), []
        for _ in range(self.setup.steps):
            u = solve(u)
            out.append(u.reshape(self.operator.shape))
        return np.stack(out)
