"""PINNacle's heat problems on the unit square (Hao et al., NeurIPS 2024)."""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from pinnzoo.geometry import Rectangle, SpaceTime
from pinnzoo.problems.base import PDEProblem, dirichlet, register_problem
from pinnzoo.references.sine_series import SineSeriesHeat


@register_problem
class Heat2DMultiscale(PDEProblem):
    r"""Heat equation with diffusivities five hundred times apart (PINNacle's Heat 2d-MS).

    .. math::  u_t = \frac{u_{xx}}{(500\pi)^2} + \frac{u_{yy}}{\pi^2}\ \text{on}\ [0, 1]^2 \times [0, 5],\quad
               u(x, y, 0) = \sin 20\pi x\, \sin \pi y,\quad u = 0\ \text{on the edges},

    exact solution :math:`u = \sin 20\pi x\, \sin \pi y\, e^{-(1 + 400/500^2) t}` (= ``e^{-1.0016 t}``): ten
    periods across x, one across y. The initial value is exact by the hard constraint ``u = u₀ + t N``; the edges
    (part ``edges``) are a loss term. Scored on 32,768 Sobol' points of the space-time box.
    """

    name = "heat2d_multiscale"
    title = "Heat 2d-MS: diffusivities 1/(500π)² and 1/π², ten periods across x"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = ("x", "y", "t"), ("u",)
    derivatives = ("u_t", "u_xx", "u_yy")
    hard_constrained = ("initial_u",)
    rate = 1.0 + 400.0 / 500.0 ** 2

    @property
    def domain(self):
        return SpaceTime(Rectangle([0.0, 0.0], [1.0, 1.0], label="edges"), (0.0, 5.0))

    @staticmethod
    def initial(x, y, lib):
        return lib.sin(20 * np.pi * x) * lib.sin(np.pi * y)

    def residual(self, f, p):
        return f["u_t"] - f["u_xx"] / (500 * np.pi) ** 2 - f["u_yy"] / np.pi ** 2

    def conditions(self):
        return [dirichlet("initial", lambda f, p: self.initial(f["x"], f["y"], tf), n_points=1024),
                dirichlet("edges", 0.0, n_points=1024)]

    def hard_constraint(self, x, raw):
        return self.initial(x["x"], x["y"], tf) + x["t"] * raw

    def reference(self, pts):
        return (self.initial(pts[:, 0], pts[:, 1], np) * np.exp(-self.rate * pts[:, 2]))[:, None]


@register_problem
class Heat2DLongTime(PDEProblem):
    r"""A semilinear heat equation over a long time (PINNacle's Heat 2d-LT).

    .. math::  u_t = 0.001\,\Delta u + 5 \sin(u^2)\,(1 + 2\sin\tfrac{\pi t}{4}) \sin 4\pi x \sin 2\pi y\
               \text{on}\ [0, 1]^2 \times [0, 100],\quad u(x, y, 0) = \sin 4\pi x \sin 3\pi y,\quad
               u = 0\ \text{on the edges}.

    No closed form: the reference is a sine-series pseudo-spectral solution with ETDRK4 time steps
    (:class:`~pinnzoo.references.sine_series.SineSeriesHeat`, ``reference_grid`` intervals per side and step
    ``reference_dt``; its accuracy stated by the refinement study of ``benchmarks/pinnacle.py``). Hard constraint
    ``u = u₀ + (1 - e^{-t}) · 16 x(1 - x) y(1 - y) N``: the initial value and the edges exact.
    """

    name = "heat2d_longtime"
    title = "Heat 2d-LT: semilinear heat equation over t in [0, 100]"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = ("x", "y", "t"), ("u",)
    derivatives = ("u_t", "u_xx", "u_yy")
    hard_constrained = ("initial_u", "edges_u")
    reference_method = "spectral"
    nu = 0.001
    reference_grid, reference_dt = 128, 0.025

    @property
    def domain(self):
        return SpaceTime(Rectangle([0.0, 0.0], [1.0, 1.0], label="edges"), (0.0, 100.0))

    @staticmethod
    def initial(x, y, lib):
        return lib.sin(4 * np.pi * x) * lib.sin(3 * np.pi * y)

    @staticmethod
    def forcing(u, x, y, t, lib):
        """The reaction term ``5 sin(u²)(1 + 2 sin(πt/4)) sin 4πx sin 2πy`` (numpy or tensorflow)."""
        return 5 * lib.sin(u ** 2) * (1 + 2 * lib.sin(np.pi * t / 4)) * lib.sin(4 * np.pi * x) * lib.sin(2 * np.pi * y)

    def residual(self, f, p):
        return f["u_t"] - self.nu * (f["u_xx"] + f["u_yy"]) - self.forcing(f["u"], f["x"], f["y"], f["t"], tf)

    def conditions(self):
        return [dirichlet("initial", lambda f, p: self.initial(f["x"], f["y"], tf), n_points=1024),
                dirichlet("edges", 0.0, n_points=1024)]

    def hard_constraint(self, x, raw):
        bubble = 16 * x["x"] * (1 - x["x"]) * x["y"] * (1 - x["y"])
        return self.initial(x["x"], x["y"], tf) + (1 - tf.exp(-x["t"])) * bubble * raw

    def spectral(self, n: int | None = None, dt: float | None = None):
        """The sine-series solution with ``n`` intervals per side and time step ``dt`` (the reference's by
        default; cached)."""
        return _spectral(self.reference_grid if n is None else int(n), self.reference_dt if dt is None else float(dt))

    def reference(self, pts):
        return self.spectral()(pts)[:, None]


@functools.lru_cache(maxsize=4)
def _spectral(n: int, dt: float):
    problem = Heat2DLongTime
    return SineSeriesHeat(lambda x, y: problem.initial(x, y, np), problem.nu,
                          lambda u, x, y, t: problem.forcing(u, x, y, t, np), 100.0, n=n, dt=dt, dt_out=0.1)
