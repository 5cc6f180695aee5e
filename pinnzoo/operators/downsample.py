"""Downsampling by an integer factor with area (box) averaging: super-resolution."""

from __future__ import annotations

import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import Operator, register_operator


@register_operator
class Downsample(Operator):
    r"""``(A x)_{ij} = s^{-2} \sum_{a,b < s} x_{si+a,\, sj+b}``: average over ``s × s`` blocks.

    The adjoint spreads each low-resolution value evenly over its block,
    ``Aᵀ y = s^{-2} · repeat(y, s)``. The image size must be a multiple of ``s``.
    """

    name = "downsample"

    @classmethod
    def examples(cls):
        return [cls(2), cls(4)]

    def __init__(self, factor: int = 4):
        if int(factor) != factor or factor < 2:
            raise InputError(f"the scale factor must be an integer >= 2, got {factor}")
        self.factor = int(factor)
        self.gram_scale = 1.0 / self.factor ** 2  # A Aᵀ = s⁻² I

    def check(self, height, width):
        if height % self.factor or width % self.factor:
            raise InputError(f"image {height}×{width} is not a multiple of the scale factor {self.factor}")

    def output_shape(self, height, width):
        return height // self.factor, width // self.factor

    def input_shape(self, height, width):
        return height * self.factor, width * self.factor

    def A(self, x):  # noqa: N802
        x = tf.convert_to_tensor(x, tf.float32)
        self.check(x.shape[1], x.shape[2])
        s = self.factor
        return tf.nn.avg_pool2d(x, ksize=s, strides=s, padding="VALID")

    def A_adjoint(self, y):  # noqa: N802
        s = self.factor
        y = tf.convert_to_tensor(y, tf.float32)
        up = tf.repeat(tf.repeat(y, s, axis=1), s, axis=2)
        return up / float(s * s)

    def get_config(self):
        return {"name": self.name, "factor": self.factor}

    def describe(self):
        return f"downsample ×{self.factor} (area average)"
