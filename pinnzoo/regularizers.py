"""Explicit image regularisers that an image-prior solver can add to its data term."""

from __future__ import annotations

import tensorflow as tf


def total_variation(x, eps: float = 1e-12) -> tf.Tensor:
    r"""Isotropic total variation per pixel, ``mean_{i,j,c} (sqrt(Dx² + Dy² + ε) − sqrt(ε))``.

    ``x`` is ``[B, H, W, C]``; ``Dx``/``Dy`` are forward differences along the
    width/height with a zero difference past the last column/row (Neumann
    boundary), so a constant image has TV 0 and a ramp of slope ``a`` along the
    width has ``a (W − 1) / W``; the result is within ``sqrt(ε)`` of the exact
    TV, and ``ε`` keeps the gradient finite where the image is flat. The mean
    (not the sum) keeps weights comparable across image sizes:
    ``mean((A x − y)²) + λ TV(x)`` is, up to a factor ``n/2``, the ROF energy
    ``½‖A x − y‖² + (λ/2) Σ |∇x|``.

    Papers: L. Rudin, S. Osher, E. Fatemi, "Nonlinear total variation based noise
    removal algorithms", Physica D 1992; J. Liu, Y. Sun, X. Xu, U. Kamilov, "Image
    restoration using total variation regularized deep image prior", ICASSP 2019.
    """
    x = tf.convert_to_tensor(x)
    dx = tf.pad(x[:, :, 1:, :] - x[:, :, :-1, :], [[0, 0], [0, 0], [0, 1], [0, 0]])
    dy = tf.pad(x[:, 1:, :, :] - x[:, :-1, :, :], [[0, 0], [0, 1], [0, 0], [0, 0]])
    return tf.reduce_mean(tf.sqrt(dx * dx + dy * dy + eps)) - tf.sqrt(tf.cast(eps, x.dtype))
