"""Fourier pseudo-spectral reference solvers for periodic 1-D evolution equations.

``u_t = L u + N(u)`` with ``L`` diagonal in Fourier space (``L(k)``) is
integrated by the fourth-order exponential time-differencing Runge–Kutta
scheme ETDRK4, its φ-function coefficients evaluated by contour integrals to
avoid cancellation (A.-K. Kassam, L. N. Trefethen, "Fourth-order time-stepping
for stiff PDEs", SIAM J. Sci. Comput. 26 (2005) 1214–1233). Real and complex
fields are supported (Allen–Cahn, nonlinear Schrödinger, ...).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.interpolate import CubicSpline


def etdrk4(u0: np.ndarray, length: float, linear: Callable[[np.ndarray], np.ndarray],
           nonlinear: Callable[[np.ndarray], np.ndarray], t_out: np.ndarray, dt: float,
           contour_points: int = 64) -> np.ndarray:
    """Integrate on a periodic grid of ``len(u0)`` points over a period ``length``.

    Args:
        u0: initial values on the grid ``x_j = x0 + j·length/n``.
        linear: ``L(k)`` for angular wavenumbers ``k`` (e.g. ``-ν k²``).
        nonlinear: ``N(u)`` in physical space.
        t_out: increasing output times, starting at 0; each must be a multiple of ``dt``
            (to rounding).
    Returns:
        ``[len(t_out), n]`` array of the solution at ``t_out``.
    """
    u0 = np.asarray(u0)
    n = u0.size
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    lin = linear(k).astype(complex)
    e, e2 = np.exp(dt * lin), np.exp(dt * lin / 2)
    r = np.exp(2j * np.pi * (np.arange(1, contour_points + 1) - 0.5) / contour_points)  # full circle: L may be complex
    lr = dt * lin[:, None] + r[None, :]
    q = dt * np.mean((np.exp(lr / 2) - 1) / lr, axis=1)
    f1 = dt * np.mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr ** 2)) / lr ** 3, axis=1)
    f2 = dt * np.mean((2 + lr + np.exp(lr) * (-2 + lr)) / lr ** 3, axis=1)
    f3 = dt * np.mean((-4 - 3 * lr - lr ** 2 + np.exp(lr) * (4 - lr)) / lr ** 3, axis=1)
    if np.isrealobj(u0):
        q, f1, f2, f3 = q.real, f1.real, f2.real, f3.real
    real = np.isrealobj(u0)

    def nl_hat(v_hat):
        return np.fft.fft(nonlinear(np.fft.ifft(v_hat).real if real else np.fft.ifft(v_hat)))

    t_out = np.asarray(t_out, dtype=float)
    steps = np.rint(t_out / dt).astype(int)
    if np.any(np.abs(steps * dt - t_out) > 1e-9 * max(1.0, t_out.max())) or np.any(np.diff(steps) < 0):
        raise ValueError("t_out must be increasing multiples of dt")
    out = np.empty((len(t_out), n), dtype=u0.dtype)
    v = np.fft.fft(u0)
    step = 0
    for i, target in enumerate(steps):
        while step < target:
            nv = nl_hat(v)
            a = e2 * v + q * nv
            na = nl_hat(a)
            b = e2 * v + q * na
            nb = nl_hat(b)
            c = e2 * a + q * (2 * nb - nv)
            nc = nl_hat(c)
            v = e * v + nv * f1 + 2 * (na + nb) * f2 + nc * f3
            step += 1
        u = np.fft.ifft(v)
        out[i] = u.real if real else u
    return out


def periodic_interpolate(values: np.ndarray, length: float, x0: float, x: np.ndarray) -> np.ndarray:
    """Trigonometric (spectral) interpolation of grid ``values`` (period ``length``, first node ``x0``) at ``x``."""
    n = values.shape[-1]
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    coef = np.fft.fft(values, axis=-1) / n
    phase = np.exp(1j * np.outer(np.asarray(x) - x0, k))
    res = phase @ coef.T if values.ndim > 1 else phase @ coef
    return res.real if np.isrealobj(values) else res


class PeriodicReference:
    """A spectral solution on a periodic interval, evaluable anywhere in ``[x0, x0+L] × [0, T]``.

    Solves once with :func:`etdrk4` on ``n`` points, keeping snapshots every
    ``dt_out``; values at arbitrary points use trigonometric interpolation in
    ``x`` (spectrally accurate) and a cubic spline in ``t`` between snapshots.
    Points that fall on the snapshot times use no time interpolation; at
    ``t = 0`` the initial function itself is returned (it need not be smooth as a
    periodic function, where interpolation would show Gibbs oscillations).
    """

    def __init__(self, u0, length, x0, n, linear, nonlinear, t_end, dt, dt_out):
        self.u0 = u0
        self.length, self.x0, self.n = float(length), float(x0), int(n)
        self.x = x0 + self.length * np.arange(n) / n
        steps = int(round(t_end / dt_out))
        self.t = np.linspace(0.0, steps * dt_out, steps + 1)
        self.values = etdrk4(u0(self.x), self.length, linear, nonlinear, self.t, dt)  # [nt, n]
        self._spline = None

    def __call__(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        x, t = np.broadcast_arrays(np.asarray(x, float), np.asarray(t, float))
        out = np.empty(x.shape, dtype=self.values.dtype)
        k = np.rint(t / (self.t[1] - self.t[0])).astype(int)
        on_grid = (np.abs(self.t[np.clip(k, 0, len(self.t) - 1)] - t) < 1e-12) & (k >= 0) & (k < len(self.t))
        for ki in np.unique(k[on_grid]):
            sel = on_grid & (k == ki)
            out[sel] = periodic_interpolate(self.values[ki], self.length, self.x0, x[sel])
        off = ~on_grid
        if off.any():
            if self._spline is None:
                self._spline = CubicSpline(self.t, np.fft.fft(self.values, axis=1) / self.n, axis=0)
            coef = self._spline(t[off])  # [m, n] Fourier coefficients at each time
            kk = 2 * np.pi * np.fft.fftfreq(self.n, d=self.length / self.n)
            vals = np.sum(coef * np.exp(1j * np.outer(x[off] - self.x0, kk)), axis=1)
            out[off] = vals if np.iscomplexobj(self.values) else vals.real
        initial = t == 0
        out[initial] = self.u0(x[initial])
        return out
