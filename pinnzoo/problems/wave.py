"""One-dimensional wave equation (second derivative in time)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box


@register_problem
class Wave1D(PDEProblem):
    r"""Wave equation with two standing modes.

    .. math::
        u_{tt} = c^2 u_{xx},\ x \in [0, 1],\ t \in [0, 1],\ c = 10,\quad u(0,t) = u(1,t) = 0,\quad
        u(x, 0) = \sin \pi x + \sin 2\pi x,\quad u_t(x, 0) = 0,

    exact solution ``u = sin(πx) cos(cπt) + sin(2πx) cos(2cπt)``. The hard
    constraint ``u = u(x, 0) + (1 - exp(-(ct)²)) x (1 - x) N(x, t)`` satisfies
    both initial conditions and the boundary condition; the time factor grows
    like ``(ct)²`` near ``t = 0`` and saturates at 1 within one period, so the
    network output stays of order one (a plain ``t²`` factor would ask it for
    values of order ``c²`` at early times).

    Paper: after PINNacle's Wave 1d-C (H. Hao et al., NeurIPS 2024 Datasets and Benchmarks), with c = 10 and modes
    1 and 2 in place of its c = 2 and modes 1 and 4 (that one is :class:`Wave1DPinnacle`).
    """

    name = "wave1d"
    title = "Wave, u_tt = 100 u_xx, two modes"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs = ("x", "t")
    outputs = ("u",)
    derivatives = ("u_tt", "u_xx")
    default_params = {"c": 10.0}
    param_ranges = {"c": (0.1, 100.0)}
    hard_constrained = ("initial", "initial_velocity", "boundary")
    #: standing modes (k, a): u = Σ a sin(kπx) cos(kcπt)
    modes = ((1, 1.0), (2, 1.0))

    def initial(self, x, lib):
        return sum(a * lib.sin(k * np.pi * x) for k, a in self.modes)

    @property
    def domain(self) -> Box:
        return Box({"x": (0.0, 1.0), "t": (0.0, 1.0)})

    def residual(self, f, p):
        return f["u_tt"] - p["c"] ** 2 * f["u_xx"]

    def conditions(self):
        return [Condition("initial", {"t": 0.0}, "u", lambda f, p: self.initial(f["x"], tf)),
                Condition("initial_velocity", {"t": 0.0}, "u_t", 0.0),
                Condition("boundary", {"x": (0.0, 1.0)}, "u", 0.0)]

    def hard_constraint(self, x, raw):
        u0 = self.initial(x["x"], tf)
        ct = self.params["c"] * x["t"]
        return u0 + (1.0 - tf.exp(-ct * ct)) * x["x"] * (1.0 - x["x"]) * raw

    def reference(self, pts):
        x, t, c = pts[:, 0], pts[:, 1], self.params["c"]
        return sum(a * np.sin(k * np.pi * x) * np.cos(k * c * np.pi * t) for k, a in self.modes)[:, None]

    def scoring_grid(self):
        return self.domain.grid(counts={"x": 101, "t": 101})


@register_problem
class Wave1DPinnacle(Wave1D):
    r"""PINNacle's Wave 1d-C as defined there.

    .. math::
        u_{tt} = 4 u_{xx},\ (x, t) \in [0, 1]^2,\quad u = \sin \pi x \cos 2\pi t + \tfrac12 \sin 4\pi x \cos 8\pi t

    (its values at t = 0 and x = 0, 1; u_t(x, 0) = 0); the hard constraint of :class:`Wave1D`.

    Paper: H. Hao et al., PINNacle, NeurIPS 2024 Datasets and Benchmarks.
    """

    name = "wave1d_pinnacle"
    title = "Wave 1d-C (PINNacle): u_tt = 4 u_xx, modes 1 and 4"
    default_params = {"c": 2.0}
    modes = ((1, 1.0), (4, 0.5))
