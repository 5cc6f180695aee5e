"""PINNacle's high-dimensional problems (Hao et al., NeurIPS 2024): Poisson on the 5-cube (PNd) and heat in the
unit 5-ball (HNd), both with exact solutions."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.geometry import Hypercube, Hypersphere, SpaceTime
from pinnzoo.problems.base import PDEProblem, dirichlet, neumann, register_problem

NAMES = tuple(f"x{i + 1}" for i in range(5))


@register_problem
class Poisson5D(PDEProblem):
    r"""Poisson's equation on the 5-cube (PINNacle's PNd).

    .. math::  -\Delta u = \frac{\pi^2}{4} \sum_{i=1}^5 \sin\frac{\pi x_i}{2}\ \text{on}\ [0, 1]^5,\quad
               u = \sum_i \sin\frac{\pi x_i}{2}\ \text{on the boundary (the exact solution)}.

    Scored on 32,768 Sobol' points of the cube (seed 0).
    """

    name = "poisson5d"
    title = "PNd: Poisson on the 5-cube"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = NAMES, ("u",)
    derivatives = tuple(f"u_{x}{x}" for x in NAMES)

    @property
    def domain(self):
        return Hypercube(np.zeros(5), np.ones(5), names=NAMES, label="cube")

    def residual(self, f, p):
        laplacian = tf.add_n([f[d] for d in self.derivatives])
        return -laplacian - np.pi ** 2 / 4 * tf.add_n([tf.sin(np.pi * f[x] / 2) for x in NAMES])

    def conditions(self):
        return [dirichlet("cube", lambda f, p: tf.add_n([tf.sin(np.pi * f[x] / 2) for x in NAMES]), n_points=1024)]

    def reference(self, pts):
        return np.sin(np.pi * pts / 2).sum(axis=1, keepdims=True)


@register_problem
class Heat5D(PDEProblem):
    r"""The heat equation in the unit ball of R⁵ (PINNacle's HNd).

    .. math::  u_t = \tfrac15 \Delta u - \tfrac15 |x|^2 e^{|x|^2/2 + t}\ \text{in}\ B_1 \times [0, 1],\quad
               \partial_n u = e^{1/2 + t}\ \text{on the sphere},\quad u(x, 0) = e^{|x|^2/2},

    exact solution :math:`u = e^{|x|^2/2 + t}` (:math:`\Delta u = (5 + |x|^2) u`). The initial value is exact by
    the hard constraint ``u = e^{|x|²/2} + t N``; the Neumann condition on the sphere is a loss term.
    """

    name = "heat5d"
    title = "HNd: heat in the unit 5-ball, Neumann boundary"
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    inputs, outputs = (*NAMES, "t"), ("u",)
    derivatives = ("u_t", *(f"u_{x}{x}" for x in NAMES))
    hard_constrained = ("initial_u",)

    @property
    def domain(self):
        return SpaceTime(Hypersphere(np.zeros(5), 1.0, names=NAMES, label="sphere"), (0.0, 1.0))

    @staticmethod
    def _squared(f):
        return tf.add_n([f[x] ** 2 for x in NAMES])

    def residual(self, f, p):
        r2 = self._squared(f)
        laplacian = tf.add_n([f[f"u_{x}{x}"] for x in NAMES])
        return f["u_t"] - laplacian / 5 + r2 / 5 * tf.exp(r2 / 2 + f["t"])

    def conditions(self):
        return [dirichlet("initial", lambda f, p: tf.exp(self._squared(f) / 2), n_points=1024),
                neumann("sphere", lambda f, p: tf.exp(0.5 + f["t"]), n_points=1024)]

    def hard_constraint(self, x, raw):
        return tf.exp(self._squared(x) / 2) + x["t"] * raw

    def reference(self, pts):
        return np.exp((pts[:, :5] ** 2).sum(axis=1) / 2 + pts[:, 5])[:, None]
