"""One-dimensional heat equation: forward and inverse (unknown diffusivity)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box


@register_problem
class Heat1D(PDEProblem):
    r"""Heat equation with a decaying sine mode.

    .. math::
        u_t = a\, u_{xx},\quad x \in [0, 1],\ t \in [0, 1],\quad u(x, 0) = \sin(\pi x),\quad
        u(0, t) = u(1, t) = 0,\quad a = 0.4,

    exact solution ``u = exp(-a π² t) sin(πx)``. Hard constraint
    ``u = sin(πx) + t x (1 - x) N(x, t)``.

    Paper: benchmark of L. Lu et al., "DeepXDE", SIAM Review 63 (2021).
    """

    name = "heat1d"
    title = "Heat, u_t = 0.4 u_xx, u(x,0) = sin(pi x)"
    paper = "Lu, Meng, Mao & Karniadakis, SIAM Review 63 (2021)"
    inputs = ("x", "t")
    outputs = ("u",)
    derivatives = ("u_t", "u_xx")
    default_params = {"a": 0.4}
    param_ranges = {"a": (1e-3, 100.0)}
    hard_constrained = ("initial", "boundary")

    @property
    def domain(self) -> Box:
        return Box({"x": (0.0, 1.0), "t": (0.0, 1.0)})

    def residual(self, f, p):
        return f["u_t"] - p["a"] * f["u_xx"]

    def conditions(self):
        return [Condition("initial", {"t": 0.0}, "u", lambda f, p: tf.sin(np.pi * f["x"])),
                Condition("boundary", {"x": (0.0, 1.0)}, "u", 0.0)]

    def hard_constraint(self, x, raw):
        return tf.sin(np.pi * x["x"]) + x["t"] * x["x"] * (1.0 - x["x"]) * raw

    def reference(self, pts):
        return (np.exp(-self.params["a"] * np.pi ** 2 * pts[:, 1]) * np.sin(np.pi * pts[:, 0]))[:, None]

    def scoring_grid(self):
        return self.domain.grid(counts={"x": 101, "t": 101})


@register_problem
class HeatInverse(Heat1D):
    """:class:`Heat1D` with the diffusivity ``a`` unknown, identified from noisy observations.

    ``params["a"]`` is the true value (used for the reference and the synthetic
    observations); the solver starts from its own initial guess.
    """

    name = "heat_inverse"
    title = "Heat, diffusivity identified from 1,000 noisy observations"
    trainable = ("a",)


@register_problem
class HeatNoisyInitial(Heat1D):
    r""":class:`Heat1D` as a forward problem whose initial condition is *measured*, not known.

    The initial profile ``u(x, 0) = sin(πx)`` enters only through ``n`` noisy samples
    on the line ``t = 0`` (:meth:`observations`: Gaussian noise of ``noise`` times the
    samples' standard deviation); the boundary values stay exact (hard constraint
    ``u = x (1 - x) N(x, t)``). The PDE damps the noise's high modes at once, so the
    error is dominated by how much noise the fit puts into ``u(·, 0)`` — the PINN
    analogue of a Deep Image Prior fitted to a noisy image.
    """

    name = "heat1d_noisy_initial"
    title = "Heat, initial condition from noisy samples"
    hard_constrained = ("boundary",)

    def conditions(self):
        return [Condition("boundary", {"x": (0.0, 1.0)}, "u", 0.0)]

    def hard_constraint(self, x, raw):
        return x["x"] * (1.0 - x["x"]) * raw

    def observations(self, n, noise=0.0, seed=0):
        """``n`` uniform points of the initial line ``t = 0`` and ``sin(πx)`` there, plus noise."""
        if n < 1 or noise < 0:
            raise ProblemError(f"observations need n >= 1 and noise >= 0, got n={n}, noise={noise}")
        rng = np.random.default_rng(seed)
        x = self.domain.sample(n, rng, fix={"t": 0.0})
        y = self.reference(x)
        return x, y + noise * y.std() * rng.standard_normal(y.shape)
