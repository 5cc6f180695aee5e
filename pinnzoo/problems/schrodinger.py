"""Nonlinear Schrödinger equation (complex-valued, periodic)."""

from __future__ import annotations

import functools

import numpy as np
import tensorflow as tf

from pinnzoo.metrics import rel_l2
from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box
from pinnzoo.references.spectral import PeriodicReference


@functools.lru_cache(maxsize=2)
def _reference() -> PeriodicReference:
    return PeriodicReference(lambda x: (2.0 / np.cosh(x)).astype(complex), 10.0, -5.0, 256,
                             lambda k: -0.5j * k ** 2, lambda h: 1j * np.abs(h) ** 2 * h,
                             t_end=np.pi / 2, dt=np.pi / 2 / 200 / 20, dt_out=np.pi / 2 / 1000)


@register_problem
class Schrodinger(PDEProblem):
    r"""Focusing cubic nonlinear Schrödinger equation; ``h = u + i v``.

    .. math::
        i h_t + \tfrac12 h_{xx} + |h|^2 h = 0,\quad x \in [-5, 5]\ \text{periodic},\ t \in [0, \pi/2],\quad
        h(x, 0) = 2\,\mathrm{sech}(x),

    i.e. ``u_t + ½ v_xx + (u²+v²) v = 0`` and ``v_t - ½ u_xx - (u²+v²) u = 0``.
    Reference: ETDRK4 Fourier solver, 256 modes. Scored by the relative L2
    error of ``|h|`` on Raissi's 256×201 grid (``rel_l2``), with the errors of
    ``u``, ``v`` and ``h`` reported too. ``2 sech x`` is not smoothly periodic
    on ``[-5, 5]``, so the initial condition stays a loss term (as in the paper).

    Paper: Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019), Sec. 3.1.1.
    """

    name = "schrodinger"
    title = "Nonlinear Schroedinger, |h| error"
    paper = "Raissi, Perdikaris & Karniadakis, J. Comput. Phys. 378 (2019)"
    inputs = ("x", "t")
    outputs = ("u", "v")
    derivatives = ("u_t", "v_t", "u_xx", "v_xx")
    periodic = {"x": 10.0}

    @property
    def domain(self) -> Box:
        return Box({"x": (-5.0, 5.0), "t": (0.0, np.pi / 2)})

    def residual(self, f, p):
        u, v = f["u"], f["v"]
        m = u * u + v * v
        return {"re": f["u_t"] + 0.5 * f["v_xx"] + m * v, "im": f["v_t"] - 0.5 * f["u_xx"] - m * u}

    def conditions(self):
        return [Condition("initial_u", {"t": 0.0}, "u", lambda f, p: 2.0 / tf.cosh(f["x"])),
                Condition("initial_v", {"t": 0.0}, "v", 0.0),
                Condition("periodic_u", {"x": -5.0}, "u", shift={"x": 10.0}),
                Condition("periodic_v", {"x": -5.0}, "v", shift={"x": 10.0}),
                Condition("periodic_u_x", {"x": -5.0}, "u_x", shift={"x": 10.0}),
                Condition("periodic_v_x", {"x": -5.0}, "v_x", shift={"x": 10.0})]


    def reference(self, pts):
        h = _reference()(pts[:, 0], pts[:, 1])
        return np.stack([h.real, h.imag], axis=1)

    def score(self, pred, ref):
        out = {"rel_l2": rel_l2(np.hypot(pred[:, 0], pred[:, 1]), np.hypot(ref[:, 0], ref[:, 1])),
               "rel_l2_u": rel_l2(pred[:, 0], ref[:, 0]), "rel_l2_v": rel_l2(pred[:, 1], ref[:, 1])}
        out["rel_l2_h"] = rel_l2(pred, ref)
        return out

    def scoring_grid(self):
        return self.domain.grid(axes={"x": np.linspace(-5, 5, 257)[:-1], "t": np.linspace(0, np.pi / 2, 201)})
