"""Small layers shared by the convolutional priors."""

from __future__ import annotations

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="pinnzoo")
class BatchStatNorm(keras.layers.Layer):
    r"""Per-channel normalisation with the statistics of the current batch, then ``γ x̂ + β``.

    This is batch normalisation as Deep Image Prior and the Deep Decoder use it:
    one image per batch and the network always in training mode, so the mean and
    variance are taken over the batch and spatial axes of every call (at fitting
    time and at serving time alike — there are no running averages that could
    make the served image differ from the fitted one). The Deep Decoder calls it
    "channel normalisation".
    """

    def __init__(self, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = float(epsilon)

    def build(self, input_shape):
        c = int(input_shape[-1])
        self.gamma = self.add_weight(shape=(c,), name="gamma", initializer="ones")
        self.beta = self.add_weight(shape=(c,), name="beta", initializer="zeros")

    def call(self, x):
        mean, var = tf.nn.moments(x, axes=[0, 1, 2], keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + self.epsilon) * self.gamma + self.beta

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="pinnzoo")
class ReflectConv2D(keras.layers.Layer):
    """``Conv2D`` whose input is first extended by mirror reflection (no zero borders), as DIP's ``pad='reflection'``.

    With stride 2 and an even input size the output is exactly half the size.
    """

    def __init__(self, filters: int, kernel_size: int = 3, strides: int = 1, use_bias: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides, self.use_bias = int(filters), int(kernel_size), int(strides), bool(use_bias)
        self.conv = keras.layers.Conv2D(self.filters, self.kernel_size, strides=self.strides, padding="valid",
                                        use_bias=self.use_bias, kernel_initializer="he_uniform")

    def build(self, input_shape):
        p = self.kernel_size // 2
        shape = list(input_shape)
        shape[1] = None if shape[1] is None else shape[1] + 2 * p
        shape[2] = None if shape[2] is None else shape[2] + 2 * p
        self.conv.build(tuple(shape))

    def call(self, x):
        p = self.kernel_size // 2
        if p:
            x = tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")
        return self.conv(x)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "use_bias": self.use_bias}
