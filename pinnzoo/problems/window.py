"""A time-dependent problem restricted to one time window, for time-marching."""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf

from pinnzoo.errors import ProblemError
from pinnzoo.problems.base import Condition, PDEProblem
from pinnzoo.problems.domains import Box


class TimeWindow(PDEProblem):
    r"""``base`` on ``t ∈ [t0, t1]``, its initial values taken from a previous solver.

    For a problem ``u_t = F(u)`` on ``[0, T]`` split into windows
    ``0 = t_0 < t_1 < … < t_K = T``, window ``k`` solves

    .. math::
        u_t = F(u) \ \text{on}\ [t_k, t_{k+1}],\qquad u(x, t_k) = u^{(k-1)}_Θ(x, t_k),

    with every other condition of ``base`` unchanged. Each window's network
    only has to represent a short stretch of the dynamics (and sees its own
    window scaled to ``[-1, 1]``), which is what makes stiff problems with
    sharpening fronts such as Allen–Cahn trainable ("time marching", Wight &
    Zhao, Commun. Comput. Phys. 29, 2021; Mattey & Ghosh, CMAME 390, 2022).

    Args:
        base: the full problem (``t`` among its inputs, an initial condition
            fixing ``t`` at its lower bound).
        t0, t1: the window.
        previous: ``None`` for the first window (``base``'s own initial data),
            otherwise an object with ``fields(points, requests)`` — the solver
            of the window before; initial targets (values or derivatives, such
            as ``u_t`` for second order in time) are read from it at ``t0``.
        coordinate: the time coordinate's name.
    """

    def __init__(self, base: PDEProblem, t0: float, t1: float, previous=None, coordinate: str = "t"):
        if coordinate not in base.inputs:
            raise ProblemError(f"{base.name} has no coordinate {coordinate!r} to march in")
        lo, hi = base.domain.bounds[coordinate]
        if not (lo <= t0 < t1 <= hi + 1e-12):
            raise ProblemError(f"window [{t0}, {t1}] must lie inside [{lo}, {hi}] with t0 < t1")
        self.base = base
        self.t0, self.t1 = float(t0), float(t1)
        self.previous = previous
        self.coordinate = coordinate
        for attr in ("name", "inputs", "outputs", "derivatives", "trainable", "hard_constrained", "periodic",
                     "title", "paper", "default_params"):
            setattr(self, attr, getattr(base, attr))
        self.params = dict(base.params)
        if previous is not None:  # the base's output transform imposes its own initial data, not ours
            self.hard_constrained = ()
        initial = [c for c in base.conditions() if self._is_initial(c, lo)]
        if not initial:
            raise ProblemError(f"{base.name} has no initial condition at {coordinate} = {lo}")

    def _is_initial(self, c: Condition, lo: float) -> bool:
        value = c.fix.get(self.coordinate)
        return value is not None and np.ndim(value) == 0 and float(value) == lo and not c.shift

    @property
    def domain(self) -> Box:
        bounds = dict(self.base.domain.bounds)
        bounds[self.coordinate] = (self.t0, self.t1)
        return Box(bounds)

    def residual(self, f, p):
        return self.base.residual(f, p)

    def residual_terms(self, f, p):
        return self.base.residual_terms(f, p)

    def hard_constraint(self, x, raw):
        if self.previous is not None:
            raise ProblemError(f"{self.name}: the hard constraint of the base problem imposes its own initial "
                               "data, not the previous window's; use soft initial conditions when marching")
        return self.base.hard_constraint(x, raw)

    def conditions(self):
        lo = self.base.domain.bounds[self.coordinate][0]
        out = []
        for c in self.base.conditions():
            if not self._is_initial(c, lo):
                out.append(c)
                continue
            fix = dict(c.fix)
            fix[self.coordinate] = self.t0
            if self.previous is None:
                out.append(dataclasses.replace(c, fix=fix))
            else:
                out.append(dataclasses.replace(c, fix=fix, target=self._from_previous(c.field)))
        return out

    def _from_previous(self, field):
        previous, inputs = self.previous, self.inputs
        requests = [] if field in self.outputs else [field]

        def target(f, p):
            points = tf.concat([f[name] for name in inputs], axis=1)
            value = previous.fields(points, requests)[field]
            return tf.stop_gradient(tf.cast(value, f[field].dtype))

        return target

    def reference(self, points):
        return self.base.reference(points)

    def scoring_grid(self):
        points, shape = self.base.scoring_grid()
        col = list(self.inputs).index(self.coordinate)
        keep = (points[:, col] >= self.t0 - 1e-12) & (points[:, col] <= self.t1 + 1e-12)
        return points[keep], (int(keep.sum()),)

    def get_config(self):
        return {"name": self.base.name, "params": dict(self.params), "window": [self.t0, self.t1]}

    def describe(self):
        out = self.base.describe()
        out["window"] = [self.t0, self.t1]
        return out
