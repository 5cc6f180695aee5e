r"""One-shot transfer: re-solve the last layer of a warm-started PINN by least squares.

A warm start keeps the hidden layers' features ``Φ(x)`` of the source instance. With them fixed the network's
output ``u = h(x)·(Φ(x) W + b)`` (``h`` a hard constraint, or 1) is linear in the last layer ``θ = (W, b)``,
so for a linear PDE operator ``L`` and linear conditions the stacked, weighted residual vector
(:meth:`~pinnzoo.solvers.PINNSolver.residual_vector`) is affine in ``θ``,

.. math::  ρ(θ) = J θ − g,\qquad \min_θ ‖ρ(θ)‖² \;⇔\; J θ \approx g \text{ in least squares},

and one Gauss–Newton step solves it: the best output layer the source's features allow for the new instance,
found in seconds instead of by thousands of quasi-Newton iterations. For a nonlinear operator (Burgers'
``u u_x``) ``ρ`` is not affine and the step is repeated, halved until it lowers the loss (damped
Gauss–Newton), until a step gains less than a small fraction. Each step solves ``J δ ≈ −ρ`` by least squares on
``J`` itself (``scipy.linalg.lstsq``), not by the normal equations: hidden features are nearly dependent, and
``JᵀJ`` squares that conditioning. Training then goes on from there with every weight free.

Paper: S. Desai, M. Mattheakis, H. Joy, P. Protopapas, S. Roberts, "One-shot transfer learning of
physics-informed neural networks", ICML 2022 AI4Science workshop, arXiv:2110.11286.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.linalg
import tensorflow as tf

from pinnzoo.solvers.lbfgs import flat_residuals
from pinnzoo.priors.variables import last_layer_variables


def refit_last_layer(solver, batch: dict, iterations: int = 20, rtol: float = 1e-3) -> dict:
    """Minimise ``solver``'s loss on ``batch`` over its prior's last layer alone (module docstring), in place:
    at most ``iterations`` Gauss–Newton steps, stopping once a step lowers the loss by less than the fraction
    ``rtol`` or no step (halved down to 1/64) lowers it.

    Returns ``{"variables", "loss_before", "loss_after", "iterations", "seconds"}``: the number of weights
    re-solved and the total loss on ``batch`` before and after."""
    start = time.perf_counter()
    variables = [v for v in last_layer_variables(solver.prior) if v.trainable]
    residual_fun = flat_residuals(solver, batch, variables)
    dtype = variables[0].dtype

    def residuals(x, jacobian=False):
        rho, jac, _ = residual_fun(tf.constant(x, dtype=dtype), jacobian)
        return (rho.numpy(), jac.numpy()) if jacobian else rho.numpy()

    x = np.concatenate([v.numpy().ravel() for v in variables]).astype(np.float64)
    r, jac = residuals(x, True)
    before = f = float(r @ r)
    done = 0
    while done < iterations:
        step = scipy.linalg.lstsq(jac, -r, check_finite=False)[0]
        for t in 0.5 ** np.arange(7):
            r_new = residuals(x + t * step)
            f_new = float(r_new @ r_new) if np.all(np.isfinite(r_new)) else np.inf
            if f_new < f:
                break
        else:
            break  # no descent along the step
        x, done, gain = x + t * step, done + 1, (f - f_new) / f
        f = f_new
        if gain < rtol or done == iterations:
            break
        r, jac = residuals(x, True)
    residuals(x)  # leave the weights at the result (the last trial may have been rejected)
    return {"variables": int(x.size), "loss_before": before, "loss_after": f, "iterations": done,
            "seconds": round(time.perf_counter() - start, 2)}
