"""Total-variation restoration through any imaging operator: deconvolution, inpainting, super-resolution, backward
heat — the strongest classical baseline of the tasks where DIP claims a margin.

Penalised (noisy measurements)::

    x̂ = argmin_{0 ≤ x ≤ 1}  ½ ‖A x − y‖² + λ TV(x),    TV(x) = Σ_pixels ‖∇x‖  (isotropic, colour channels coupled)

by the primal–dual algorithm of Condat (2013) and Vũ (2013): an explicit gradient step on the data term, the
proximal step of TV through its dual variable ``p``::

    x⁺ = clip(x − τ (Aᵀ(A x − y) − div p)),   p⁺ = Π_{‖·‖≤λ}(p + s ∇(2x⁺ − x)),

convergent for ``1/τ − s ‖∇‖² > L/2`` with ``L = ‖AᵀA‖`` (estimated by power iteration) and ``‖∇‖² ≤ 8``.

Constrained (noise-free measurements of an operator with ``A Aᵀ = c I``: masks, area downsampling): ``argmin TV(x)
subject to A x = y``, by Chambolle & Pock (2011) with the projection :meth:`~pinnzoo.operators.Operator.project`
as the data term's proximal step — TV inpainting and TV super-resolution with no weight to choose.

Forward differences with zero flux at the last row/column; ``div = −∇ᵀ`` exactly (tested).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import Operator, as_image_batch

#: ‖∇‖² ≤ 8 for forward differences in two directions
GRADIENT_NORM_SQUARED = 8.0


def gradient(x: tf.Tensor) -> tf.Tensor:
    """Forward differences of ``x [B, H, W, C]`` → ``[B, H, W, C, 2]`` (vertical, horizontal); 0 across the edge."""
    dy = tf.concat([x[:, 1:] - x[:, :-1], tf.zeros_like(x[:, :1])], axis=1)
    dx = tf.concat([x[:, :, 1:] - x[:, :, :-1], tf.zeros_like(x[:, :, :1])], axis=2)
    return tf.stack([dy, dx], axis=-1)


def divergence(p: tf.Tensor) -> tf.Tensor:
    """``−∇ᵀ p`` for ``p [B, H, W, C, 2]``."""
    py, px = p[..., 0], p[..., 1]
    dy = tf.concat([py[:, :1], py[:, 1:-1] - py[:, :-2], -py[:, -2:-1]], axis=1)
    dx = tf.concat([px[:, :, :1], px[:, :, 1:-1] - px[:, :, :-2], -px[:, :, -2:-1]], axis=2)
    return dy + dx


def total_variation(x) -> float:
    """Isotropic TV of an image ``[H, W, C]`` (channels coupled), as :func:`gradient` discretises it."""
    g = gradient(as_image_batch(x))
    return float(tf.reduce_sum(tf.sqrt(tf.reduce_sum(g * g, axis=[-2, -1]))))


def _project_ball(p: tf.Tensor, radius) -> tf.Tensor:
    norm = tf.sqrt(tf.reduce_sum(p * p, axis=[-2, -1], keepdims=True))
    return p / tf.maximum(1.0, norm / radius)


def operator_norm_squared(operator: Operator, shape, iterations: int = 30) -> float:
    """``‖AᵀA‖`` on images of ``shape [H, W, C]`` by power iteration (a little above, to be safe)."""
    x = tf.random.stateless_normal((1, *shape), seed=(1, 2))
    value = 1.0
    for _ in range(iterations):
        x = operator.A_adjoint(operator.A(x))
        value = float(tf.norm(x))
        x = x / value
    return 1.02 * value


def tv_restore(y, operator: Operator, weight: float | None, *, iterations: int = 1000, start=None) -> np.ndarray:
    """TV restoration of the measurement ``y [h, w, C]`` through ``operator`` (see the module's docstring):
    penalised with ``weight`` λ > 0, or constrained (``weight=None``: ``A x = y`` exactly; operators with
    ``gram_scale``). Starts from ``start`` (default ``Aᵀy`` rescaled, or its projection); returns ``[H, W, C]``.

    Raises:
        InputError: a weight ≤ 0 or NaN, no iterations, a measurement with NaN/inf, or ``weight=None`` for an
            operator without an exact pseudo-inverse (a blur).
    """
    if weight is not None and not weight > 0 or int(iterations) < 1:
        raise InputError(f"TV restoration needs a weight > 0 (or None: A x = y exactly) and iterations >= 1, got "
                         f"weight {weight}, iterations {iterations}")
    y = as_image_batch(y)
    if not bool(tf.reduce_all(tf.math.is_finite(y))):
        raise InputError("the measurement holds NaN or inf values")
    shape = (*operator.input_shape(*y.shape[1:3]), y.shape[3])
    if weight is None:
        x0 = operator.project(tf.zeros((1, *shape)), y) if start is None else as_image_batch(start)
        return _constrained(y, operator, x0, iterations).numpy()[0]
    lipschitz = operator_norm_squared(operator, shape)
    x0 = tf.clip_by_value(operator.A_adjoint(y) / lipschitz, 0, 1) if start is None else as_image_batch(start)
    s = 1.0 / (2 * GRADIENT_NORM_SQUARED)
    tau = 0.95 / (lipschitz / 2 + s * GRADIENT_NORM_SQUARED)
    return _penalised(y, operator, x0, float(weight), tau, s, iterations).numpy()[0]


def _penalised(y, operator, x, weight, tau, s, iterations):
    @tf.function
    def run(x):
        p = tf.zeros_like(gradient(x))
        for _ in tf.range(iterations):
            x_new = tf.clip_by_value(x - tau * (operator.A_adjoint(operator.A(x) - y) - divergence(p)), 0.0, 1.0)
            p = _project_ball(p + s * gradient(2 * x_new - x), weight)
            x = x_new
        return x

    return run(x)


def _constrained(y, operator, x, iterations):
    tau = s = 0.99 / np.sqrt(GRADIENT_NORM_SQUARED)

    @tf.function
    def run(x):
        p = tf.zeros_like(gradient(x))
        for _ in tf.range(iterations):
            x_new = operator.project(x + tau * divergence(p), y)
            p = _project_ball(p + s * gradient(2 * x_new - x), 1.0)
            x = x_new
        return x

    return run(x)


def back_projection(y, operator: Operator, upsample, iterations: int = 30) -> np.ndarray:
    """Iterative back-projection (Irani & Peleg 1991): ``x ← x + U(y − A x)`` from ``x = U y``, with ``U`` the
    upsampling ``upsample`` (``[h, w, C] → [H, W, C]``, e.g. bicubic); ``[H, W, C]``."""
    y = np.asarray(y, dtype=np.float32)
    x = upsample(y)
    for _ in range(iterations):
        x = x + upsample(y - operator.A(as_image_batch(x)).numpy()[0])
    return np.clip(x, 0, 1)
