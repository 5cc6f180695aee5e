"""PINNacle's Poisson problems on plates with circular holes (Hao et al., NeurIPS 2024), with finite-element
references of our own (:mod:`pinnzoo.references.fem`)."""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from pinnzoo.geometry import Disk, Rectangle
from pinnzoo.problems.base import PDEProblem, dirichlet, register_problem
from pinnzoo.references.fem import solve_elliptic

#: mesh size of the reference solves; the refinement study (benchmarks/pinnacle.py) states their accuracy
REFERENCE_H = 0.005


class _PlateProblem(PDEProblem):
    r"""A square plate :math:`[-c, c]^2` (part ``square``) with disks removed (part ``circles``):

    .. math::  -\Delta u + k u = f(x, y),\quad u = u_s \ \text{on the square's edges},\quad u = u_c \ \text{on the circles}.

    Reference: P2 finite elements on a curved gmsh mesh of the same geometry (h = :data:`REFERENCE_H`), cached.

    Hard constraint ``u = g + φ N`` with smooth functions that vanish exactly on the boundaries (R-function style,
    Sukumar & Srivastava, CMAME 389, 2022): :math:`d_s = (c^2 - x^2)(c^2 - y^2)/c^4` on the edges,
    :math:`d_c = \prod_k (|x - x_k|^2 - r_k^2) / (|x - x_k|^2 + r_k^2)` on the circles, :math:`φ = d_s d_c` and
    :math:`g = u_s + (u_c - u_s)\, d_s / (d_c + d_s)`.
    """

    inputs, outputs, derivatives = ("x", "y"), ("u",), ("u_xx", "u_yy")
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    reference_method = "fem"  # piecewise quadratic: checked by its refinement study, not by finite differences
    hard_constrained = ("square_u", "circles_u")
    corner: float = 1.0
    centres: tuple = ()
    radii: tuple = ()
    on_square, on_circles, reaction = 0.0, 0.0, 0.0
    reference_h = REFERENCE_H

    def source(self, x, y, lib):
        """``f(x, y)`` with ``lib`` numpy or tensorflow; zero here."""
        return 0.0 * x

    @property
    def domain(self):
        union = None
        for c, r in zip(self.centres, self.radii):
            hole = Disk(c, r, label="circles")
            union = hole if union is None else union | hole
        return Rectangle([-self.corner] * 2, [self.corner] * 2, label="square") - union

    def residual(self, f, p):
        return -(f["u_xx"] + f["u_yy"]) + self.reaction * f["u"] - self.source(f["x"], f["y"], tf)

    def conditions(self):
        return [dirichlet("square", self.on_square, n_points=512), dirichlet("circles", self.on_circles, n_points=512)]

    def hard_constraint(self, x, raw):
        factors = []
        for (cx, cy), r in zip(self.centres, self.radii):
            q = (x["x"] - cx) ** 2 + (x["y"] - cy) ** 2
            factors.append((q - r ** 2) / (q + r ** 2))
        d_c = tf.math.reduce_prod(tf.stack(factors), axis=0)
        c2 = self.corner ** 2
        d_s = (c2 - x["x"] ** 2) * (c2 - x["y"] ** 2) / c2 ** 2
        return self.on_square + (self.on_circles - self.on_square) * d_s / (d_c + d_s) + d_s * d_c * raw

    def fem_solve(self, h: float):
        """The finite-element solution at mesh size ``h`` (:func:`~pinnzoo.references.fem.solve_elliptic`)."""
        corner, on_square, on_circles = self.corner, self.on_square, self.on_circles

        def boundary_values(x, y):
            return np.where(np.abs(np.maximum(np.abs(x), np.abs(y)) - corner) < 1e-9, on_square, on_circles)
        return solve_elliptic(self.domain, h, boundary_values, source=lambda x, y: self.source(x, y, np),
                              reaction=self.reaction)

    def fem(self, h: float | None = None):
        return _fem(type(self), self.reference_h if h is None else h)

    def reference(self, pts):
        return self.fem()(pts)[:, None]


@functools.lru_cache(maxsize=8)
def _fem(cls, h: float):
    return cls().fem_solve(h)


@register_problem
class Poisson2DHoles(_PlateProblem):
    r"""Laplace's equation on a square plate with four holes (PINNacle's Poisson 2d-C).

    .. math::  \Delta u = 0 \ \text{in}\ [-\tfrac12, \tfrac12]^2 \setminus \textstyle\bigcup_{k=1}^4 B_{0.1}((\pm0.3, \pm0.3)),
               \quad u = 1 \ \text{on the square's edges},\quad u = 0 \ \text{on the circles}.

    No closed form: the reference is ours (see :class:`_PlateProblem`).
    """

    name = "poisson2d_holes"
    title = "Poisson 2d-C: Laplace on a square with four holes"
    corner, on_square, on_circles = 0.5, 1.0, 0.0
    centres = ((-0.3, -0.3), (-0.3, 0.3), (0.3, -0.3), (0.3, 0.3))
    radii = (0.1,) * 4


@register_problem
class PoissonBoltzmann2D(_PlateProblem):
    r"""A screened Poisson (Poisson–Boltzmann) equation on a square with four holes of different sizes
    (PINNacle's Poisson 2d-CG).

    .. math::  -\Delta u + 64 u = 10 (1 + x^2 + 16 + y^2) \sin(\pi x) \sin(4\pi y)\ \text{in}\ [-1, 1]^2 \setminus
               \text{disks}\ (0.5, 0.5; 0.2), (0.4, -0.4; 0.4), (-0.2, -0.7; 0.1), (-0.6, 0.5; 0.3),

    u = 0.2 on the square's edges and 1 on the circles. No closed form: the reference is ours.
    """

    name = "poisson_boltzmann2d"
    title = "Poisson 2d-CG: screened Poisson on a square with four holes"
    corner, on_square, on_circles, reaction = 1.0, 0.2, 1.0, 64.0
    centres = ((0.5, 0.5), (0.4, -0.4), (-0.2, -0.7), (-0.6, 0.5))
    radii = (0.2, 0.4, 0.1, 0.3)

    def source(self, x, y, lib):
        return 10.0 * (17.0 + x ** 2 + y ** 2) * lib.sin(np.pi * x) * lib.sin(4 * np.pi * y)
