"""Classical restoration baselines from scikit-image, for honest comparison with the image priors.

Each function takes the measurement ``y`` (``[h, w, C]`` float in [0, 1]) and the
task's data and returns a list of :class:`Candidate` — one per method and
parameter value — so that :func:`best_baselines` can report every method *at its
best parameter* (the tasks of :mod:`pinnzoo.tasks` pick the function) (chosen with the clean image, an oracle choice that favours the
baselines).
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np
from keras.utils import Progbar
from scipy.fft import dctn, idctn
from skimage.restoration import (denoise_nl_means, denoise_tv_chambolle, denoise_wavelet, inpaint_biharmonic,
                                 richardson_lucy, unsupervised_wiener, wiener)
from skimage.transform import resize

from pinnzoo.metrics import psnr, ssim


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


def denoise_candidates(y, sigma: float) -> list[Candidate]:
    """TV (Chambolle), wavelet (BayesShrink, soft) and non-local means, over parameter grids."""
    sigma = max(float(sigma), 1e-3)
    out = []
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


def deblur_candidates(y, psf, sigma: float) -> list[Candidate]:
    """Wiener (balance grid), unsupervised Wiener and Richardson–Lucy (iteration grid)."""
    out = []
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


def inpaint_candidates(y, mask) -> list[Candidate]:
    """Biharmonic inpainting of the pixels where ``mask`` is 0."""
    missing = np.asarray(mask)[:, :, 0] < 0.5 if np.ndim(mask) == 3 else np.asarray(mask) < 0.5
    return [_timed("biharmonic", "-", lambda: _per_channel(lambda a: inpaint_biharmonic(a, missing), y))]


def superres_candidates(y, scale: int) -> list[Candidate]:
    """Bicubic upsampling (scikit-image ``resize``, order 3, symmetric edges)."""
    h, w = y.shape[0] * scale, y.shape[1] * scale
    return [_timed("bicubic", "order=3", lambda: resize(y, (h, w, y.shape[2]), order=3, mode="symmetric",
                                                         anti_aliasing=False))]


def best_baselines(candidates: list[Candidate], clean, verbose: int = 0) -> list[dict]:
    """Each method at its best parameter (by PSNR against ``clean``): method, parameter, PSNR, SSIM, seconds.

    ``candidates`` come from a task's :meth:`~pinnzoo.tasks.ImagingTask.candidates`; ``verbose``
    shows a progress bar over them."""
    best: dict[str, dict] = {}
    bar = Progbar(len(candidates), verbose=verbose, unit_name="baseline")
    for k, c in enumerate(candidates):
        score = psnr(c.image, clean)
        bar.update(k + 1)
        if c.method not in best or score > best[c.method]["psnr"]:
            best[c.method] = {"method": c.method, "parameter": c.parameter, "psnr": score,
                              "ssim": ssim(c.image, clean), "seconds": c.seconds}
    return sorted(best.values(), key=lambda r: -r["psnr"])


def _dct_filter(y, multiplier):
    """``C⁻¹ diag(multiplier) C y`` per channel (orthonormal 2-D DCT-II)."""
    return _per_channel(lambda a: idctn(multiplier * dctn(a, norm="ortho"), norm="ortho"), y)


def heat_candidates(y, operator, sigma: float) -> list[Candidate]:
    """Backward heat: Tikhonov (L²) and H¹-Tikhonov (Wiener with a smoothness prior), exact in the DCT basis
    where the heat flow is diagonal, over regularisation grids; TV-regularised least squares by FISTA."""
    h, w = y.shape[:2]
    a = operator.transfer(h, w)
    laplace = 4 * (np.sin(np.pi * np.arange(h) / (2 * h))[:, None] ** 2 + np.sin(np.pi * np.arange(w) / (2 * w))[None, :] ** 2)
    out = []
    for alpha in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2):
        out.append(_timed("Tikhonov (L2, DCT)", f"alpha={alpha:g}", lambda al=alpha: _dct_filter(y, a / (a ** 2 + al))))
    for alpha in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1):
        out.append(_timed("Tikhonov (H1) / Wiener (DCT)", f"alpha={alpha:g}",
                          lambda al=alpha: _dct_filter(y, a / (a ** 2 + al * laplace))))
    for weight in (0.0001, 0.0002, 0.0005, 0.001, 0.002):
        out.append(_timed("TV least squares (FISTA)", f"weight={weight:g}",
                          lambda wt=weight: tv_least_squares(y, operator, wt)))
    return out


def tv_least_squares(y, operator, weight: float, iterations: int = 100) -> np.ndarray:
    """``argmin_x ½‖A x − y‖² + weight · TV(x)`` by FISTA (step 1: ``‖A‖ ≤ 1``) with the TV proximal step
    by Chambolle's algorithm (scikit-image); ``A`` DCT-diagonal, applied exactly through its eigenvalues."""
    h, w = y.shape[:2]
    a = operator.transfer(h, w)
    x = z = np.asarray(y, dtype=np.float64)
    t = 1.0
    for _ in range(iterations):
        gradient = _dct_filter(_dct_filter(z, a) - y, a)
        x_new = _per_channel(lambda v: denoise_tv_chambolle(v, weight=weight), z - gradient)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = x_new + ((t - 1) / t_new) * (x_new - x)
        x, t = x_new, t_new
    return x
