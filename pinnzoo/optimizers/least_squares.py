r"""Levenberg–Marquardt: a damped Gauss–Newton step for losses that are sums of squared residuals.

A PINN loss is ``f(θ) = ‖ρ(θ)‖²`` with ``ρ`` the stacked, weighted residuals at the collocation and condition
points (:meth:`~pinnzoo.solvers.PINNSolver.residual_vector`). With ``J = ∂ρ/∂θ`` (``M × n``, ``n`` a few
thousand weights) every iteration solves

.. math:: (JᵀJ + μ D)\, δ = −Jᵀρ,

``D = diag(JᵀJ)`` clipped below at ``1e-12·max diag`` (Marquardt's scaling), by a Cholesky factorisation of
the smaller of the ``n × n`` system and its ``M × M`` Woodbury form, and
accepts ``θ + δ`` when the gain ratio ``ϱ = (f(θ) − f(θ+δ)) / (−2δᵀJᵀρ − δᵀJᵀJδ)`` is positive. The damping
follows Nielsen: accepted, ``μ ← μ · max(1/3, 1 − (2ϱ − 1)³)`` and ``ν = 2``; rejected, ``μ ← μ ν``,
``ν ← 2ν``. Small ``μ`` is Gauss–Newton (the natural-gradient step of the residual's Gauss–Newton metric, which
energy natural gradient uses for linear PDEs); large ``μ`` a short, scaled gradient step. A rejected trial
costs one evaluation of ``ρ`` without its Jacobian.

Paper: K. Levenberg (1944); D. W. Marquardt, "An algorithm for least-squares estimation of nonlinear
parameters", SIAM J. Appl. Math. 11 (1963); H. B. Nielsen, "Damping parameter in Marquardt's method",
IMM-REP-1999-05, DTU; J. Müller, M. Zeinhofer, "Achieving high accuracy with PINNs via energy natural gradient
descent", ICML 2023 (the Gauss–Newton metric for PINNs).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import scipy.linalg

from pinnzoo.optimizers.base import QUASI_NEWTON, MinimizeResult, QuasiNewtonMethod


class LeastSquaresMethod(QuasiNewtonMethod):
    """A method that needs the residual vector and its Jacobian, not only the loss and its gradient:
    :func:`~pinnzoo.solvers.lbfgs_refine` calls :meth:`minimize_residuals` for it."""

    def minimize(self, fun: Callable, x0: np.ndarray, maxiter: int, callback: Callable) -> MinimizeResult:
        raise TypeError(f"{self.name} minimises a sum of squares: call minimize_residuals with the residuals")

    def minimize_residuals(self, residuals: Callable, x0: np.ndarray, maxiter: int,
                           callback: Callable) -> MinimizeResult:
        """Minimise ``‖ρ(x)‖²``; ``residuals(x, jacobian)`` returns ``ρ`` (``[M]``), and with ``jacobian=True``
        the pair ``(ρ, J)`` (``J``: ``[M, n]``)."""
        raise NotImplementedError


@QUASI_NEWTON.decorator()
class LevenbergMarquardt(LeastSquaresMethod):
    """Levenberg–Marquardt with Marquardt's diagonal scaling and Nielsen's damping (module docstring)."""

    name = "lm"

    def __init__(self, initial_damping: float = 1e-3, min_damping: float = 1e-15, max_damping: float = 1e12):
        self.initial_damping, self.min_damping, self.max_damping = initial_damping, min_damping, max_damping

    def minimize_residuals(self, residuals, x0, maxiter, callback) -> MinimizeResult:
        x = np.array(x0, dtype=np.float64)
        r, jac = residuals(x, True)
        f, evaluations = float(r @ r), 1
        mu, nu, iterations, message = self.initial_damping, 2.0, 0, f"reached maxiter = {maxiter}"
        try:
            while iterations < maxiter:
                step = _DampedStep(jac, r)
                while True:
                    delta = step(mu)
                    jd = jac @ delta
                    predicted = -(2.0 * step.grad @ delta + jd @ jd)
                    trial = x + delta
                    r_new = residuals(trial, False)
                    evaluations += 1
                    f_new = float(r_new @ r_new) if np.all(np.isfinite(r_new)) else np.inf
                    gain = (f - f_new) / predicted if predicted > 0 else -1.0
                    if gain > 0:
                        mu = max(self.min_damping, mu * max(1.0 / 3.0, 1.0 - (2.0 * gain - 1.0) ** 3))
                        nu = 2.0
                        break
                    mu, nu = mu * nu, 2.0 * nu
                    if mu > self.max_damping:
                        return MinimizeResult(x, iterations, evaluations, "damping exceeded its bound: no descent")
                x = trial
                r, jac = residuals(x, True)
                f, evaluations, iterations = float(r @ r), evaluations + 1, iterations + 1
                callback(x)
        except StopIteration:
            message = "stopped by a callback"
        return MinimizeResult(x, iterations, evaluations, message)


class _DampedStep:
    """``δ(μ) = −(JᵀJ + μD)⁻¹ Jᵀρ`` for one ``(J, ρ)``, ``D = diag(JᵀJ)`` floored: solved in the weights'
    space (``n × n``) when there are more residuals than weights, else in the residuals' space by Woodbury's
    identity, ``δ = −D⁻¹Jᵀ (J D⁻¹ Jᵀ + μI)⁻¹ ρ`` (``M × M``): the smaller system either way."""

    def __init__(self, jac, r):
        self.jac, self.r = jac, r
        self.grad = jac.T @ r
        column_squares = np.einsum("ij,ij->j", jac, jac)  # diag(JᵀJ) without forming it
        self.diagonal = np.maximum(column_squares, 1e-12 * max(column_squares.max(), 1e-300))
        m, n = jac.shape
        self.primal = m >= n
        if self.primal:
            self.gram = jac.T @ jac
        else:
            scaled = jac / self.diagonal
            self.kernel = scaled @ jac.T  # J D⁻¹ Jᵀ
            self.scaled = scaled

    def __call__(self, mu: float) -> np.ndarray:
        if self.primal:
            return _solve(self.gram, self.diagonal, mu, -self.grad)
        return -self.scaled.T @ _solve(self.kernel, np.ones(len(self.r)), mu, self.r)


def _solve(gram, diagonal, mu, rhs):
    """``(gram + mu diag(diagonal))⁻¹ rhs`` by Cholesky, falling back to least squares if it fails."""
    system = gram.copy()
    system[np.diag_indices_from(system)] += mu * diagonal
    try:
        return scipy.linalg.cho_solve(scipy.linalg.cho_factor(system, check_finite=False), rhs, check_finite=False)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(system, rhs, rcond=None)[0]
