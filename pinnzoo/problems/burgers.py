"""Viscous Burgers equation (forward problem)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.parameters import ParameterError
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


#: the viscosities at which the parametric problem is scored: (0.5, 0.75, 1, 1.5, 2) x 0.01/pi
PARAMETRIC_SCORING_NU = tuple(s * 0.01 / np.pi for s in (0.5, 0.75, 1.0, 1.5, 2.0))


@register_problem
class BurgersParametric(Burgers):
    r""":class:`Burgers` for a whole range of viscosities at once: ``nu`` is a third input of the network.

    .. math::
        u_t + u u_x = \nu u_{xx}, \quad x \in [-1, 1],\ t \in [0, 1],\ \nu \in [\nu_{min}, \nu_{max}], \\
        u(x, 0, \nu) = -\sin(\pi x), \quad u(\pm 1, t, \nu) = 0,

    with :math:`[\nu_{min}, \nu_{max}] = [0.5, 2] \times 0.01/\pi` by default. One trained network
    answers every viscosity in the range (a *parametric* PINN; the solver scales ``nu`` to [-1, 1] like
    the coordinates). Reference: the Cole–Hopf solution at each point's own ``nu``. Scored on Raissi et
    al.'s grid at the five viscosities of :data:`PARAMETRIC_SCORING_NU` (inside the range), with the
    error at each of them (``rel_l2_nu<i>``) beside the overall one. The same hard constraint as
    :class:`Burgers`.

    Paper: the parametric (ν as input) setting of S. Cuomo et al., "Scientific machine learning
    through physics-informed neural networks", J. Sci. Comput. 92 (2022), Sec. 3.2; the problem of
    Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019).
    """

    name = "burgers_parametric"
    title = "Viscous Burgers for nu in [0.5, 2] x 0.01/pi, nu a network input"
    inputs = ("x", "t", "nu")
    default_params = {"nu_min": 0.5 * 0.01 / np.pi, "nu_max": 2.0 * 0.01 / np.pi}
    param_ranges = {"nu_min": (5e-4, 1.0), "nu_max": (5e-4, 1.0)}
    parameter_inputs = ("nu",)  # exports serve serving_default(inputs [batch, 2], nu [batch, 1])

    def check_params(self):
        if not self.params["nu_min"] < self.params["nu_max"]:
            raise ParameterError(f"{self.name}: nu_min must be below nu_max, got {self.params}")

    @property
    def domain(self) -> Box:
        return Box({"x": (-1.0, 1.0), "t": (0.0, 1.0), "nu": (self.params["nu_min"], self.params["nu_max"])})

    def residual(self, f, p):
        return f["u_t"] + f["u"] * f["u_x"] - f["nu"] * f["u_xx"]

    def reference(self, points):
        out = np.empty((len(points), 1))
        for nu in np.unique(points[:, 2]):
            at = points[:, 2] == nu
            out[at, 0] = burgers_cole_hopf(points[at, 0], points[at, 1], float(nu))
        return out

    def scoring_nu(self) -> np.ndarray:
        lo, hi = self.params["nu_min"], self.params["nu_max"]
        inside = [v for v in PARAMETRIC_SCORING_NU if lo <= v <= hi]
        return np.array(inside if len(inside) >= 2 else np.geomspace(lo, hi, 5))

    def scoring_grid(self):
        return self.domain.grid(axes={"x": np.linspace(-1, 1, 256), "t": np.linspace(0, 0.99, 100),
                                      "nu": self.scoring_nu()})

    def score(self, pred, ref):
        """The overall errors, and ``rel_l2_nu<i>`` at the i-th scoring viscosity (``nu_values`` lists them)."""
        out = super().score(pred, ref)
        nus = self.scoring_nu()
        p, r = pred.reshape(-1, len(nus)), ref.reshape(-1, len(nus))  # the grid's last axis is nu
        for i in range(len(nus)):
            out[f"rel_l2_nu{i}"] = float(np.linalg.norm(p[:, i] - r[:, i]) / np.linalg.norm(r[:, i]))
        out["nu_values"] = [float(v) for v in nus]
        return out
