"""Classical restorations over parameter grids, for honest comparison with the image priors: per task the
strongest methods we know of that run here — BM3D for denoising, TV deconvolution, TV inpainting, TV
super-resolution and back-projection, Tikhonov/Wiener filters and TV for backward heat — beside scikit-image's
classics.

Each ``*_candidates(y, operator, sigma)`` takes the measurement ``y`` (``[h, w, C]`` float in [0, 1]), the task's
operator and the noise level, and returns a list of :class:`Candidate` — one per method and parameter value — from
which :mod:`pinnzoo.baselines.select` picks every method's parameter twice: with the clean image (oracle) and by the
discrepancy principle (no clean image).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np
from bm3d import bm3d, bm3d_rgb
from scipy.fft import dctn, idctn
from skimage.restoration import (denoise_nl_means, denoise_tv_chambolle, denoise_wavelet, inpaint_biharmonic,
                                 richardson_lucy, unsupervised_wiener, wiener)
from skimage.transform import resize

from pinnzoo.baselines.tv import back_projection, tv_restore


@dataclasses.dataclass
class Candidate:
    """One method at one parameter value; the restoration runs (once, timed) when ``image`` is first read,
    so :func:`best_baselines` can show a progress bar over the candidates."""

    method: str
    parameter: str
    compute: Callable[[], np.ndarray] = dataclasses.field(repr=False)
    seconds: float | None = None
    _image: np.ndarray | None = dataclasses.field(default=None, repr=False)

    @property
    def image(self) -> np.ndarray:
        if self._image is None:
            start = time.perf_counter()
            self._image = np.asarray(self.compute(), dtype=np.float32)
            self.seconds = time.perf_counter() - start
        return self._image


def _timed(method, parameter, fn: Callable[[], np.ndarray]) -> Candidate:
    return Candidate(method, parameter, fn)


def _per_channel(fn, y):
    return np.stack([fn(y[:, :, c]) for c in range(y.shape[2])], axis=-1)


def _bm3d(y, sigma_psd: float) -> np.ndarray:
    """BM3D (Dabov et al. 2007; the ``bm3d`` package), CBM3D for colour: white noise of level ``sigma_psd``."""
    if y.shape[2] == 3:
        return bm3d_rgb(y, sigma_psd)
    return _per_channel(lambda a: bm3d(a, sigma_psd), y)


def _tv_weights(weights, operator, y, label: str, iterations: int = 1000) -> list[Candidate]:
    return [_timed(label, f"weight={w:g}", lambda w=w: tv_restore(y, operator, w, iterations=iterations))
            for w in weights]


def denoise_candidates(y, operator, sigma: float) -> list[Candidate]:
    """BM3D (CBM3D in colour) at the given σ and around it; TV (Chambolle), wavelet (BayesShrink, soft) and
    non-local means, over parameter grids."""
    sigma = max(float(sigma), 1e-3)
    out = [_timed("BM3D", f"sigma_psd={k * sigma:.4f}", lambda k=k: _bm3d(y, k * sigma))
           for k in (0.8, 0.9, 1.0, 1.1, 1.25)]
    for w in (0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
        out.append(_timed("TV (Chambolle)", f"weight={w * sigma:.3f}",
                          lambda w=w: _per_channel(lambda a: denoise_tv_chambolle(a, weight=w * sigma), y)))
    for k in (0.75, 1.0, 1.5, 2.0, 3.0):
        out.append(_timed("wavelet (BayesShrink)", f"sigma={k * sigma:.3f}", lambda k=k: _per_channel(
            lambda a: denoise_wavelet(a, sigma=k * sigma, method="BayesShrink", mode="soft", rescale_sigma=True), y)))
    for k in (0.6, 0.8, 1.0, 1.2):
        out.append(_timed("non-local means", f"h={k * sigma:.3f}", lambda k=k: _per_channel(
            lambda a: denoise_nl_means(a, h=k * sigma, sigma=sigma, patch_size=5, patch_distance=6, fast_mode=True),
            y)))
    return out


def _pad_deconvolve(fn, y, psf):
    # The FFT-based methods assume periodic images; mirror-pad to keep edges clean, then crop back.
    p = max(psf.shape)
    padded = np.pad(y, p, mode="symmetric")
    return fn(padded)[p:-p, p:-p]


def deblur_candidates(y, operator, sigma: float) -> list[Candidate]:
    """TV deconvolution (primal–dual, :mod:`pinnzoo.baselines.tv`) over a weight grid; Wiener (balance grid),
    unsupervised Wiener and Richardson–Lucy (iteration grid)."""
    psf = operator.psf
    out = _tv_weights((5e-5, 1e-4, 2e-4, 3e-4, 5e-4, 1e-3, 2e-3), operator, y, "TV deconvolution")
    for b in (3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        out.append(_timed("Wiener", f"balance={b:g}", lambda b=b: _per_channel(
            lambda a: _pad_deconvolve(lambda q: wiener(q, psf, balance=b, clip=False), a, psf), y)))
    out.append(_timed("unsupervised Wiener", "auto", lambda: _per_channel(
        lambda a: _pad_deconvolve(lambda q: unsupervised_wiener(q, psf, clip=False, rng=0)[0], a, psf), y)))
    for n in (10, 20, 40, 80, 160, 320):
        out.append(_timed("Richardson-Lucy", f"iterations={n}", lambda n=n: _per_channel(
            lambda a: _pad_deconvolve(lambda q: richardson_lucy(np.clip(q, 0, 1), psf, num_iter=n, clip=False),
                                      a, psf), y)))
    return out


def _tv_exact_or_weighted(operator, y, sigma: float, label: str) -> list[Candidate]:
    """TV with ``A x = y`` exactly for noise-free measurements, else penalised over a weight grid."""
    if sigma > 0:
        return _tv_weights((1e-4, 3e-4, 1e-3, 3e-3, 1e-2), operator, y, label)
    return [_timed(label, "A x = y", lambda: tv_restore(y, operator, None, iterations=1000))]


def inpaint_candidates(y, operator, sigma: float) -> list[Candidate]:
    """TV inpainting (:mod:`pinnzoo.baselines.tv`) and biharmonic inpainting of the pixels the mask hides."""
    mask = np.asarray(operator.mask)
    missing = mask[:, :, 0] < 0.5 if mask.ndim == 3 else mask < 0.5
    return [*_tv_exact_or_weighted(operator, y, sigma, "TV inpainting"),
            _timed("biharmonic", "-", lambda: _per_channel(lambda a: inpaint_biharmonic(a, missing), y))]


def _bicubic(y, scale: int) -> np.ndarray:
    return resize(y, (y.shape[0] * scale, y.shape[1] * scale, y.shape[2]), order=3, mode="symmetric",
                  anti_aliasing=False)


def superres_candidates(y, operator, sigma: float) -> list[Candidate]:
    """TV super-resolution (:mod:`pinnzoo.baselines.tv`), iterative back-projection with bicubic upsampling
    (Irani & Peleg) over an iteration grid, and bicubic upsampling (scikit-image ``resize``, order 3)."""
    scale = operator.factor
    out = _tv_exact_or_weighted(operator, y, sigma, "TV super-resolution")
    for n in (5, 10, 20, 40):
        out.append(_timed("back-projection (bicubic)", f"iterations={n}",
                          lambda n=n: back_projection(y, operator, lambda a: _bicubic(a, scale), n)))
    out.append(_timed("bicubic", "order=3", lambda: _bicubic(y, scale)))
    return out


def _dct_filter(y, multiplier):
    """``C⁻¹ diag(multiplier) C y`` per channel (orthonormal 2-D DCT-II)."""
    return _per_channel(lambda a: idctn(multiplier * dctn(a, norm="ortho"), norm="ortho"), y)


def heat_candidates(y, operator, sigma: float) -> list[Candidate]:
    """Backward heat: Tikhonov (L²) and H¹-Tikhonov (Wiener with a smoothness prior), exact in the DCT basis
    where the heat flow is diagonal, over regularisation grids; TV-regularised least squares
    (:mod:`pinnzoo.baselines.tv`) over a weight grid."""
    h, w = y.shape[:2]
    a = operator.transfer(h, w)
    laplace = 4 * (np.sin(np.pi * np.arange(h) / (2 * h))[:, None] ** 2 + np.sin(np.pi * np.arange(w) / (2 * w))[None, :] ** 2)
    out = []
    for alpha in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
        out.append(_timed("Tikhonov (L2, DCT)", f"alpha={alpha:g}", lambda al=alpha: _dct_filter(y, a / (a ** 2 + al))))
    for alpha in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        out.append(_timed("Tikhonov (H1) / Wiener (DCT)", f"alpha={alpha:g}",
                          lambda al=alpha: _dct_filter(y, a / (a ** 2 + al * laplace))))
    return out + _tv_weights((5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3), operator, y, "TV least squares")
