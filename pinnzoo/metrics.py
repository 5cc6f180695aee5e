"""Error metrics against reference solutions."""

from __future__ import annotations

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def rel_l2(pred, ref) -> float:
    """Relative L2 error ``||pred - ref||_2 / ||ref||_2`` over all entries."""
    pred = np.asarray(pred, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if pred.shape != ref.shape:
        raise ValueError(f"shape mismatch: prediction {pred.shape} vs reference {ref.shape}")
    return float(np.linalg.norm(pred - ref) / np.linalg.norm(ref))


def field_errors(pred, ref, outputs) -> dict:
    """``rel_l2`` over all outputs together and ``rel_l2_<name>`` for each output column."""
    out = {"rel_l2": rel_l2(pred, ref)}
    if len(outputs) > 1:
        for j, name in enumerate(outputs):
            out[f"rel_l2_{name}"] = rel_l2(pred[:, j], ref[:, j])
    return out


def score_problem(problem, predict) -> dict:
    """Errors of ``predict(points [N, d]) -> [N, m]`` on the problem's scoring grid."""
    points, shape = problem.scoring_grid()
    ref = problem.reference(points)
    pred = np.asarray(predict(points), dtype=np.float64).reshape(ref.shape)
    metrics = problem.score(pred, ref)
    metrics["grid"] = list(shape)
    return metrics


def param_errors(identified: dict, true: dict) -> dict:
    """``param_<name>`` and ``param_<name>_rel_error`` for each identified coefficient."""
    out = {}
    for name, value in identified.items():
        out[f"param_{name}"] = float(value)
        out[f"param_{name}_rel_error"] = abs(float(value) - true[name]) / abs(true[name])
    return out


def psnr(image, reference) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1] (scikit-image; the estimate is clipped to [0, 1])."""
    image = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    return float(peak_signal_noise_ratio(np.asarray(reference, dtype=np.float64), image, data_range=1.0))


def ssim(image, reference) -> float:
    """Structural similarity (scikit-image, Gaussian-weighted as in Wang et al. 2004), images in [0, 1]."""
    image = np.clip(np.asarray(image, dtype=np.float64), 0.0, 1.0)
    reference = np.asarray(reference, dtype=np.float64)
    if image.ndim == 3 and image.shape[-1] == 1:
        image, reference = image[..., 0], reference[..., 0]
    return float(structural_similarity(reference, image, data_range=1.0, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False,
                                       channel_axis=-1 if image.ndim == 3 else None))


def image_scores(image, reference) -> dict:
    return {"psnr": psnr(image, reference), "ssim": ssim(image, reference)}
