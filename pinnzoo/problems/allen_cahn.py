"""Allen–Cahn equation with periodic boundary conditions."""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box
from pinnzoo.references.spectral import PeriodicReference


@functools.lru_cache(maxsize=4)
def _reference(eps: float, gamma: float) -> PeriodicReference:
    return PeriodicReference(lambda x: x ** 2 * np.cos(np.pi * x), 2.0, -1.0, 512,
                             lambda k: -eps * k ** 2 + gamma, lambda u: -gamma * u ** 3,
                             t_end=1.0, dt=1e-4, dt_out=0.001)


@register_problem
class AllenCahn(PDEProblem):
    r"""Allen–Cahn reaction–diffusion equation: sharp interfaces that merge over time.

    .. math::
        u_t = \varepsilon u_{xx} + \gamma (u - u^3),\quad x \in [-1, 1]\ \text{periodic},\ t \in [0, 1],\quad
        u(x, 0) = x^2 \cos(\pi x),\quad \varepsilon = 10^{-4},\ \gamma = 5.

    Reference: Fourier pseudo-spectral ETDRK4, 512 modes, Δt = 1e-4
    (:mod:`pinnzoo.references.spectral`). Scored on Raissi's 512×201 grid.
    The initial data is only continuous as a periodic function (``u_x`` jumps at
    ``x = ±1``), so a hard constraint ``u = u0 + t N`` would contradict the
    periodicity of ``u_x`` for ``t > 0``: the initial condition stays a loss term,
    periodicity is exact with the periodic embedding.

    Paper: Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019), Sec. 4.2.2.
    """

    name = "allen_cahn"
    title = "Allen-Cahn, eps = 1e-4, periodic"
    paper = "Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019)"
    inputs = ("x", "t")
    outputs = ("u",)
    derivatives = ("u_t", "u_xx")
    default_params = {"eps": 1e-4, "gamma": 5.0}
    # interfaces no thinner and reactions no faster than the default, whose reference is checked against the published field
    param_ranges = {"eps": (1e-4, 1e-2), "gamma": (0.0, 5.0)}
    periodic = {"x": 2.0}

    @property
    def domain(self) -> Box:
        return Box({"x": (-1.0, 1.0), "t": (0.0, 1.0)})

    def residual(self, f, p):
        u = f["u"]
        return f["u_t"] - p["eps"] * f["u_xx"] - p["gamma"] * (u - u ** 3)

    def conditions(self):
        return [Condition("initial", {"t": 0.0}, "u", lambda f, p: f["x"] ** 2 * tf.cos(np.pi * f["x"])),
                Condition("periodic", {"x": -1.0}, "u", shift={"x": 2.0}),
                Condition("periodic_x", {"x": -1.0}, "u_x", shift={"x": 2.0})]


    def reference(self, pts):
        return _reference(self.params["eps"], self.params["gamma"])(pts[:, 0], pts[:, 1])[:, None]

    def scoring_grid(self):
        return self.domain.grid(axes={"x": np.linspace(-1, 1, 513)[:-1], "t": np.linspace(0, 1, 201)})
