"""Diffusion–reaction equation with a multi-frequency source."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box

_MODES = (1, 2, 3, 4, 8)


def _u0(x, sin):
    return sum(sin(k * x) / k for k in _MODES)


@register_problem
class DiffusionReaction(PDEProblem):
    r"""Diffusion with a decaying multi-scale source.

    .. math::
        u_t = u_{xx} + e^{-t}\Big(\tfrac32 \sin 2x + \tfrac83 \sin 3x + \tfrac{15}4 \sin 4x + \tfrac{63}8 \sin 8x\Big),
        \quad x \in [-\pi, \pi],\ t \in [0, 1],

    with exact initial and boundary data from the solution
    ``u = e^{-t} (sin x + sin 2x / 2 + sin 3x / 3 + sin 4x / 4 + sin 8x / 8)``.
    Hard constraint ``u = u(x, 0) + t (π² - x²) N(x, t)``.

    Paper: DeepXDE's diffusion–reaction example (Lu et al., SIAM Review 63, 2021).
    """

    name = "diffusion_reaction"
    title = "Diffusion-reaction, modes 1-4 and 8"
    paper = "Lu, Meng, Mao & Karniadakis, SIAM Review 63 (2021)"
    inputs = ("x", "t")
    outputs = ("u",)
    derivatives = ("u_t", "u_xx")
    hard_constrained = ("initial", "boundary")

    @property
    def domain(self) -> Box:
        return Box({"x": (-np.pi, np.pi), "t": (0.0, 1.0)})

    def residual(self, f, p):
        x = f["x"]
        source = tf.exp(-f["t"]) * (1.5 * tf.sin(2 * x) + 8 / 3 * tf.sin(3 * x) + 15 / 4 * tf.sin(4 * x)
                                    + 63 / 8 * tf.sin(8 * x))
        return f["u_t"] - f["u_xx"] - source

    def conditions(self):
        return [Condition("initial", {"t": 0.0}, "u", lambda f, p: _u0(f["x"], tf.sin)),
                Condition("boundary", {"x": (-np.pi, np.pi)}, "u", 0.0)]

    def hard_constraint(self, x, raw):
        return _u0(x["x"], tf.sin) + x["t"] * (np.pi ** 2 - x["x"] ** 2) * raw

    def reference(self, pts):
        return (np.exp(-pts[:, 1]) * _u0(pts[:, 0], np.sin))[:, None]

    def scoring_grid(self):
        return self.domain.grid(counts={"x": 101, "t": 101})
