"""Coefficient recovery: the permeability of ``darcy_grid`` from noisy values of its solution.

:class:`DarcyForward` is the coefficient-to-solution map ``log a ↦ u = A(a)⁻¹ f`` as a
differentiable TensorFlow function (a sparse direct solve, with its adjoint solve for
the gradient); :class:`DarcyInverse` is the problem: the observations, the noise, and the
scores of a recovered coefficient (no weights, as every problem here).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse.linalg as spla
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.grids.problems import DarcyGrid
from pinnzoo.operators.grid import diffusion_matrix, face_coefficients, face_differences
from pinnzoo.parameters import Parameter


def _cell_differences(u):
    """Face differences of cell values ``u [m, m]`` with zero boundary values: x ``[m, m+1]``, y ``[m+1, m]``."""
    p = tf.pad(u, [[1, 1], [1, 1]])
    return p[1:-1, 1:] - p[1:-1, :-1], p[1:, 1:-1] - p[:-1, 1:-1]


class DarcyForward:
    r"""``u = F(θ)``: the solution of ``−∇·(e^θ ∇u) = f`` (:class:`~pinnzoo.operators.Diffusion`'s
    cell-centred scheme, zero Dirichlet values) for the log-coefficient ``θ [m, m]``.

    The solve is a sparse LU factorisation (``scipy.sparse.linalg.splu``) inside the
    graph (``tf.numpy_function``); its gradient is the adjoint-state method: with
    ``A(θ) = Dᵀ diag(w(θ)) D`` symmetric and ``λ = A⁻¹ ḡ`` for the incoming gradient ``ḡ``,

    .. math:: \frac{∂⟨ḡ, u⟩}{∂w} = −(Dλ) ⊙ (Du),

    and TensorFlow carries it through the face coefficients ``w(θ)`` (harmonic means of
    ``e^θ``). Each solve factorises afresh (about 3 ms on 64 × 64 cells). Not XLA-compilable.
    """

    def __init__(self, m: int, rhs: np.ndarray):
        self.m = int(m)
        self.rhs = np.asarray(rhs, np.float64).ravel()
        self._differences = face_differences(self.m)

    def _solve(self, fx, fy, b):
        # a fresh factorisation per call: a factor cached on the object between the forward solve and
        # its adjoint leaked its memory (≈ 3 MB per evaluation) when called from the graph
        lu = spla.splu(diffusion_matrix(fx, fy, self._differences))
        return lu.solve(np.asarray(b, np.float64).ravel()).reshape(self.m, self.m)

    def solve_faces(self, fx, fy):
        """``A⁻¹ f`` for face coefficients ``(fx [m, m+1], fy [m+1, m])`` (float64 tensors), differentiable."""
        m, rhs = self.m, self.rhs

        @tf.custom_gradient
        def solve(fx, fy):
            u = tf.ensure_shape(tf.numpy_function(lambda x, y: self._solve(x, y, rhs), [fx, fy], tf.float64), [m, m])

            def grad(g):
                lam = tf.numpy_function(self._solve, [fx, fy, g], tf.float64)
                lam = tf.ensure_shape(lam, [m, m])
                (ux, uy), (lx, ly) = _cell_differences(u), _cell_differences(lam)
                return -lx * ux, -ly * uy

            return u, grad

        return solve(fx, fy)

    def __call__(self, theta):
        """``u [m, m]`` for the log-coefficient ``θ [m, m]`` (float64 tensor)."""
        return self.solve_faces(*face_coefficients(tf.exp(theta)))

    def residual(self, theta, u):
        """``A(θ) u − f``, ``[m, m]``: the discrete equation's residual for a candidate state ``u`` (no solve;
        differentiable in both). ``A(θ) u = Dᵀ diag(w(θ)) D u`` from the face differences of ``u``."""
        fx, fy = face_coefficients(tf.exp(theta))
        ux, uy = _cell_differences(u)
        flux_x, flux_y = fx * ux, fy * uy
        applied = (flux_x[:, :-1] - flux_x[:, 1:]) + (flux_y[:-1, :] - flux_y[1:, :])
        return applied - tf.constant(self.rhs.reshape(self.m, self.m), u.dtype)


class DarcyInverse:
    r"""Recover the permeability ``a`` of :class:`~pinnzoo.grids.DarcyGrid` from ``y = u(a)|_obs + ε``.

    ``u`` is observed at every ``stride``-th cell centre in each direction (``(m/stride)²``
    values) with Gaussian noise of standard deviation ``σ = noise × rms(u|_obs)`` (1 %
    by default), drawn with ``noise_seed``. The unknown is ``θ = log a`` on all ``m²`` cells,
    known to lie in ``[log low, log high]`` (the two phases' values). The data term is

    .. math:: \operatorname{misfit}(θ) = \frac{1}{N σ^2} \sum_{i ∈ obs} (F(θ)_i − y_i)^2,

    which is about 1 at the truth (the discrepancy principle stops there). A recovered
    ``a`` is scored by its relative L2 error and the fraction of cells on the wrong side
    of the midpoint ``(low + high)/2`` (the wrong phase). Problem after the inverse-Darcy
    benchmarks of the operator-learning literature (Li et al., ICLR 2021, Sec. 5.5).
    """

    name = "darcy_inverse"
    title = "Darcy permeability a in {3, 12} from 1 % noisy u at every 2nd cell"
    parameters = (Parameter("m", 64, 8, 512, integer=True, doc="cells per side"),
                  Parameter("seed", 0, 0, 2 ** 31 - 1, integer=True, doc="the permeability draw"),
                  Parameter("stride", 2, 1, 16, integer=True, doc="u observed at every stride-th cell"),
                  Parameter("noise", 0.01, 0.0, 0.5, doc="noise std as a fraction of rms(u)"),
                  Parameter("noise_seed", 1, 0, 2 ** 31 - 1, integer=True, doc="the noise draw"))

    def __init__(self, m: int = 64, seed: int = 0, stride: int = 2, noise: float = 0.01, noise_seed: int = 1):
        if int(stride) < 1 or int(stride) > int(m):
            raise InputError(f"stride must be between 1 and m = {m}, got {stride}")
        if not float(noise) >= 0:
            raise InputError(f"noise must be >= 0 (a fraction of the rms of u), got {noise}")
        self.m, self.seed, self.stride, self.noise, self.noise_seed = int(m), int(seed), int(stride), float(noise), int(noise_seed)
        self.forward_problem = DarcyGrid(self.m, self.seed)
        self.truth = self.forward_problem.coefficient
        self.low, self.high = float(self.truth.min()), float(self.truth.max())
        self.forward = DarcyForward(self.m, self.forward_problem.rhs)
        self.solution = self.forward_problem.discrete_solution()
        first = self.stride // 2
        self.observed = (slice(first, None, self.stride), slice(first, None, self.stride))
        clean = self.solution[self.observed]
        rms = float(np.sqrt(np.mean(clean ** 2)))
        noise_std = self.noise * rms
        self.data = clean + noise_std * np.random.default_rng(self.noise_seed).standard_normal(clean.shape)
        self.sigma = noise_std if noise_std > 0 else 1e-3 * rms  # noise-free data: the misfit in units of 0.1 %
        self.shape = (self.m, self.m)

    @property
    def params(self) -> dict:
        return {"m": self.m, "seed": self.seed, "stride": self.stride, "noise": self.noise, "noise_seed": self.noise_seed}

    @property
    def log_bounds(self) -> tuple[float, float]:
        return float(np.log(self.low)), float(np.log(self.high))

    def coordinates(self) -> np.ndarray:
        return self.forward_problem.coordinates()

    def observe(self, u):
        """The observed values of a solution ``u [m, m]``."""
        return u[self.observed[0], self.observed[1]]

    def misfit(self, theta) -> tf.Tensor:
        """The data term for the log-coefficient ``θ [m, m]`` (float64 tensor)."""
        r = self.observe(self.forward(theta)) - tf.constant(self.data, tf.float64)
        return tf.reduce_mean(tf.square(r)) / self.sigma ** 2

    def scores(self, a: np.ndarray) -> dict:
        """``rel_l2`` of ``a`` against the truth, ``wrong_phase`` (fraction of cells), and the data misfit."""
        a = np.asarray(a, np.float64)
        mid = 0.5 * (self.low + self.high)
        return {"rel_l2": float(np.linalg.norm(a - self.truth) / np.linalg.norm(self.truth)),
                "wrong_phase": float(np.mean((a > mid) != (self.truth > mid))),
                "misfit": float(self.misfit(tf.constant(np.log(a)))),
                }
