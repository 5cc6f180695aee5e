"""Viscous Burgers equation (forward problem)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box
from pinnzoo.references.cole_hopf import burgers_cole_hopf


@register_problem
class Burgers(PDEProblem):
    r"""Viscous Burgers equation with a shock-forming sine initial condition.

    .. math::
        u_t + u u_x = \nu u_{xx}, \quad x \in [-1, 1],\ t \in [0, 1], \\
        u(x, 0) = -\sin(\pi x), \quad u(\pm 1, t) = 0, \quad \nu = 0.01/\pi.

    A steep front forms at ``x = 0`` near ``t ≈ 0.3``. Reference: the exact
    Cole–Hopf solution (:mod:`pinnzoo.references.cole_hopf`). Scored by relative
    L2 error on Raissi et al.'s grid: 256 points in ``x`` on ``[-1, 1]`` by 100 in
    ``t`` on ``[0, 0.99]``.

    Hard constraint: ``u = -sin(πx) + t (1 - x²) N(x, t)`` satisfies the initial
    and both boundary conditions for any network output ``N``.

    Paper: M. Raissi, P. Perdikaris, G. E. Karniadakis, "Physics-informed neural
    networks", J. Comput. Phys. 378 (2019) 686–707.
    """

    name = "burgers"
    title = "Viscous Burgers, u(x,0) = -sin(pi x)"
    paper = "Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019)"
    inputs = ("x", "t")
    outputs = ("u",)
    derivatives = ("u_t", "u_x", "u_xx")
    default_params = {"nu": 0.01 / np.pi}
    # the Gauss-Hermite Cole-Hopf reference agrees with an independent trapezoid quadrature to 1e-12 here
    param_ranges = {"nu": (5e-4, 1.0)}
    hard_constrained = ("initial", "boundary")

    @property
    def domain(self) -> Box:
        return Box({"x": (-1.0, 1.0), "t": (0.0, 1.0)})

    def residual(self, f, p):
        return f["u_t"] + f["u"] * f["u_x"] - p["nu"] * f["u_xx"]

    def conditions(self):
        return [
            Condition("initial", {"t": 0.0}, "u", lambda f, p: -tf.sin(np.pi * f["x"]), n_points=256),
            Condition("boundary", {"x": (-1.0, 1.0)}, "u", 0.0, n_points=256),
        ]

    def hard_constraint(self, x, raw):
        return -tf.sin(np.pi * x["x"]) + x["t"] * (1.0 - x["x"] ** 2) * raw

    def reference(self, points):
        return burgers_cole_hopf(points[:, 0], points[:, 1], self.params["nu"])[:, None]

    def scoring_grid(self):
        return self.domain.grid(axes={"x": np.linspace(-1, 1, 256), "t": np.linspace(0, 0.99, 100)})


@register_problem
class BurgersInverse(Burgers):
    """:class:`Burgers` with the viscosity ``nu`` unknown, identified from noisy observations of ``u``.

    ``params["nu"]`` is the true value (0.01/π), used for the reference and the
    synthetic observations; the solver starts from its own initial guess.

    Paper: Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019), Sec. 4.1.1.
    """

    name = "burgers_inverse"
    title = "Burgers, viscosity identified from 2,000 noisy observations"
    trainable = ("nu",)
