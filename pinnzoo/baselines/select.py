"""Each classical method at one parameter, chosen twice: with the clean image (the oracle, which favours the
baselines) and by the discrepancy principle (Morozov), which sees no clean image — the parameter whose residual
``‖A x − y‖ / √m`` is closest to the noise level σ (for noise-free data: the smallest residual)."""

from __future__ import annotations

import numpy as np
from keras.utils import Progbar

from pinnzoo.metrics import psnr, ssim
from pinnzoo.operators.base import as_image_batch


def _row(c, clean, **extra) -> dict:
    row = {"method": c.method, "parameter": c.parameter, "seconds": c.seconds, **extra}
    if clean is not None:
        row.update(psnr=psnr(c.image, clean), ssim=ssim(c.image, clean))
    return row


def best_baselines(candidates: list, clean, verbose: int = 0) -> list[dict]:
    """Each method at its best parameter (by PSNR against ``clean``, an oracle choice): method, parameter, PSNR,
    SSIM, seconds; best first. ``candidates`` come from a task's :meth:`~pinnzoo.tasks.ImagingTask.candidates`;
    ``verbose`` shows a progress bar over them."""
    best: dict[str, tuple] = {}
    bar = Progbar(len(candidates), verbose=verbose, unit_name="baseline")
    for k, c in enumerate(candidates):
        score = psnr(c.image, clean)
        bar.update(k + 1)
        if c.method not in best or score > best[c.method][0]:
            best[c.method] = (score, c)
    return sorted((_row(c, clean) for _, c in best.values()), key=lambda r: -r["psnr"])


def residual_rms(image, y, operator) -> float:
    """``‖A x − y‖ / √m``: the root-mean-square misfit of ``image`` to the measurement."""
    ax = operator.A(as_image_batch(image)).numpy()[0]
    misfit = ax - np.asarray(y, dtype=np.float32).reshape(ax.shape)
    return float(np.sqrt(np.mean(misfit ** 2)))


def discrepancy_baselines(candidates: list, y, operator, sigma: float, clean=None) -> list[dict]:
    """Each method at the parameter the discrepancy principle picks (no clean image): the residual
    ``‖A x − y‖ / √m`` closest to ``sigma``; scored against ``clean`` if given (best first), with the residual."""
    best: dict[str, tuple] = {}
    for c in candidates:
        r = residual_rms(c.image, y, operator)
        if c.method not in best or abs(r - sigma) < abs(best[c.method][0] - sigma):
            best[c.method] = (r, c)
    rows = [_row(c, clean, residual=r, rule="discrepancy") for r, c in best.values()]
    return sorted(rows, key=lambda r: -r.get("psnr", 0.0))
