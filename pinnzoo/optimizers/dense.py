r"""Full-memory quasi-Newton methods with a strong-Wolfe line search: BFGS, self-scaled BFGS, self-scaled Broyden.

Every iteration steps along ``p = −H g`` with a step length ``α`` that satisfies the strong Wolfe
conditions (``c1 = 1e-4``, ``c2 = 0.9``; scipy's ``line_search``, retried with ``c2 = 0.5``), then updates
the dense inverse-Hessian estimate ``H`` from ``s = α p`` and ``y = g₊ − g`` (``ρ = 1 / yᵀs``). With a few
thousand weights the ``n × n`` matrix is affordable and, unlike L-BFGS's 50 pairs, remembers all curvature.
In the notation of Urbán, Stefanou & Pons (2024), with ``h = ρ yᵀHy`` and ``b = −α ρ sᵀg``:

.. math:: H_+ = \frac{1}{τ}\Big(H − \frac{Hy\,yᵀH}{yᵀHy} + φ\, (yᵀHy)\, v vᵀ\Big) + ρ\, s sᵀ,
          \qquad v = ρ s − \frac{Hy}{yᵀHy},

the Broyden family: ``φ = 1, τ = 1`` is BFGS; ``φ = 1, τ = min(1, 1/b)`` is Al-Baali's self-scaled BFGS;
the self-scaled Broyden method chooses ``φ`` and ``τ`` from ``a = b h − 1`` every step (their eqs. 13–23).
The first update scales the identity to ``H = (yᵀs / yᵀy) I`` (Nocedal & Wright eq. 6.20).

Paper: J. F. Urbán, P. Stefanou, J. A. Pons, "Unveiling the optimization process of physics informed neural
networks: how accurate and competitive can PINNs be?", J. Comput. Phys. 523 (2025) 113656; M. Al-Baali,
H. Khalfan, "A wide interval for efficient self-scaling quasi-Newton algorithms", Optim. Methods Softw. 20
(2005); J. Nocedal, S. Wright, "Numerical Optimization", 2nd ed., ch. 6.
"""

from __future__ import annotations

import abc
import math
import warnings

import numpy as np
import scipy.optimize
from scipy.linalg import blas

from pinnzoo.optimizers.base import QUASI_NEWTON, MinimizeResult, QuasiNewtonMethod


class _Memo:
    """``fun`` called at most once per point: the line search asks for value and gradient separately."""

    def __init__(self, fun):
        self.fun, self.x, self.calls = fun, None, 0

    def _at(self, x):
        if self.x is None or not np.array_equal(x, self.x):
            self.value, self.grad = self.fun(x)
            self.x, self.calls = np.array(x), self.calls + 1
        return self.value, self.grad

    def value_at(self, x):
        return self._at(x)[0]

    def grad_at(self, x):
        return self._at(x)[1]


def strong_wolfe_step(memo: _Memo, x, p, g, f, f_previous):
    """``(α, f(x + αp), ∇f(x + αp))`` for a step satisfying the strong Wolfe conditions, or None."""
    for c2 in (0.9, 0.5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alpha, _, _, f_new, _, _ = scipy.optimize.line_search(memo.value_at, memo.grad_at, x, p, gfk=g,
                                                                  old_fval=f, old_old_fval=f_previous, c1=1e-4,
                                                                  c2=c2, amax=1e100, maxiter=25)
        if alpha is not None and np.isfinite(f_new):
            x_new = x + alpha * p
            return alpha, memo.value_at(x_new), memo.grad_at(x_new)
    return None


class InverseHessian:
    """The dense inverse-Hessian estimate ``H = c G``: a scalar ``c`` times a symmetric ``n × n`` matrix ``G``
    (Fortran order), changed in place. Every update of the Broyden family, ``H ← βH + A M Aᵀ`` with
    ``A = [s, Hy]`` and a symmetric 2 × 2 ``M``, is ``c ← βc`` and one rank-2 BLAS ``dgemm`` into ``G``: a single
    pass over the matrix, where numpy's outer products wrote several full temporaries (at 3,300 weights the
    matrix is 87 MB, and at that size the update, not the loss, took most of an iteration). Every product with
    ``G`` goes through scipy's BLAS too: numpy and scipy each bring their own OpenBLAS, and alternating between
    the two thread pools on two cores cost more than the arithmetic.

    Products asked for ahead with :meth:`prefetch` share one pass over ``G`` and are kept up to date through
    the update (``G v`` gains ``A (Bᵀ v)``), so an iteration's ``Hy`` and next direction ``−H g₊`` cost one pass."""

    def __init__(self, n: int):
        self.G = np.zeros((n, n), order="F")
        self.reset()

    @classmethod
    def from_array(cls, H: np.ndarray) -> "InverseHessian":
        out = cls(H.shape[0])
        out.G[...] = H
        return out

    def reset(self, scale: float = 1.0):
        """``H ← scale · I``."""
        self.G.fill(0.0)
        np.fill_diagonal(self.G, 1.0)
        self.c = float(scale)
        self._known = []  # (v, G v) pairs

    def scale(self, factor: float):
        self.c *= float(factor)

    def prefetch(self, *vectors: np.ndarray):
        """Compute ``G v`` for all ``vectors`` in one pass; ``H @ v`` then costs O(n) until the next reset."""
        products = blas.dgemm(1.0, self.G, np.asfortranarray(np.stack(vectors, axis=1)))
        self._known = [(np.array(v), products[:, k].copy()) for k, v in enumerate(vectors)]

    def __matmul__(self, v: np.ndarray) -> np.ndarray:
        for known, Gv in self._known:
            if np.array_equal(known, v):
                return self.c * Gv
        return blas.dgemv(self.c, self.G, v)

    def rank2_update(self, beta: float, s: np.ndarray, w: np.ndarray, m_ss: float, m_sw: float, m_ww: float):
        """``H ← βH + m_ss s sᵀ + m_sw (s wᵀ + w sᵀ) + m_ww w wᵀ`` in place."""
        self.c *= float(beta)
        if not 1e-150 < abs(self.c) < 1e150:  # fold the factor back into the matrix before it under- or overflows
            self.G *= self.c
            self._known = [(v, self.c * Gv) for v, Gv in self._known]
            self.c = 1.0
        A = np.asfortranarray(np.stack([s, w], axis=1))
        B = A @ (np.array([[m_ss, m_sw], [m_sw, m_ww]]) / self.c)  # G + A Bᵀ = (H + A M Aᵀ) / c
        out = blas.dgemm(1.0, A, B, beta=1.0, c=self.G, trans_b=1, overwrite_c=1)
        if out is not self.G:  # scipy copies when it cannot work in place; keep the result either way
            self.G = out
        self._known = [(v, Gv + A @ (B.T @ v)) for v, Gv in self._known]

    def dense(self) -> np.ndarray:
        """The full matrix ``c G`` (a copy)."""
        return self.c * self.G


class DenseQuasiNewton(QuasiNewtonMethod):
    """The iteration shared by the dense methods; a subclass states the update of ``H``."""

    def __init__(self, gtol: float = 1e-12):
        self.gtol = float(gtol)

    @abc.abstractmethod
    def update(self, H: InverseHessian, s: np.ndarray, y: np.ndarray, g: np.ndarray, alpha: float, first: bool):
        """Update ``H`` in place from the step ``s``, the gradient change ``y``, the old gradient ``g``."""

    def minimize(self, fun, x0, maxiter, callback) -> MinimizeResult:
        memo = _Memo(fun)
        x = np.array(x0, dtype=np.float64)
        f, g = memo.value_at(x), memo.grad_at(x)
        H = InverseHessian(x.size)
        f_previous, first, it, message = f + np.linalg.norm(g) / 2, True, 0, "maximum number of iterations"
        while it < maxiter:
            if not np.max(np.abs(g)) > self.gtol:
                message = "gradient below tolerance"
                break
            p = -(H @ g)
            if not g @ p < 0:  # H lost positive definiteness (rounding): restart from the identity
                H.reset()
                first, p = True, -g
            step = strong_wolfe_step(memo, x, p, g, f, f_previous)
            if step is None and not first:  # one more try along the gradient
                H.reset()
                first, p = True, -g
                step = strong_wolfe_step(memo, x, p, g, f, f_previous)
            if step is None:
                message = "line search failed (the loss no longer decreases at this precision)"
                break
            alpha, f_new, g_new = step
            s, y = alpha * p, g_new - g
            if y @ s > 0:
                H.prefetch(y, g_new)  # the update's Hy and the next direction, in one pass
                self.update(H, s, y, g, alpha, first)
                first = False
            x, f_previous, f, g = x + s, f, f_new, g_new
            it += 1
            try:
                callback(x)
            except StopIteration:
                message = "stopped by a callback"
                break
        return MinimizeResult(x, it, memo.calls, message)


def broyden_update(H: InverseHessian, s, y, rho, phi, tau, Hy=None):
    """``H ← (H − Hy yᵀH / yᵀHy + φ yᵀHy v vᵀ) / τ + ρ s sᵀ`` in place, with ``v = ρ s − Hy / yᵀHy``:
    expanded in ``s`` and ``w = Hy``, the coefficients of ``s sᵀ``, ``s wᵀ + w sᵀ`` and ``w wᵀ`` are
    ``ρ + φ q ρ² / τ``, ``−φ ρ / τ`` and ``(φ − 1) / (q τ)`` with ``q = yᵀHy``."""
    w = H @ y if Hy is None else Hy
    q = float(y @ w)
    H.rank2_update(1.0 / tau, s, w, rho + phi * q * rho * rho / tau, -phi * rho / tau, (phi - 1.0) / (q * tau))


@QUASI_NEWTON.decorator()
class BFGS(DenseQuasiNewton):
    """Full-memory BFGS (``φ = 1, τ = 1``)."""

    name = "bfgs"

    def scaling(self, alpha: float, rho: float, s, g) -> float:
        """``τ`` of a step after the first."""
        return 1.0

    def update(self, H, s, y, g, alpha, first):
        rho = 1.0 / float(y @ s)
        if first:
            H.scale(1.0 / (rho * float(y @ y)))
        broyden_update(H, s, y, rho, 1.0, 1.0 if first else self.scaling(alpha, rho, s, g))


@QUASI_NEWTON.decorator()
class SelfScaledBFGS(BFGS):
    """BFGS with Al-Baali's scaling ``τ = min(1, 1/b)``, ``b = −α ρ sᵀg``."""

    name = "ssbfgs"

    def scaling(self, alpha, rho, s, g):
        return min(1.0, 1.0 / (-alpha * rho * float(s @ g)))


@QUASI_NEWTON.decorator()
class SelfScaledBroyden(DenseQuasiNewton):
    """The self-scaled Broyden method (Urbán et al.'s SSBroyden2): ``θ`` clipped to Al-Baali's interval around
    ``(1 − b)/b``, ``φ = (1 − θ)/(1 + aθ)``, ``τ`` from ``σ = 1 + θa``."""

    name = "ssbroyden"

    def update(self, H, s, y, g, alpha, first):
        rho = 1.0 / float(y @ s)
        Hy = H @ y
        h = rho * float(y @ Hy)
        b = -alpha * rho * float(s @ g)
        a = b * h - 1.0
        if a <= 1e-14:  # H already maps y to s along this step: every member of the family coincides
            theta = 0.0
        else:
            rho_minus = min(1.0, h * (1.0 - math.sqrt(a / (1.0 + a))))
            theta_minus, theta_plus = (rho_minus - 1.0) / a, 1.0 / rho_minus
            theta = max(theta_minus, min(theta_plus, (1.0 - b) / b))
        sigma = 1.0 + theta * a
        if first:
            tau = h / sigma
        else:
            n = s.size
            root = abs(sigma) ** (1.0 / (1 - n)) if n > 1 else 1.0
            scale = min(1.0, 1.0 / b)
            tau = min(scale * root, sigma) if theta <= 0 else scale * min(root, 1.0 / theta)
        broyden_update(H, s, y, rho, (1.0 - theta) / sigma, tau, Hy)
