"""PINNacle's inverse problems (Hao et al., NeurIPS 2024): a diffusion coefficient field recovered with the
solution from noisy measurements of the solution alone."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.geometry import Rectangle, SpaceTime
from pinnzoo.problems.base import PDEProblem, dirichlet, register_problem


def coons(edge, x, y, lo: float, hi: float):
    r"""The transfinite (Coons) interpolant on :math:`[lo, hi]^2` of a function known on the edges alone:
    ``edge(x, y)`` is evaluated on the four edges only, and the result equals it there.

    .. math::  g = (1-s)\,e(lo, y) + s\,e(hi, y) + (1-r)\,e(x, lo) + r\,e(x, hi) - \text{bilinear corners},
               \quad s = \tfrac{x - lo}{hi - lo},\ r = \tfrac{y - lo}{hi - lo}.
    """
    s, r = (x - lo) / (hi - lo), (y - lo) / (hi - lo)
    at = lambda u, v: edge(u + 0 * x, v + 0 * y)  # noqa: E731 — an edge value broadcast to the points' shape
    sides = (1 - s) * at(lo, y) + s * at(hi, y) + (1 - r) * at(x, lo) + r * at(x, hi)
    corners = ((1 - s) * (1 - r) * at(lo, lo) + s * (1 - r) * at(hi, lo) + (1 - s) * r * at(lo, hi)
               + s * r * at(hi, hi))
    return sides - corners


class _AbsoluteNoise(PDEProblem):
    """Observations with absolute noise (PINNacle's convention): standard deviation ``noise`` whatever the values'
    spread."""

    def noise_variance(self, noise, x):
        return float(noise) ** 2


@register_problem
class PoissonInverse2D(_AbsoluteNoise):
    r"""A diffusion coefficient recovered with the solution (PINNacle's PInv).

    .. math::  \nabla\cdot(a \nabla u) + f = 0\ \text{on}\ [0, 1]^2,\quad u = \sin \pi x \sin \pi y,\quad
               a = \frac{1}{1 + x^2 + y^2 + (x-1)^2 + (y-1)^2},

    with :math:`f = -a\Delta u - \nabla a\cdot\nabla u = 2\pi^2 a u + (D_x u_x + D_y u_y)/D^2`,
    :math:`D = 1/a`, :math:`D_x = 2(2x - 1)`. PINNacle's code writes :math:`(2x + 1)` for :math:`(2x - 1)` in
    :math:`f` (so its ``f`` does not belong to its ``u`` and ``a``); this is the consistent one.
    Measured: ``u`` alone (:attr:`observed`) on a 50 × 50 grid of the square with absolute Gaussian noise
    (σ = 0.1, PINNacle's setting: :meth:`observations`); ``a`` is known on the edges. Unknown: ``u`` and ``a``
    everywhere. Outputs ``(u, a)``, scored jointly (PINNacle's L2RE).

    Hard constraint on ``a``: its edge values by their Coons interpolant (:func:`coons`, which reads ``a`` on the
    edges alone) plus ``x(1 - x) y(1 - y) N_a``; ``u`` is unconstrained.
    """

    name = "poisson_inverse2d"
    title = "PInv: diffusion coefficient and solution from noisy measurements"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = ("x", "y"), ("u", "a")
    derivatives = ("u_x", "u_y", "u_xx", "u_yy", "a_x", "a_y")
    observed = ("u",)
    hard_constrained = ("edges_a",)

    @property
    def domain(self):
        return Rectangle([0.0, 0.0], [1.0, 1.0], label="edges")

    @staticmethod
    def exact(x, y, lib):
        """``(u, a)`` of the problem, ``lib`` numpy or tensorflow."""
        d = 1 + x ** 2 + y ** 2 + (x - 1) ** 2 + (y - 1) ** 2
        return lib.sin(np.pi * x) * lib.sin(np.pi * y), 1 / d

    def source(self, x, y, lib):
        u, a = self.exact(x, y, lib)
        d = 1 / a
        ux, uy = np.pi * lib.cos(np.pi * x) * lib.sin(np.pi * y), np.pi * lib.sin(np.pi * x) * lib.cos(np.pi * y)
        return 2 * np.pi ** 2 * a * u + (2 * (2 * x - 1) * ux + 2 * (2 * y - 1) * uy) / d ** 2

    def residual(self, f, p):
        flux = f["a"] * (f["u_xx"] + f["u_yy"]) + f["a_x"] * f["u_x"] + f["a_y"] * f["u_y"]
        return flux + self.source(f["x"], f["y"], tf)

    def conditions(self):
        return [dirichlet("edges", lambda f, p: self.exact(f["x"], f["y"], tf)[1], field="a", n_points=512)]

    def hard_constraint(self, x, raw):
        edge_a = coons(lambda u, v: self.exact(u, v, tf)[1], x["x"], x["y"], 0.0, 1.0)
        bubble = x["x"] * (1 - x["x"]) * x["y"] * (1 - x["y"])
        return tf.concat([raw[:, :1], edge_a + bubble * raw[:, 1:2]], axis=1)

    def reference(self, pts):
        return np.stack(self.exact(pts[:, 0], pts[:, 1], np), axis=1)

    def observations(self, n, noise=0.0, seed=0):
        """``u`` on a √n × √n grid of the square (both ends included; PINNacle: 50 × 50) plus Gaussian noise of
        standard deviation ``noise`` — absolute, PINNacle's convention, not relative to the values' spread."""
        side = int(round(np.sqrt(n)))
        if n < 4 or side * side != n or noise < 0:
            raise ProblemError(f"{self.name}: observations need a square n >= 4 and noise >= 0, got n={n}, "
                               f"noise={noise}")
        axis = np.linspace(0.0, 1.0, side)
        x = np.stack(np.meshgrid(axis, axis, indexing="ij"), axis=-1).reshape(-1, 2)
        y = self.reference(x)[:, self.observed_columns]
        return x, y + noise * np.random.default_rng(seed).standard_normal(y.shape)

@register_problem
class HeatInverse2D(_AbsoluteNoise):
    r"""A diffusion coefficient recovered with a heat flow (PINNacle's HInv).

    .. math::  u_t = \nabla\cdot(a \nabla u) + f\ \text{on}\ [-1, 1]^2 \times [0, 1],\quad
               u = e^{-t} \sin \pi x \sin \pi y,\quad a = 2 + \sin \pi x \sin \pi y,

    with the consistent :math:`f = u_t - a\Delta u - \nabla a\cdot\nabla u
    = (2\pi^2 a - 1)\,u - \pi^2 e^{-t}(\cos^2 \pi x \sin^2 \pi y + \sin^2 \pi x \cos^2 \pi y)`.
    Measured: ``u`` alone at 2,500 points drawn uniformly in the space-time box (PINNacle's
    ``heatinv_points.dat`` holds 2,500 such points; ours are drawn by the run's seed, nothing is read from outside
    the package) with absolute Gaussian noise σ = 0.1; ``a`` is known on the edges. Unknown: ``u`` and ``a``.
    ``a`` does not depend on time: it is an output of the network like ``u`` (so a function of ``(x, y, t)``) and
    the residual term ``steady_a = a_t`` asks it to be constant in time (PINNacle feeds its ``a`` network x and y
    alone). Outputs ``(u, a)``, scored jointly on the space-time points.
    Hard constraint on ``a`` as in :class:`PoissonInverse2D` (Coons interpolant of its edge values).
    """

    name = "heat_inverse2d"
    title = "HInv: diffusion coefficient and heat flow from noisy measurements"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = ("x", "y", "t"), ("u", "a")
    derivatives = ("u_t", "u_x", "u_y", "u_xx", "u_yy", "a_x", "a_y", "a_t")
    observed = ("u",)
    hard_constrained = ("edges_a",)

    @property
    def domain(self):
        return SpaceTime(Rectangle([-1.0, -1.0], [1.0, 1.0], label="edges"), (0.0, 1.0))

    @staticmethod
    def exact(x, y, t, lib):
        """``(u, a)`` of the problem, ``lib`` numpy or tensorflow."""
        s = lib.sin(np.pi * x) * lib.sin(np.pi * y)
        return lib.exp(-t) * s, 2 + s

    @staticmethod
    def coefficient(x, y, lib):
        """``a(x, y)`` alone (it does not depend on t)."""
        return 2 + lib.sin(np.pi * x) * lib.sin(np.pi * y)

    def source(self, x, y, t, lib):
        u, a = self.exact(x, y, t, lib)
        cx, cy, sx, sy = (lib.cos(np.pi * x), lib.cos(np.pi * y), lib.sin(np.pi * x), lib.sin(np.pi * y))
        return (2 * np.pi ** 2 * a - 1) * u - np.pi ** 2 * lib.exp(-t) * ((cx * sy) ** 2 + (sx * cy) ** 2)

    def residual(self, f, p):
        flux = f["a"] * (f["u_xx"] + f["u_yy"]) + f["a_x"] * f["u_x"] + f["a_y"] * f["u_y"]
        return {"heat": f["u_t"] - flux - self.source(f["x"], f["y"], f["t"], tf), "steady_a": f["a_t"]}

    def conditions(self):
        return [dirichlet("edges", lambda f, p: self.coefficient(f["x"], f["y"], tf), field="a", n_points=512)]

    def hard_constraint(self, x, raw):
        edge_a = coons(lambda u, v: self.coefficient(u, v, tf), x["x"], x["y"], -1.0, 1.0)
        bubble = (1 - x["x"] ** 2) * (1 - x["y"] ** 2)
        return tf.concat([raw[:, :1], edge_a + bubble * raw[:, 1:2]], axis=1)

    def reference(self, pts):
        return np.stack(self.exact(pts[:, 0], pts[:, 1], pts[:, 2], np), axis=1)

    def observations(self, n, noise=0.0, seed=0):
        """``u`` at ``n`` uniform points of the space-time box plus Gaussian noise of standard deviation ``noise``
        (absolute, PINNacle's convention)."""
        if n < 1 or noise < 0:
            raise ProblemError(f"{self.name}: observations need n >= 1 and noise >= 0, got n={n}, noise={noise}")
        rng = np.random.default_rng(seed)
        x = self.domain.sample_interior(n, rng)
        y = self.reference(x)[:, self.observed_columns]
        return x, y + noise * rng.standard_normal(y.shape)