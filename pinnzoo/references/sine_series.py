"""Sine-series (Dirichlet) pseudo-spectral reference solver for 2-D semilinear heat equations on the unit square.

``u_t = ν Δu + N(u, x, y, t)`` with ``u = 0`` on the edges: ``u = Σ b_jk(t) sin jπx sin kπy`` on the interior
nodes ``(i/n, l/n)`` of an ``n × n`` grid (discrete sine transforms, type I), the Laplacian diagonal
(``-π²(j² + k²)``), the nonlinear term evaluated on the grid, time stepping by ETDRK4 with stage times for a
time-dependent ``N`` (Cox & Matthews, J. Comput. Phys. 176, 2002; the φ-functions by contour integrals as in
:func:`pinnzoo.references.spectral.etdrk4`).
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.fft import dstn


def _phi(lin: np.ndarray, dt: float, contour_points: int = 32):
    """ETDRK4's coefficients ``(e, e2, q, f1, f2, f3)`` for the diagonal linear part ``lin`` (real, ≤ 0)."""
    r = np.exp(2j * np.pi * (np.arange(1, contour_points + 1) - 0.5) / contour_points)
    lr = dt * lin[..., None] + r
    mean = lambda v: dt * np.mean(v, axis=-1).real  # noqa: E731
    return (np.exp(dt * lin), np.exp(dt * lin / 2), mean((np.exp(lr / 2) - 1) / lr),
            mean((-4 - lr + np.exp(lr) * (4 - 3 * lr + lr ** 2)) / lr ** 3),
            mean((2 + lr + np.exp(lr) * (-2 + lr)) / lr ** 3),
            mean((-4 - 3 * lr - lr ** 2 + np.exp(lr) * (4 - lr)) / lr ** 3))


class SineSeriesHeat:
    """The solution of ``u_t = ν Δu + N(u, x, y, t)`` on [0, 1]² × [0, T], ``u = 0`` on the edges, evaluable
    anywhere: spectrally in space (the sine series), by cubic Lagrange interpolation between the snapshots taken
    every ``dt_out`` in time.

    Args:
        u0: ``u0(x, y)`` (numpy arrays).
        nu: the diffusivity.
        nonlinear: ``N(u, x, y, t)`` on grid arrays.
        t_end, n, dt, dt_out: final time, grid intervals per side, time step, snapshot spacing (a multiple of dt).
    """

    def __init__(self, u0: Callable, nu: float, nonlinear: Callable, t_end: float, n: int = 64, dt: float = 0.05,
                 dt_out: float = 0.1):
        per = int(round(dt_out / dt))
        if n < 4 or per < 1 or abs(per * dt - dt_out) > 1e-12 * dt_out:
            raise ValueError(f"need n >= 4 and dt_out a multiple of dt, got n={n}, dt={dt}, dt_out={dt_out}")
        self.n, self.nu = int(n), float(nu)
        nodes = np.arange(1, n) / n
        x, y = np.meshgrid(nodes, nodes, indexing="ij")
        j = np.arange(1, n)
        lin = -nu * np.pi ** 2 * (j[:, None] ** 2 + j[None, :] ** 2)
        e, e2, q, f1, f2, f3 = _phi(lin, dt)

        def nl(b, t):
            return dstn(nonlinear(self._values(b), x, y, t), type=1) / n ** 2

        b = dstn(u0(x, y), type=1) / n ** 2
        steps = int(round(t_end / dt_out))
        snapshots = [b]
        for s in range(steps * per):
            t = s * dt
            nb = nl(b, t)
            a = e2 * b + q * nb
            na = nl(a, t + dt / 2)
            c = e2 * b + q * na
            nc = nl(c, t + dt / 2)
            d = e2 * a + q * (2 * nc - nb)
            nd = nl(d, t + dt)
            b = e * b + f1 * nb + 2 * f2 * (na + nc) + f3 * nd
            if (s + 1) % per == 0:
                snapshots.append(b)
        self.t = np.linspace(0.0, steps * dt_out, steps + 1)
        self.coefficients = np.stack(snapshots)  # [times, n-1, n-1]

    def _values(self, b: np.ndarray) -> np.ndarray:
        """Grid values of coefficients ``b`` (the inverse of ``dstn(·, type=1) / n²``)."""
        return dstn(b, type=1) / 4

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """``u`` at ``points [N, 3]`` of ``(x, y, t)``: the sine series at the four snapshots around each ``t``,
        combined by cubic Lagrange interpolation in time (exact at the snapshots)."""
        points = np.asarray(points, dtype=float)
        j = np.arange(1, self.n)
        step = self.t[1] - self.t[0]
        last = len(self.t) - 1
        position = np.clip(points[:, 2] / step, 0, last)
        first = np.clip(np.floor(position).astype(int) - 1, 0, last - 3)  # the stencil first, first + 1, ...
        out = np.empty(len(points))
        for start in np.unique(first):
            sel = np.flatnonzero(first == start)
            p = points[sel]
            sx, sy = np.sin(np.pi * np.outer(p[:, 0], j)), np.sin(np.pi * np.outer(p[:, 1], j))
            values = np.einsum("pj,mjk,pk->mp", sx, self.coefficients[start:start + 4], sy)  # [4, points]
            s = position[sel] - start
            nodes = np.arange(4.0)
            weights = [np.prod([(s - nodes[k]) / (nodes[m] - nodes[k]) for k in range(4) if k != m], axis=0)
                       for m in range(4)]
            out[sel] = np.sum(np.asarray(weights) * values, axis=0)
        return out
