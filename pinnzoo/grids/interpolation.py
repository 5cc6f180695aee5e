"""Values of a grid field at arbitrary points: bilinear interpolation on a tensor-product grid."""

from __future__ import annotations

import tensorflow as tf


def bilinear(values, xs, ys, points) -> tf.Tensor:
    """``values [ny, nx]`` given at ``(xs[i], ys[j])`` (both increasing), interpolated at ``points [N, 2]``
    (``x``, ``y``) → ``[N]``. Points outside the grid's box are clamped onto it. Plain TensorFlow
    (``searchsorted``, ``gather_nd``), so a SavedModel serves it."""
    values, xs, ys = (tf.convert_to_tensor(v) for v in (values, xs, ys))
    points = tf.cast(points, values.dtype)
    x = tf.clip_by_value(points[:, 0], xs[0], xs[-1])
    y = tf.clip_by_value(points[:, 1], ys[0], ys[-1])

    def cell(axis, t):
        i = tf.clip_by_value(tf.searchsorted(axis, t, side="right") - 1, 0, tf.shape(axis)[0] - 2)
        lo, hi = tf.gather(axis, i), tf.gather(axis, i + 1)
        return i, (t - lo) / (hi - lo)

    i, tx = cell(xs, x)
    j, ty = cell(ys, y)

    def at(dj, di):
        return tf.gather_nd(values, tf.stack([j + dj, i + di], axis=1))

    return (1 - ty) * ((1 - tx) * at(0, 0) + tx * at(0, 1)) + ty * ((1 - tx) * at(1, 0) + tx * at(1, 1))
