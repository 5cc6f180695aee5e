"""PINNacle's steady Navier–Stokes problems (Hao et al., NeurIPS 2024) with Taylor–Hood references of our own
(:mod:`pinnzoo.references.navier_stokes`)."""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from pinnzoo.geometry import Polygon, Rectangle
from pinnzoo.problems.base import Condition, PDEProblem, dirichlet, neumann, register_problem
from pinnzoo.references.navier_stokes import solve_navier_stokes


class _SteadyFlow(PDEProblem):
    r"""Steady incompressible Navier–Stokes in two dimensions, outputs ``(u, v, p)``:

    .. math::  u u_x + v u_y + p_x = \nu \Delta u,\quad u v_x + v v_y + p_y = \nu \Delta v,\quad u_x + v_y = 0.

    Reference: Taylor–Hood finite elements at ``reference_h`` (cached), its accuracy stated by the refinement study
    of ``benchmarks/pinnacle.py``. Scored jointly over ``u, v, p`` (PINNacle's L2RE).
    """

    inputs, outputs = ("x", "y"), ("u", "v", "p")
    derivatives = ("u_x", "u_y", "u_xx", "u_yy", "v_x", "v_y", "v_xx", "v_yy", "p_x", "p_y")
    paper = "Hao et al., PINNacle, NeurIPS 2024"
    reference_method = "fem"
    nu = 0.01
    reference_h = 0.01

    def residual(self, f, p):
        u, v, nu = f["u"], f["v"], self.nu
        return {"momentum_x": u * f["u_x"] + v * f["u_y"] + f["p_x"] - nu * (f["u_xx"] + f["u_yy"]),
                "momentum_y": u * f["v_x"] + v * f["v_y"] + f["p_y"] - nu * (f["v_xx"] + f["v_yy"]),
                "continuity": f["u_x"] + f["v_y"]}

    def fem(self, h: float | None = None):
        return _fem(type(self), self.reference_h if h is None else h)

    def reference(self, pts):
        return self.fem()(pts)


@functools.lru_cache(maxsize=8)
def _fem(cls, h: float):
    return cls().fem_solve(h)


@register_problem
class NS2DLid(_SteadyFlow):
    r"""The lid-driven cavity at ν = 1/100 (PINNacle's NS 2d-C).

    :math:`[0, 1]^2`; lid ``y = 1`` (part ``lid``): :math:`u = 4x(1 - x)`, :math:`v = 0`; no slip on the other
    edges (part ``walls``); :math:`p(0, 0) = 0`. The lid's profile vanishes at the corners, so the velocity is
    continuous there (unlike the classic cavity's), but it meets the side walls with slope ±4: the pressure has a
    logarithmic singularity at the two upper corners. The reference's mesh is graded towards them (size
    ``h · clip(r / 0.2, 0.05, 1)``, ``r`` the distance to the nearer upper corner), and the scoring grid is the
    101 × 101 grid without those two corner nodes, where the pressure is unbounded.

    Hard constraint: :math:`u = 4x(1-x)\,y + x(1-x)y(1-y) N_u`, :math:`v = x(1-x)y(1-y) N_v` (every velocity
    condition exact), the pressure pin a loss term.
    """

    name = "ns2d_lid"
    title = "NS 2d-C: lid-driven cavity, nu = 1/100"
    hard_constrained = ("lid_u", "lid_v", "walls_u", "walls_v")

    @property
    def domain(self):
        return Rectangle([0.0, 0.0], [1.0, 1.0], label="walls", face_labels={"y_max": "lid"})

    def conditions(self):
        return [dirichlet("lid", lambda f, p: 4 * f["x"] * (1 - f["x"]), n_points=256),
                dirichlet("lid", 0.0, field="v", n_points=256),
                dirichlet("walls", 0.0, n_points=512), dirichlet("walls", 0.0, field="v", n_points=512),
                Condition("pin", {"x": 0.0, "y": 0.0}, "p", 0.0, n_points=1)]

    def hard_constraint(self, x, raw):
        bubble = x["x"] * (1 - x["x"]) * x["y"] * (1 - x["y"])
        u = 4 * x["x"] * (1 - x["x"]) * x["y"] + bubble * raw[:, 0:1]
        return tf.concat([u, bubble * raw[:, 1:2], raw[:, 2:3]], axis=1)

    def fem_solve(self, h: float):
        def velocity(x, y):
            return np.where(np.abs(y - 1) < 1e-9, 4 * x * (1 - x), 0.0), 0.0 * x

        def size(x, y):
            r = min(np.hypot(x, y - 1), np.hypot(x - 1, y - 1))
            return h * min(1.0, max(0.05, r / 0.2))
        return solve_navier_stokes(self.domain, h, self.nu, velocity, pressure_at=(0.0, 0.0), size=size)

    def scoring_grid(self):
        points, _ = self.domain.grid()
        keep = ~np.all(np.isclose(points[:, None, :], [[0.0, 1.0], [1.0, 1.0]]), axis=2).any(axis=1)
        return points[keep], (int(keep.sum()),)


def _either(f, g):
    """R-function disjunction (Rvachev): positive where ``f`` or ``g`` is, zero where one is zero and neither
    positive; smooth away from the points where both vanish."""
    return f + g + tf.sqrt(f * f + g * g)


def _both(f, g):
    """R-function conjunction: positive where ``f`` and ``g`` are, zero on the boundary of that set."""
    return f + g - tf.sqrt(f * f + g * g)


@register_problem
class NS2DBackstep(_SteadyFlow):
    r"""Flow over a backward-facing step at ν = 1/100 (PINNacle's NS 2d-CG).

    :math:`[0, 4] \times [0, 2]` minus :math:`[0, 2] \times [1, 2]`; inlet ``x = 0``, :math:`0 \le y \le 1`:
    :math:`u = 4y(1 - y)`, :math:`v = 0`; outlet ``x = 4``: :math:`p = 0`; no slip on the other edges (part
    ``walls``). PINNacle's strong form states only :math:`p = 0` at the outlet, which leaves the outflow velocity
    undetermined; the reference's weak form adds the natural (do-nothing) condition
    :math:`\nu\,\partial_n\mathbf u - p\,\mathbf n = 0`, i.e. :math:`u_x = v_x = 0` there, and so does this problem,
    so that the network and the reference solve the same well-posed problem. The re-entrant corner ``(2, 1)`` makes
    the velocity's gradient and the pressure singular (like :math:`r^{-0.46}`); the reference's mesh is graded
    towards it and the scoring grid (spacing 0.02) leaves that node out.

    Hard constraint: with :math:`\psi = (1 - y) \vee ((x - 2) \wedge (2 - y))` (R-functions), positive in the
    fluid and zero on its upper walls, :math:`u = 4y\,\psi\,r(y) + x y \psi N_u` where :math:`r(y) = (1-y)/\psi(0, y)`
    makes the first term :math:`4y(1-y)` on the inlet; :math:`v = x y \psi N_v`; :math:`p = (4 - x) N_p`. Every
    Dirichlet condition is exact; the outlet's :math:`u_x = v_x = 0` are loss terms.
    """

    name = "ns2d_backstep"
    reference_h = 0.02
    title = "NS 2d-CG: backward-facing step, nu = 1/100"
    hard_constrained = ("inlet_u", "inlet_v", "walls_u", "walls_v", "outlet_p")
    corner = (2.0, 1.0)

    @property
    def domain(self):
        return Polygon([(0, 0), (4, 0), (4, 2), (2, 2), (2, 1), (0, 1)], label="walls",
                       edge_labels={1: "outlet", 5: "inlet"})

    def conditions(self):
        return [dirichlet("inlet", lambda f, p: 4 * f["y"] * (1 - f["y"]), n_points=256),
                dirichlet("inlet", 0.0, field="v", n_points=256),
                dirichlet("walls", 0.0, n_points=1024), dirichlet("walls", 0.0, field="v", n_points=1024),
                dirichlet("outlet", 0.0, field="p", n_points=256),
                neumann("outlet", 0.0, n_points=256), neumann("outlet", 0.0, field="v", n_points=256)]

    @staticmethod
    def upper_walls(x, y):
        """ψ: positive in the fluid, zero on the walls ``y = 1`` (x ≤ 2), ``x = 2`` (y ≥ 1), ``y = 2`` (x ≥ 2)."""
        return _either(1 - y, _both(x - 2, 2 - y))

    def hard_constraint(self, x, raw):
        px, py = x["x"], x["y"]
        psi = self.upper_walls(px, py)
        f, g = 1 - py, _both(-2 * tf.ones_like(py), 2 - py)  # ψ(0, y) = f ∨ g with g < 0, so
        ratio = (tf.sqrt(f * f + g * g) - f - g) / (-2 * g)  # (1 - y)/ψ(0, y), rationalised: no 0/0 at y = 1
        u = 4 * py * psi * ratio + px * py * psi * raw[:, 0:1]
        return tf.concat([u, px * py * psi * raw[:, 1:2], (4 - px) * raw[:, 2:3]], axis=1)

    def fem_solve(self, h: float):
        def velocity(x, y):
            return np.where(np.abs(x) < 1e-9, 4 * y * (1 - y), 0.0), 0.0 * x

        def outlet(points):  # the closed edge x = 4: p = 0 there
            return np.isclose(points[:, 0], 4.0)

        def outflow(points):  # the open edge: the velocity is free there, no slip at its end points
            return outlet(points) & (points[:, 1] > 1e-9) & (points[:, 1] < 2 - 1e-9)

        def size(x, y):
            return h * min(1.0, max(0.05, np.hypot(x - 2, y - 1) / 0.2))
        return solve_navier_stokes(self.domain, h, self.nu, velocity, outlet=outflow, size=size, pressure_outlet=outlet)

    def scoring_grid(self):
        points, _ = self.domain.grid({"x": 201, "y": 101})
        keep = self.domain.inside(points, atol=1e-9) & ~np.all(np.isclose(points, self.corner), axis=1)
        return points[keep], (int(keep.sum()),)
