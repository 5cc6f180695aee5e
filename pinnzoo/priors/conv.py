"""A ``VALID`` convolution whose gradient is computed by forward convolutions and matrix products."""

from __future__ import annotations

import contextlib
import functools

import tensorflow as tf

_MATMUL = [False]  # True inside matmul_gradient(): TapConv2D layers differentiate with valid_conv2d's gradient


@contextlib.contextmanager
def matmul_gradient():
    """Within this block, the priors' convolutions (:class:`~pinnzoo.priors.layers.TapConv2D`) trace with
    :func:`valid_conv2d`'s gradient instead of TensorFlow's kernels (for side-by-side timing and checks; it takes
    effect when a function is traced, e.g. a solver's first ``fit``). Off by default: it used less thread time per
    DIP step (profiler, 2-core AVX2 host) but more wall-clock time (2-core AVX-512 host,
    ``benchmarks/image_step_time.py``)."""
    _MATMUL[0] = True
    try:
        yield
    finally:
        _MATMUL[0] = False


def matmul_gradient_active() -> bool:
    """True inside :func:`matmul_gradient`."""
    return _MATMUL[0]


def valid_conv2d(x, kernel, strides: int = 1):
    r"""``tf.nn.conv2d(x, kernel, strides, "VALID")`` for images ``x [B, H, W, C]`` and a kernel
    ``[k, k, C, F]``, with the same values and a gradient assembled from faster operations than TensorFlow's
    CPU kernels for it (``Conv2DBackpropInput`` and ``Conv2DBackpropFilter``):

    .. math:: \frac{∂L}{∂x} = \operatorname{conv}\big(\operatorname{pad}_{k-1}(g^{↑s}),\
              \operatorname{rot}_{180}(K)^{\top}\big), \qquad \frac{∂L}{∂K_{ij}} = X_{ij}^{\top} G,

    where ``g = ∂L/∂y``, ``g^{↑s}`` is ``g`` with ``s − 1`` zeros between its entries (``s`` the stride), the
    first is a forward ("full") convolution with the kernel turned by 180° and its channel axes swapped, and
    in the second ``X_{ij}`` is the input seen through tap ``(i, j)`` (every ``s``-th pixel) and ``G`` the
    output gradient, both flattened to ``[B·H'·W', ·]``: one matrix product per tap. Both equal TensorFlow's
    own gradient to rounding (tested). TensorFlow's profiler charged this gradient about a third less thread
    time than ``Conv2DBackpropInput``/``Conv2DBackpropFilter`` on a 2-core AVX2 CPU, but it parallelises
    worse: the DIP's wall-clock step was slower with it, so the priors use it only inside :func:`matmul_gradient`.
    """
    return _conv(int(strides))(x, kernel)


@functools.lru_cache(maxsize=None)
def _conv(stride: int):
    @tf.custom_gradient
    def conv(x, kernel):
        y = tf.nn.conv2d(x, kernel, stride, "VALID")

        def grad(g):
            return _input_gradient(g, kernel, stride, tf.shape(x)), _kernel_gradient(x, g, kernel, stride)

        return y, grad

    return conv


def _dilate(g, stride: int):
    """``g [B, h, w, F]`` with ``stride − 1`` zeros between neighbours: ``[B, (h−1)s+1, (w−1)s+1, F]``."""
    if stride == 1:
        return g
    for axis in (1, 2):
        parts = [g] + [tf.zeros_like(g)] * (stride - 1)
        shape = tf.tensor_scatter_nd_update(tf.shape(g), [[axis]], [tf.shape(g)[axis] * stride])
        g = tf.reshape(tf.stack(parts, axis=axis + 1), shape)
        g = g[:, :-(stride - 1)] if axis == 1 else g[:, :, :-(stride - 1)]
    return g


def _input_gradient(g, kernel, stride: int, x_shape):
    kh, kw = int(kernel.shape[0]), int(kernel.shape[1])
    flipped = tf.transpose(tf.reverse(kernel, [0, 1]), [0, 1, 3, 2])
    dx = tf.nn.conv2d(tf.pad(_dilate(g, stride), [[0, 0], [kh - 1, kh - 1], [kw - 1, kw - 1], [0, 0]]), flipped, 1,
                      "VALID")
    # rows and columns of x that no output saw (when (H − k) is not a multiple of the stride) get zeros
    missing = x_shape[1:3] - tf.shape(dx)[1:3]
    return tf.pad(dx, [[0, 0], [0, missing[0]], [0, missing[1]], [0, 0]])


def _kernel_gradient(x, g, kernel, stride: int):
    kh, kw, channels, filters = (int(v) for v in kernel.shape)
    h, w = tf.shape(g)[1], tf.shape(g)[2]
    span_h, span_w = (h - 1) * stride + 1, (w - 1) * stride + 1
    flat_g = tf.reshape(g, [-1, filters])
    taps = [tf.matmul(tf.reshape(x[:, i:i + span_h:stride, j:j + span_w:stride, :], [-1, channels]), flat_g,
                      transpose_a=True) for i in range(kh) for j in range(kw)]
    return tf.reshape(tf.stack(taps), tf.shape(kernel))
