r"""Steady incompressible Navier–Stokes references: Taylor–Hood (P2 velocity, P1 pressure) finite elements on gmsh
meshes of a :mod:`pinnzoo.geometry` region, Newton's method from the Stokes solution.

.. math::  (\mathbf u\cdot\nabla)\mathbf u + \nabla p = \nu\Delta\mathbf u,\quad \nabla\cdot\mathbf u = 0,

weakly: find :math:`(\mathbf u, p)` with :math:`\nu(\nabla\mathbf u, \nabla\mathbf v) + ((\mathbf u\cdot\nabla)
\mathbf u, \mathbf v) - (p, \nabla\cdot\mathbf v) - (q, \nabla\cdot\mathbf u) = 0` for all test functions; velocity
values on the Dirichlet boundary, and either a pressure value at one node (a pin) or on a boundary part (an outlet,
where the velocity is left free: the natural condition :math:`\nu\,\partial_n\mathbf u - p\,\mathbf n = 0`
holds there, i.e. :math:`\nu\,\partial_n\mathbf u = 0` with :math:`p = 0`). Newton's Jacobian adds
:math:`((\delta\mathbf u\cdot\nabla)\mathbf u + (\mathbf u\cdot\nabla)\delta\mathbf u, \mathbf v)`; the iteration
stops when the update is below ``1e-10`` relative. Velocity converges as :math:`O(h^3)`, pressure as
:math:`O(h^2)` in L2 for smooth solutions; the refinement study (:func:`~pinnzoo.references.fem.refinement_study`)
states the accuracy reached.

Paper: C. Taylor & P. Hood, Comput. Fluids 1 (1973) 73–100; V. Girault & P.-A. Raviart, *Finite Element Methods
for Navier–Stokes Equations* (1986).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np

from pinnzoo.geometry import Geometry
from pinnzoo.references.fem import FEMSolution, triangulate


@dataclasses.dataclass
class FlowSolution:
    """``(u, v, p)`` of a Taylor–Hood solve: one :class:`~pinnzoo.references.fem.FEMSolution` per field."""

    fields: tuple
    h: float
    seconds: float
    newton_steps: int

    @property
    def size(self) -> int:
        return int(sum(f.dofs.size for f in self.fields))

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """``[N, 3]``: u, v, p at ``points [N, 2]``."""
        return np.stack([f(points) for f in self.fields], axis=1)


def solve_navier_stokes(geometry: Geometry, h: float, nu: float, velocity: Callable,
                        pressure_at: tuple[float, float] | None = None,
                        outlet: Callable[[np.ndarray], np.ndarray] | None = None, max_steps: int = 30,
                        size: Callable[[float, float], float] | None = None,
                        pressure_outlet: Callable[[np.ndarray], np.ndarray] | None = None) -> FlowSolution:
    """Taylor–Hood solution on ``geometry`` at mesh size ``h``.

    Args:
        velocity: ``(x, y) -> (u, v)`` on the velocity's Dirichlet boundary (numpy).
        pressure_at: the point whose nearest pressure node is pinned to 0 (a closed cavity).
        outlet: ``points [N, 2] -> bool [N]``, the boundary where ``p = 0`` and the velocity is free.
        size: local mesh size ``(x, y) -> h`` (at most ``h``) to grade the mesh towards corners.
        pressure_outlet: where ``p = 0`` if not all of ``outlet`` (e.g. the closed outlet with its end points, where
            walls keep the velocity fixed and ``outlet`` excludes them).
    """
    from scipy.sparse import bmat
    from scipy.sparse.linalg import spsolve
    from skfem import Basis, BilinearForm, ElementTriP1, ElementTriP2, ElementVector, LinearForm
    from skfem.helpers import ddot, div, dot, grad, mul

    if (pressure_at is None) == (outlet is None):
        raise ValueError("give exactly one of pressure_at (a pin) and outlet (p = 0 there)")
    start = time.perf_counter()
    mesh = triangulate(geometry, h, size)
    vel = Basis(mesh, ElementVector(ElementTriP2()))
    pre = vel.with_element(ElementTriP1())

    @BilinearForm
    def viscous(u, v, w):
        return nu * ddot(grad(u), grad(v))

    @BilinearForm
    def convection(u, v, w):  # Newton's linearisation at w.w
        return dot(mul(grad(u), w.w), v) + dot(mul(grad(w.w), u), v)

    @BilinearForm
    def divergence(u, q, w):
        return -div(u) * q

    @LinearForm
    def advected(v, w):
        return dot(mul(grad(w.w), w.w), v)

    stiffness, b = viscous.assemble(vel), divergence.assemble(vel, pre)
    nu_, np_ = vel.N, pre.N
    wall = vel.get_dofs()
    first, second = wall.all("u^1"), wall.all("u^2")
    x = np.zeros(nu_ + np_)
    locs = vel.doflocs
    keep = (lambda idx: idx) if outlet is None else (lambda idx: idx[~outlet(locs[:, idx].T)])
    first, second = keep(first), keep(second)
    x[first] = velocity(*locs[:, first])[0]
    x[second] = velocity(*locs[:, second])[1]
    if outlet is not None:
        p_dofs = pre.get_dofs().all()
        p_fixed = p_dofs[(pressure_outlet or outlet)(pre.doflocs[:, p_dofs].T)]
    else:
        p_fixed = np.array([np.argmin(np.sum((pre.doflocs.T - np.asarray(pressure_at)) ** 2, axis=1))])
    fixed = np.concatenate([first, second, nu_ + p_fixed])
    free = np.setdiff1d(np.arange(nu_ + np_), fixed)

    def newton_step(linearise: bool):
        u = x[:nu_]
        field = vel.interpolate(u)
        k = stiffness + (convection.assemble(vel, w=field) if linearise else 0 * stiffness)
        jac = bmat([[k, b.T], [b, None]], format="csr")
        lin = bmat([[stiffness, b.T], [b, None]], format="csr")
        residual = lin @ x
        if linearise:
            residual[:nu_] += advected.assemble(vel, w=field)
        delta = np.zeros_like(x)
        delta[free] = spsolve(jac[free][:, free], -residual[free])
        return delta

    x += newton_step(False)  # Stokes
    steps = 0
    for steps in range(1, max_steps + 1):
        delta = newton_step(True)
        x += delta
        if np.linalg.norm(delta) <= 1e-10 * np.linalg.norm(x):
            break
    else:
        raise RuntimeError(f"Newton did not converge in {max_steps} steps at h = {h}")
    bases, indices = vel.split_bases(), vel.split_indices()
    fields = tuple(FEMSolution(base, x[:nu_][idx], mesh, h, 0.0) for base, idx in zip(bases, indices))
    seconds = time.perf_counter() - start
    return FlowSolution((*fields, FEMSolution(pre, x[nu_:], mesh, h, 0.0)), h, seconds, steps)
