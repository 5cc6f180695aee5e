"""Poisson and Helmholtz equations on the unit square (steady, 2-D)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.parameters import ParameterError
from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box


class _UnitSquareDirichlet(PDEProblem):
    """Shared pieces: the unit square, zero Dirichlet data, a 101×101 scoring grid."""

    inputs = ("x", "y")
    outputs = ("u",)
    derivatives = ("u_xx", "u_yy")
    hard_constrained = ("boundary_x", "boundary_y")

    @property
    def domain(self) -> Box:
        return Box({"x": (0.0, 1.0), "y": (0.0, 1.0)})

    def conditions(self):
        return [Condition("boundary_x", {"x": (0.0, 1.0)}, "u", 0.0, n_points=256),
                Condition("boundary_y", {"y": (0.0, 1.0)}, "u", 0.0, n_points=256)]

    def hard_constraint(self, x, raw):
        return x["x"] * (1.0 - x["x"]) * x["y"] * (1.0 - x["y"]) * raw

    def scoring_grid(self):
        return self.domain.grid(counts={"x": 101, "y": 101})


@register_problem
class Poisson2D(_UnitSquareDirichlet):
    r"""Poisson equation with a manufactured solution.

    .. math::  -\Delta u = 2\pi^2 \sin(\pi x)\sin(\pi y) \ \text{on}\ [0,1]^2,\quad u = 0 \ \text{on the boundary},

    exact solution ``u = sin(πx) sin(πy)``. Hard constraint
    ``u = x(1-x) y(1-y) N(x, y)``.

    Paper: the standard PINN benchmark, e.g. L. Lu et al., "DeepXDE", SIAM Review 63 (2021).
    """

    name = "poisson2d"
    title = "Poisson on [0,1]^2, u = sin(pi x) sin(pi y)"
    paper = "Lu, Meng, Mao & Karniadakis, SIAM Review 63 (2021)"

    def residual(self, f, p):
        return -(f["u_xx"] + f["u_yy"]) - 2.0 * np.pi ** 2 * tf.sin(np.pi * f["x"]) * tf.sin(np.pi * f["y"])

    def reference(self, pts):
        return (np.sin(np.pi * pts[:, 0]) * np.sin(np.pi * pts[:, 1]))[:, None]


@register_problem
class Helmholtz2D(_UnitSquareDirichlet):
    r"""Helmholtz equation with a high-frequency manufactured solution.

    .. math::  -\Delta u - k^2 u = k^2 \sin(kx)\sin(ky) \ \text{on}\ [0,1]^2,\quad u = 0 \ \text{on the boundary},\quad k = 4\pi,

    exact solution ``u = sin(kx) sin(ky)``. Hard constraint as for Poisson.

    Paper: S. Wang, Y. Teng, P. Perdikaris, "Understanding and mitigating
    gradient flow pathologies in physics-informed neural networks", SIAM J.
    Sci. Comput. 43 (2021) (Helmholtz benchmark).
    """

    name = "helmholtz2d"
    title = "Helmholtz on [0,1]^2, k = 4 pi"
    paper = "Wang, Teng & Perdikaris, SIAM J. Sci. Comput. 43 (2021)"
    default_params = {"k": 4.0 * np.pi}
    param_ranges = {"k": (np.pi, 20.0 * np.pi)}

    def check_params(self):
        """``k`` must be a multiple of π, where ``sin(kx) sin(ky)`` vanishes on the boundary; a value within
        0.1 % of one (``k=12.566``) is taken as that multiple exactly."""
        n = self.params["k"] / np.pi
        if abs(n - round(n)) > 1e-3:
            raise ParameterError(f"{self.name}: k must be a multiple of pi (sin(kx) sin(ky) vanishes on the boundary "
                                 f"of the unit square only then), got k = {self.params['k']:g} = {n:.4g} pi")
        self.params["k"] = round(n) * np.pi

    def residual(self, f, p):
        k = p["k"]
        return -(f["u_xx"] + f["u_yy"]) - k ** 2 * f["u"] - k ** 2 * tf.sin(k * f["x"]) * tf.sin(k * f["y"])

    def reference(self, pts):
        k = self.params["k"]
        return (np.sin(k * pts[:, 0]) * np.sin(k * pts[:, 1]))[:, None]
