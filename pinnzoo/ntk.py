r"""The tangent kernel of a generator, and the fit it predicts: a measurable form of "the architecture is the prior".

A generator of a field, ``θ = G(Θ)`` (a prior with whatever fixed output map follows it), linearised at its
weights ``Θ₀`` has the **field kernel**

.. math:: C = J_G J_G^T, \qquad J_G = ∂θ/∂Θ \ (\text{one row per field value}),

which depends on the architecture and its initialisation only — the data-free part. A data term through a
forward map ``F`` (a PDE solve and an observation) with Jacobian ``J_F`` at ``θ₀`` gives the **data Gram**

.. math:: K = J_F\, C\, J_F^T,

the Gauss–Newton matrix (the neural tangent kernel on the data) — the data-dependent part enters only through
``J_F``. Gradient flow on ``½‖F(G(Θ)) − y‖²`` in the linearised model moves the residual ``r = y − F(θ₀)`` as
``r(t) = e^{−Kt} r``: the component along ``K``'s eigenvector ``v_i`` is fitted as ``1 − e^{−λ_i t}``, whether it
is signal or noise, and the field moves by

.. math:: θ(t) − θ₀ = C J_F^T\, K^{+} (I − e^{−Kt})\, r .

White noise spreads evenly over the ``v_i``; a prior helps when the truth lies in the directions of large
``λ_i`` (fitted early) and the noise's share there is small. Stopping at the discrepancy ``‖r(t)‖²/N = τσ²``
makes the whole fit a spectral filter that this module evaluates without training. For a linear generator
(the raw grid, the multiscale grid) ``C`` is exact at every ``Θ`` and the flow is Landweber iteration with
prior covariance ``C`` (iterative regularisation); for DIP or the Deep Decoder it is the lazy-training
approximation, whose gap to a measured run is itself a measurement.

Papers: A. Jacot, F. Gabriel, C. Hongler, "Neural tangent kernel", NeurIPS 2018; R. Heckel, M. Soltanolkotabi,
"Denoising and regularization via exploiting the structural bias of convolutional generators", ICLR 2020;
H. W. Engl, M. Hanke, A. Neubauer, *Regularization of Inverse Problems* (1996), Ch. 6 (Landweber).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError


def jacobian(fn, variables, chunk: int = 256) -> np.ndarray:
    """``∂ fn() / ∂ variables`` as ``[N, P]`` float64: ``fn()`` returns any tensor (flattened to its ``N`` values),
    the ``P`` columns are the variables' entries in order. Rows in blocks of ``chunk``, each block one compiled,
    vectorised backward pass (``fn`` must be traceable by ``tf.function``; a block costs ``chunk`` times the
    backward pass's memory)."""
    variables = list(variables)
    if not variables:
        raise InputError("a Jacobian needs at least one variable")
    size = int(tf.size(fn()))

    @tf.function
    def block(start):
        with tf.GradientTape() as tape:
            out = tf.reshape(fn(), [-1])
            rows = out[start:start + chunk]
        parts = tape.jacobian(rows, variables, experimental_use_pfor=True)
        return tf.concat([tf.reshape(tf.cast(p, tf.float64), [tf.shape(rows)[0], -1]) for p in parts], axis=1)

    return np.concatenate([block(tf.constant(i)).numpy() for i in range(0, size, chunk)], axis=0)


@dataclasses.dataclass(frozen=True)
class Spectrum:
    """Eigen-decomposition of a symmetric positive semi-definite Gram ``K``, largest first."""

    values: np.ndarray  # λ_1 ≥ λ_2 ≥ … ≥ 0 (round-off negatives clipped)
    vectors: np.ndarray  # columns v_i

    @classmethod
    def of(cls, gram: np.ndarray) -> "Spectrum":
        gram = np.asarray(gram, np.float64)
        if gram.ndim != 2 or gram.shape[0] != gram.shape[1]:
            raise InputError(f"a Gram matrix is square, got shape {gram.shape}")
        values, vectors = np.linalg.eigh(0.5 * (gram + gram.T))
        return cls(np.clip(values[::-1], 0.0, None), vectors[:, ::-1])

    def condition(self, k: int | None = None) -> float:
        """``λ_1 / λ_k`` (``k`` None: the last, the full condition number; inf if ``λ_k`` is 0)."""
        last = self.values[(len(self.values) if k is None else int(k)) - 1]
        return float(self.values[0] / last) if last > 0 else float("inf")

    def decay(self, ratios=(1e-2, 1e-4, 1e-6)) -> dict:
        """How many eigenvalues stay above ``ratio × λ_1``, for each ratio: the kernel's effective dimension."""
        return {f"{r:g}": int(np.sum(self.values >= r * self.values[0])) for r in ratios}

    def coefficients(self, r: np.ndarray) -> np.ndarray:
        """``⟨v_i, r⟩`` of a data-space vector."""
        return self.vectors.T @ np.ravel(r)

    def fitted(self, t: float) -> np.ndarray:
        """``1 − e^{−λ_i t}``: the fraction of each eigen-direction gradient flow has fitted by time ``t``."""
        return -np.expm1(-self.values * t)

    def residual_energy(self, r: np.ndarray, t: float) -> float:
        """``‖e^{−Kt} r‖²``: what is left of ``r`` at time ``t``."""
        return float(np.sum((self.coefficients(r) * np.exp(-self.values * t)) ** 2))

    def time_to(self, r: np.ndarray, energy: float) -> float:
        """The gradient-flow time at which ``‖e^{−Kt} r‖²`` falls to ``energy`` (inf if it never does: the part of
        ``r`` outside ``K``'s range, or numerically null directions, stays)."""
        c2 = self.coefficients(r) ** 2
        if np.sum(c2[self.values <= 0]) >= energy:
            return float("inf")
        if np.sum(c2) <= energy:
            return 0.0
        lo, hi = 0.0, 1.0 / self.values[0]
        while self.residual_energy(r, hi) > energy:
            lo, hi = hi, 2 * hi
            if hi > 1e300:
                return float("inf")
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if self.residual_energy(r, mid) > energy else (lo, mid)
        return hi


def flow_update(spectrum: Spectrum, r: np.ndarray, t: float) -> np.ndarray:
    """``K⁺ (I − e^{−Kt}) r`` — multiply by ``C J_Fᵀ`` for the field's change under gradient flow to time ``t``
    (its ``t → ∞`` limit is ``K⁺ r``; null directions contribute nothing)."""
    lam, c = spectrum.values, spectrum.coefficients(r)
    safe = np.where(lam > 0, lam, 1.0)
    gain = np.where(lam > 0, -np.expm1(-lam * t) / safe, 0.0)
    return spectrum.vectors @ (gain * c)


def krylov_iterations(hessian: np.ndarray, rhs: np.ndarray, kernel: np.ndarray, start: np.ndarray,
                      reference: np.ndarray, tolerances=(1e-2, 1e-3, 1e-4), max_iterations: int = 5000) -> dict:
    """Iterations of conjugate gradients on ``H u = b`` preconditioned by the field kernel ``C`` (``M⁻¹ = C``)
    from ``start`` until ``‖u − reference‖ / ‖reference‖`` falls below each tolerance (None: not within
    ``max_iterations``). This is exactly CG in the weights of a *linear* generator ``u = G Θ`` on the quadratic
    loss with Hessian ``H`` (``C = G Gᵀ``): the best any Krylov optimiser does in that many gradient evaluations;
    for a nonlinear generator it is the linearised model's."""
    norm, found = np.linalg.norm(reference), {}
    u = np.array(start, np.float64).ravel()
    r = rhs.ravel() - hessian @ u
    z = kernel @ r
    p, rz = z.copy(), r @ z
    for k in range(max_iterations + 1):
        error = np.linalg.norm(u - reference.ravel()) / norm
        for tol in tolerances:
            if tol not in found and error <= tol:
                found[tol] = k
        if len(found) == len(tolerances) or rz <= 0:
            break
        hp = hessian @ p
        alpha = rz / (p @ hp)
        u, r = u + alpha * p, r - alpha * hp
        z = kernel @ r
        rz, previous = r @ z, rz
        p = z + (rz / previous) * p
    return {f"{t:g}": found.get(t) for t in tolerances}
