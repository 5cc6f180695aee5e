"""Kovasznay flow: steady incompressible Navier–Stokes with an exact solution."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.metrics import rel_l2
from pinnzoo.problems.base import Condition, PDEProblem, register_problem
from pinnzoo.problems.domains import Box


def _lam(re: float) -> float:
    return re / 2 - np.sqrt(re ** 2 / 4 + 4 * np.pi ** 2)


@register_problem
class Kovasznay(PDEProblem):
    r"""Laminar flow behind a two-dimensional grid (Kovasznay 1948), Re = 20.

    .. math::
        u u_x + v u_y + p_x - \tfrac{1}{Re}\Delta u = 0,\quad
        u v_x + v v_y + p_y - \tfrac{1}{Re}\Delta v = 0,\quad u_x + v_y = 0

    on ``[-0.5, 1] × [-0.5, 1.5]`` with Dirichlet data for ``u, v`` from the
    exact flow ``u = 1 - e^{λx} cos 2πy``, ``v = λ/(2π) e^{λx} sin 2πy``,
    ``p = (1 - e^{2λx})/2``, ``λ = Re/2 - sqrt(Re²/4 + 4π²)``. The pressure is
    defined up to a constant: its error is reported after removing the mean.
    ``rel_l2`` (the target) is the larger of the ``u`` and ``v`` errors.

    Paper: L. I. G. Kovasznay, Proc. Camb. Phil. Soc. 44 (1948) 58–62; as a PINN
    benchmark in DeepXDE (Lu et al., SIAM Review 63, 2021).
    """

    name = "kovasznay"
    title = "Kovasznay flow, Re = 20"
    paper = "Kovasznay, Proc. Camb. Phil. Soc. 44 (1948)"
    inputs = ("x", "y")
    outputs = ("u", "v", "p")
    derivatives = ("u_x", "u_y", "u_xx", "u_yy", "v_x", "v_y", "v_xx", "v_yy", "p_x", "p_y")
    default_params = {"re": 20.0}
    param_ranges = {"re": (0.1, 1000.0)}

    @property
    def domain(self) -> Box:
        return Box({"x": (-0.5, 1.0), "y": (-0.5, 1.5)})

    def residual(self, f, p):
        nu = 1.0 / p["re"]
        u, v = f["u"], f["v"]
        return {
            "momentum_x": u * f["u_x"] + v * f["u_y"] + f["p_x"] - nu * (f["u_xx"] + f["u_yy"]),
            "momentum_y": u * f["v_x"] + v * f["v_y"] + f["p_y"] - nu * (f["v_xx"] + f["v_yy"]),
            "continuity": f["u_x"] + f["v_y"],
        }

    def _exact(self, x, y, exp, cos, sin):
        lam = _lam(self.params["re"])
        return (1 - exp(lam * x) * cos(2 * np.pi * y), lam / (2 * np.pi) * exp(lam * x) * sin(2 * np.pi * y),
                0.5 * (1 - exp(2 * lam * x)))

    def conditions(self):
        def target(j):
            return lambda f, p: self._exact(f["x"], f["y"], tf.exp, tf.cos, tf.sin)[j]

        return [Condition("boundary_x_u", {"x": (-0.5, 1.0)}, "u", target(0)),
                Condition("boundary_x_v", {"x": (-0.5, 1.0)}, "v", target(1)),
                Condition("boundary_y_u", {"y": (-0.5, 1.5)}, "u", target(0)),
                Condition("boundary_y_v", {"y": (-0.5, 1.5)}, "v", target(1))]

    def reference(self, pts):
        return np.stack(self._exact(pts[:, 0], pts[:, 1], np.exp, np.cos, np.sin), axis=1)

    def score(self, pred, ref):
        out = {f"rel_l2_{n}": rel_l2(pred[:, j], ref[:, j]) for j, n in enumerate("uv")}
        out["rel_l2_p"] = rel_l2(pred[:, 2] - pred[:, 2].mean(), ref[:, 2] - ref[:, 2].mean())
        out["rel_l2"] = max(out["rel_l2_u"], out["rel_l2_v"])
        return out

    def scoring_grid(self):
        return self.domain.grid(counts={"x": 101, "y": 101})
