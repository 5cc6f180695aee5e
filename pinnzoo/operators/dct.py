"""The orthonormal 2-D DCT-II of image batches in TensorFlow, the eigenbasis of mirror-boundary stencils."""

from __future__ import annotations

import tensorflow as tf


def dct2(x) -> tf.Tensor:
    """``C x`` for images ``[B, H, W, C]`` (float32), each channel on its own, in the transposed layout
    ``[B, C, W, H]`` (two 1-D transforms along the last axis; one transpose fewer than ``[B, C, H, W]``).
    Coefficient ``(k, l)`` of channel ``c`` is at ``[b, c, l, k]``: multiply by ``weights.T`` of ``[H, W]``
    weights."""
    t = tf.transpose(tf.convert_to_tensor(x, tf.float32), [0, 3, 1, 2])     # [B, C, H, W]
    t = tf.signal.dct(t, type=2, norm="ortho")                              # along W
    return tf.signal.dct(tf.linalg.matrix_transpose(t), type=2, norm="ortho")  # along H: [B, C, W, H]


def idct2(coefficients) -> tf.Tensor:
    """``Cᵀ c``, the inverse of :func:`dct2`: ``[B, C, W, H]`` coefficients → images ``[B, H, W, C]``."""
    t = tf.signal.idct(coefficients, type=2, norm="ortho")                  # along H
    t = tf.signal.idct(tf.linalg.matrix_transpose(t), type=2, norm="ortho")  # along W: [B, C, H, W]
    return tf.transpose(t, [0, 2, 3, 1])
