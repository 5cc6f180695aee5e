"""A frequency-domain (DCT) preconditioner for the data term of a blur or of the heat flow."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import DCTDiagonal, operator_from_config
from pinnzoo.operators.blur import parse_psf
from pinnzoo.operators.dct import dct2, idct2


class FourierPreconditioner:
    r"""Weight the residual of a blur's data term by frequency: ``‖P (A x − y)‖²`` instead of ``‖A x − y‖²``.

    .. math::

        P = C^\top \operatorname{diag}(p)\, C, \qquad
        p_{kl} = \sqrt{\frac{1 + \lambda}{|\hat h(\pi k / H, \pi l / W)|^2 + \lambda}},

    with ``C`` the orthonormal 2-D DCT-II on the ``H × W`` measurement grid,
    ``ĥ(ω) = Σ_ij h_ij e^{-i(ω_1 i + ω_2 j)}`` the PSF's frequency response
    (``ĥ(0) = 1``: the PSF sums to 1, so the mean passes unchanged) and ``λ > 0``.

    Why: the gradient of ``½‖A x − y‖²`` with respect to the image is
    ``Aᵀ(A x − y)``; a frequency ``ω`` of the error is corrected at a rate
    ``|ĥ(ω)|²``. A Gaussian PSF of σ = 2 px passes ``|ĥ|² = e^{-4}`` ≈ 0.02 at
    ``|ω| = 1`` rad/px, so the edges an image prior should recover are fitted
    fifty times more slowly than its flat regions. With ``P`` the gradient is
    ``Aᵀ PᵀP (A x − y) = (1 + λ) Aᵀ (A Aᵀ + λ)^{-1} (A x − y)``: every
    frequency with ``|ĥ|² ≫ λ`` is corrected at about the same rate, and ``λ``
    caps the gain ``(1 + λ)/λ`` where the blur has erased the signal and only
    noise is left — the classical preconditioned Landweber iteration.

    The DCT-II is the eigenbasis of a blur with reflect ("Neumann") boundaries
    whose PSF is symmetric in both axes (Gaussian, odd box), so for those the
    identity above is exact with this library's :class:`~pinnzoo.operators.Blur`
    (tested), and the curvature of the data term is at most ``1 + λ``. For
    other PSFs (motion) ``P`` uses ``|ĥ|`` at the same frequencies and is an
    approximation of that inverse. Either way ``P`` is symmetric positive
    definite (``p ≥ 1``), so an exact fit ``A x = y`` minimises both data terms.

    Papers: M. Piana, M. Bertero, "Projected Landweber method and
    preconditioning", Inverse Problems 13 (1997) 441–463; M. K. Ng, R. H. Chan,
    W.-C. Tang, "A fast algorithm for deblurring models with Neumann boundary
    conditions", SIAM J. Sci. Comput. 21 (1999) 851–866.
    """

    def __init__(self, psf, lam: float = 1e-2):
        lam = float(lam)
        if not lam > 0 or not np.isfinite(lam):
            raise InputError(f"the preconditioner's lambda must be a positive number, got {lam}")
        self.spec = psf if isinstance(psf, str) else None
        self.psf = parse_psf(psf)
        self.lam = lam
        self._weights = {}

    @classmethod
    def for_operator(cls, operator, lam: float = 1e-2) -> "FourierPreconditioner":
        """The preconditioner of a :class:`~pinnzoo.operators.Blur` or of any
        :class:`~pinnzoo.operators.base.DCTDiagonal` operator (the heat flow): masks and downsampling are
        not diagonal in a frequency basis."""
        if isinstance(operator, DCTDiagonal):
            return SpectralPreconditioner(operator, lam)
        if getattr(operator, "psf", None) is None:
            raise InputError(f"Fourier preconditioning needs a blur operator with a PSF, got {operator!r}")
        return cls(operator.spec or operator.psf, lam)

    def transfer_squared(self, height: int, width: int) -> np.ndarray:
        """``|ĥ(πk/H, πl/W)|²`` for ``k < H``, ``l < W`` (the DCT-II's frequencies)."""
        kh, kw = self.psf.shape
        if kh > height or kw > width:
            raise InputError(f"the PSF ({kh}×{kw}) is too large for a {height}×{width} image")
        rows = np.exp(-1j * np.pi * np.outer(np.arange(height) / height, np.arange(kh)))
        cols = np.exp(-1j * np.pi * np.outer(np.arange(width) / width, np.arange(kw)))
        return np.abs(rows @ self.psf @ cols.T) ** 2

    def weights(self, height: int, width: int) -> np.ndarray:
        """The multiplier ``p_kl``, ``[height, width]``."""
        return np.sqrt((1.0 + self.lam) / (self.transfer_squared(height, width) + self.lam))

    def __call__(self, r: tf.Tensor) -> tf.Tensor:
        """``P r`` for residuals ``[batch, height, width, channels]`` (float32), each channel on its own."""
        r = tf.convert_to_tensor(r, tf.float32)
        h, w = int(r.shape[1]), int(r.shape[2])
        if (h, w) not in self._weights:
            self._weights[(h, w)] = self.weights(h, w).T.astype(np.float32)  # [W, H]; numpy: graph-safe
        return idct2(dct2(r) * tf.constant(self._weights[(h, w)]))

    def get_config(self) -> dict:
        return {"psf": self.spec if self.spec else self.psf.tolist(), "lam": self.lam}

    @classmethod
    def from_config(cls, config: dict) -> "FourierPreconditioner":
        if "operator" in config:  # written by SpectralPreconditioner
            return SpectralPreconditioner(operator_from_config(config["operator"]), config["lam"])
        psf = config["psf"]
        return cls(psf if isinstance(psf, str) else np.asarray(psf), config["lam"])

    def __repr__(self):
        return f"FourierPreconditioner({self.spec or 'custom PSF'}, lam={self.lam:g})"


class SpectralPreconditioner(FourierPreconditioner):
    """:class:`FourierPreconditioner` for an operator that states its DCT-II eigenvalues
    (:class:`~pinnzoo.operators.base.DCTDiagonal`), e.g. the heat flow: ``|ĥ|²`` is their square, exactly."""

    def __init__(self, operator: DCTDiagonal, lam: float = 1e-2):
        lam = float(lam)
        if not lam > 0 or not np.isfinite(lam):
            raise InputError(f"the preconditioner's lambda must be a positive number, got {lam}")
        self.operator, self.lam, self.spec, self.psf, self._weights = operator, lam, None, None, {}

    def transfer_squared(self, height: int, width: int) -> np.ndarray:
        return self.operator.transfer(height, width) ** 2

    def get_config(self) -> dict:
        return {"operator": self.operator.get_config(), "lam": self.lam}

    def __repr__(self):
        return f"SpectralPreconditioner({self.operator.describe()}, lam={self.lam:g})"
