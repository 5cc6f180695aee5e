"""The honest race: error against CPU time for classical solvers of the PINN zoo's problems, beside the PINN curves.

    python benchmarks/classical_race.py

For Burgers, Allen–Cahn, the wave equation and Helmholtz — the problems of the accuracy-frontier presets — a
classical solver written with numpy/scipy is run at a ladder of resolutions, each timed (median of
:data:`REPEATS` runs, CPU time of this process) and scored exactly as the PINNs are: the relative L2 error on the
problem's own scoring grid against its own reference.

* **burgers** (ν = 0.01/π, an odd solution on [−1, 1], so the 2-periodic Fourier basis holds it):
  Fourier pseudo-spectral collocation, ETDRK4 in time (:func:`pinnzoo.references.spectral.etdrk4`), 2/3 dealiasing.
* **allen_cahn** (ε = 10⁻⁴, periodic): the same scheme on coarser grids (and larger steps) than its reference's
  (512 points, step 10⁻⁴; errors below that reference's own accuracy are not measured).
* **wave1d** (c = 10): second-order finite differences, leapfrog at Courant number 0.9 (a sine series would be
  exact for these two modes: the race is run against a method that does not know them).
* **helmholtz2d** (k = 4π): the 5-point (second order) and the compact 9-point (fourth order) finite-difference
  schemes, a sparse direct solve (a sine transform would be exact for this single mode).

The PINN side is the shipped exports' recorded error curves (``pinnzoo.json``: seconds since the start and the
error, per logged epoch). Writes ``benchmarks/results/classical_race.json``; the table is ``classical_race`` in
``docs/performance.md`` (``benchmarks/classical_race_tables.py``).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from results_file import progress, write_results
from pinnzoo.presets import get_preset
from pinnzoo.references.spectral import etdrk4, periodic_interpolate

REPEATS = 3


def timed(fn):
    """``(value, median CPU seconds over REPEATS runs)`` (one run when a run takes more than 5 s)."""
    times, value = [], None
    for _ in range(REPEATS):
        start = time.process_time()
        value = fn()
        times.append(time.process_time() - start)
        if times[-1] > 5:
            break
    return value, float(np.median(times))


def relative(pred: np.ndarray, ref: np.ndarray) -> float:
    return float(np.linalg.norm(pred - ref) / np.linalg.norm(ref))


def _grid(problem):
    points, shape = problem.scoring_grid()
    return points, shape, problem.reference(points)[:, 0]


# -- burgers and allen_cahn: Fourier spectral, ETDRK4 -----------------------------------------------------------
def _spectral_on_grid(u0, n, linear, nonlinear, dt, points, x0=-1.0, length=2.0):
    """Solve on ``n`` periodic points and interpolate spectrally at the scoring points (times on the step grid)."""
    x = x0 + length * np.arange(n) / n
    times = np.unique(points[:, 1])
    values = etdrk4(u0(x), length, linear, nonlinear, times, dt)
    out = np.empty(len(points))
    for i, t in enumerate(times):
        sel = points[:, 1] == t
        out[sel] = periodic_interpolate(values[i], length, x0, points[sel, 0])
    return out


def _dealiased_flux(n, length=2.0):
    k = 2 * np.pi * np.fft.fftfreq(n, d=length / n)
    keep = np.abs(np.fft.fftfreq(n) * n) < n / 3

    def nonlinear(u):  # −u u_x = −(u²/2)_x, the square's aliased modes removed
        return np.fft.ifft(-0.5j * k * keep * np.fft.fft(u * u)).real

    return nonlinear


def burgers_rows() -> list[dict]:
    problem = get_preset("burgers_sota").make_problem()
    nu = problem.params["nu"]
    points, _, ref = _grid(problem)
    rows = []
    for n, dt in progress([(128, 1e-3), (256, 1e-3), (512, 5e-4), (1024, 2.5e-4), (2048, 1e-4), (4096, 5e-5)], "grid"):
        pred, seconds = timed(lambda: _spectral_on_grid(lambda x: -np.sin(np.pi * x), n, lambda k: -nu * k ** 2,
                                                         _dealiased_flux(n), dt, points))
        rows.append({"method": "Fourier spectral + ETDRK4", "resolution": f"{n} points, dt {dt:g}",
                     "rel_l2": relative(pred, ref), "cpu_s": seconds})
    return rows


def allen_cahn_rows() -> list[dict]:
    problem = get_preset("allen_cahn_sota").make_problem()
    eps, gamma = problem.params["eps"], problem.params["gamma"]
    points, _, ref = _grid(problem)
    rows = []
    for n, dt in progress([(64, 5e-3), (128, 5e-3), (128, 1e-3), (256, 1e-3), (256, 5e-4), (384, 1e-3)], "grid"):
        pred, seconds = timed(lambda: _spectral_on_grid(lambda x: x ** 2 * np.cos(np.pi * x), n,
                                                         lambda k: -eps * k ** 2 + gamma, lambda u: -gamma * u ** 3,
                                                         dt, points))
        rows.append({"method": "Fourier spectral + ETDRK4", "resolution": f"{n} points, dt {dt:g}",
                     "rel_l2": relative(pred, ref), "cpu_s": seconds})
    return rows


# -- wave1d: leapfrog ------------------------------------------------------------------------------------------
def _leapfrog(problem, cells: int, courant: float = 0.9) -> np.ndarray:
    """u on the scoring grid's nodes (x spacing 0.01: ``cells`` a multiple of 100; t a multiple of 0.01)."""
    c, h = problem.params["c"], 1.0 / cells
    per = int(np.ceil(0.01 / (courant * h / c)))  # steps per 0.01 of time
    dt = 0.01 / per
    x = np.linspace(0.0, 1.0, cells + 1)
    r2 = (c * dt / h) ** 2
    u = problem.initial(x, np)
    lap = np.zeros_like(u)
    lap[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
    prev, u = u, u + 0.5 * r2 * lap  # u_t(x, 0) = 0
    stride = cells // 100
    out = [prev[::stride]]
    for step in range(1, 100 * per + 1):
        if step % per == 0:
            out.append(u[::stride])
        lap[1:-1] = u[2:] - 2 * u[1:-1] + u[:-2]
        prev, u = u, 2 * u - prev + r2 * lap
    return np.stack(out, axis=1).ravel()  # [x, t] as the scoring grid orders them


def wave_rows() -> list[dict]:
    problem = get_preset("wave1d_sota").make_problem()
    points, shape, ref = _grid(problem)
    assert shape == (101, 101) and np.allclose(points[:3, 1], [0.0, 0.01, 0.02]), "x-major scoring grid expected"
    rows = []
    for cells in progress([100, 200, 400, 800, 1600, 3200], "grid"):
        pred, seconds = timed(lambda: _leapfrog(problem, cells))
        rows.append({"method": "finite differences, leapfrog (2nd order)", "resolution": f"{cells} cells",
                     "rel_l2": relative(pred, ref), "cpu_s": seconds})
    return rows


# -- helmholtz2d: 5-point and compact 9-point ------------------------------------------------------------------
def _helmholtz(k: float, cells: int, order: int) -> np.ndarray:
    """u at the interior nodes of a ``cells``² grid of the unit square, by the 5-point (order 2) or the compact
    9-point (order 4: −Δ₉u − k²(I + h²/12 Δ₅)u = (I + h²/12 Δ₅) f) scheme; zero on the boundary."""
    n, h = cells - 1, 1.0 / cells
    x = np.linspace(h, 1 - h, n)
    f = (k ** 2 * np.sin(k * x)[:, None] * np.sin(k * x)[None, :]).ravel()
    one = sp.identity(n, format="csr")
    second = sp.diags([1.0, -2.0, 1.0], [-1, 0, 1], shape=(n, n), format="csr") / h ** 2
    lap5 = sp.kron(second, one) + sp.kron(one, second)
    if order == 2:
        a, b = -lap5 - k ** 2 * sp.identity(n * n), f
    else:
        lap9 = lap5 + (h ** 2 / 6) * sp.kron(second, second)  # the Mehrstellen Laplacian
        smooth = sp.identity(n * n) + (h ** 2 / 12) * lap5
        a, b = -lap9 - k ** 2 * smooth, smooth @ f
    return spla.spsolve(a.tocsc(), b).reshape(n, n)


def helmholtz_rows() -> list[dict]:
    problem = get_preset("helmholtz2d").make_problem()
    k = problem.params["k"]
    points, shape, ref = _grid(problem)
    rows = []
    for order, cells in progress([(2, 100), (2, 200), (2, 400), (2, 800), (4, 100), (4, 200), (4, 400), (4, 800)], "grid"):
        def solve():
            full = np.zeros((cells + 1, cells + 1))
            full[1:-1, 1:-1] = _helmholtz(k, cells, order)
            stride = cells // 100
            return full[::stride, ::stride].ravel()  # nodes at spacing 0.01, x-major as the scoring grid
        pred, seconds = timed(solve)
        rows.append({"method": f"finite differences, {'5-point (2nd order)' if order == 2 else 'compact 9-point (4th order)'}"
                               ", sparse direct solve", "resolution": f"{cells} cells", "rel_l2": relative(pred, ref),
                     "cpu_s": seconds})
    return rows


PROBLEMS = {"burgers": burgers_rows, "allen_cahn": allen_cahn_rows, "wave1d": wave_rows, "helmholtz2d": helmholtz_rows}


def main() -> int:
    rows = {name: fn() for name, fn in PROBLEMS.items()}
    for name, found in rows.items():
        for r in found:
            print(f"{name:12s} {r['method'][:40]:40s} {r['resolution']:22s} {r['rel_l2']:.2e} {r['cpu_s']:.3f} s")
    write_results("classical_race", {"repeats": REPEATS, "problems": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
