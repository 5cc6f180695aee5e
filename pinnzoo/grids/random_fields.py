"""Gaussian random fields on the unit square, and the two-phase permeability of the Darcy benchmark."""

from __future__ import annotations

import numpy as np

from pinnzoo.errors import InputError


def gaussian_random_field(m: int, seed: int, shift: float = 9.0, power: float = 2.0) -> np.ndarray:
    r"""A sample ``ψ ~ N(0, (−Δ + shift·I)^{−power})`` at the centres of ``m × m`` cells of ``[0, 1]²``.

    ``−Δ`` with Neumann boundaries has the eigenfunctions ``cos(πkx) cos(πly)``
    (eigenvalues ``π²(k² + l²)``), so ``ψ = Σ_{k,l<m} ξ_kl (π²(k² + l²) + shift)^{−power/2} φ_kl`` with
    ``ξ_kl ~ N(0, 1)`` from ``numpy.random.default_rng(seed)`` and ``φ_kl`` the orthonormal
    cosines. The defaults are the covariance ``(−Δ + 9I)^{−2}`` of Li et al., "Fourier Neural
    Operator for parametric partial differential equations", ICLR 2021.
    """
    if int(m) < 2:
        raise InputError(f"a random field needs m >= 2 cells per side, got {m}")
    m = int(m)
    k = np.arange(m)
    x = (np.arange(m) + 0.5) / m
    basis = np.cos(np.pi * np.outer(k, x)) * np.where(k == 0, 1.0, np.sqrt(2.0))[:, None]  # [k, x], orthonormal
    std = (np.pi ** 2 * (k[:, None] ** 2 + k[None, :] ** 2) + float(shift)) ** (-float(power) / 2)
    xi = np.random.default_rng(seed).standard_normal((m, m))
    return basis.T @ (xi * std) @ basis   # [y, x]: rows follow the first index of the coefficients


def darcy_coefficient(m: int = 64, seed: int = 0, low: float = 3.0, high: float = 12.0) -> np.ndarray:
    """The piecewise-constant permeability of the Darcy benchmark: ``high`` where a Gaussian random field
    (:func:`gaussian_random_field`) is ``>= 0``, ``low`` elsewhere (Li et al. 2021 use 12 and 3)."""
    return np.where(gaussian_random_field(m, seed) >= 0.0, float(high), float(low))
