"""Small layers shared by the convolutional priors."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.priors.base import initializer
from pinnzoo.priors.conv import matmul_gradient_active, valid_conv2d


def upsample2x(x):
    """Bilinear ×2 upsampling with half-pixel centres and clamped edges (``keras.layers.UpSampling2D(2,
    interpolation="bilinear")``), from pads and weighted sums: its gradient is float64-safe under XLA,
    where ``ResizeBilinearGrad`` is not."""
    for axis in (1, 2):
        pad = [[0, 0]] * 4
        pad[axis] = [1, 1]
        p = tf.pad(x, pad, mode="SYMMETRIC")
        n = tf.shape(x)[axis]
        before = tf.gather(p, tf.range(0, n), axis=axis)
        after = tf.gather(p, tf.range(2, n + 2), axis=axis)
        even, odd = 0.75 * x + 0.25 * before, 0.75 * x + 0.25 * after
        shape = tf.concat([tf.shape(x)[:axis], [2 * n], tf.shape(x)[axis + 1:]], axis=0)
        static = x.shape.as_list()
        static[axis] = None if static[axis] is None else 2 * static[axis]
        x = tf.ensure_shape(tf.reshape(tf.stack([even, odd], axis=axis + 1), shape), static)
    return x


@keras.saving.register_keras_serializable(package="pinnzoo")
class BilinearUpsample2x(keras.layers.Layer):
    """``keras.layers.UpSampling2D(2, interpolation="bilinear")``: in float32 TensorFlow's resize kernels (its
    gradient about 3× faster than :func:`upsample2x`'s on the 2-core CPU, which is 10 % of a DIP step), in float64
    :func:`upsample2x`, the same values to rounding, whose gradient also compiles under XLA."""

    def call(self, x):
        if x.dtype != tf.float64:  # resize computes in float32; a bfloat16 input is cast back (mixed precision)
            size = [2 * (tf.shape(x)[a] if x.shape[a] is None else x.shape[a]) for a in (1, 2)]
            return tf.cast(tf.image.resize(x, size, "bilinear"), x.dtype)
        return upsample2x(x)


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
        if x.shape.rank == 4 and x.dtype != tf.float64:
            # One fused kernel (forward and gradient): about 30 % off a DIP step at 256 x 256 on the 2-core
            # CPU against the three-op form below, which it equals to float32 rounding (tested). Statistics,
            # scale and offset are float32 also for a bfloat16 input (mixed precision).
            empty = tf.constant([], tf.float32)
            y, *_ = tf.raw_ops.FusedBatchNormV3(x=x, scale=tf.cast(self.gamma, tf.float32),
                                                offset=tf.cast(self.beta, tf.float32), mean=empty, variance=empty,
                                                epsilon=self.epsilon, data_format="NHWC", is_training=True)
            return y
        return self.normalise(x)

    def normalise(self, x):
        """The same normalisation as three plain operations (any rank and float type)."""
        mean, var = tf.nn.moments(x, axes=list(range(x.shape.rank - 1)), keepdims=True)
        return (x - mean) * tf.math.rsqrt(var + self.epsilon) * self.gamma + self.beta

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="pinnzoo")
class TapConv2D(keras.layers.Conv2D):
    """``keras.layers.Conv2D`` that, when traced inside :func:`~pinnzoo.priors.conv.matmul_gradient`, is
    differentiated by :func:`~pinnzoo.priors.conv.valid_conv2d` (forward convolutions and one matrix product per
    tap instead of TensorFlow's gradient kernels) where that applies: ``"valid"`` padding, channels last, no
    dilation, the same stride along both axes; elsewhere, and by default, Keras's own. Same weights, values and
    gradient either way (tested)."""

    def convolution_op(self, inputs, kernel):
        if (matmul_gradient_active() and self.padding == "valid" and self.data_format == "channels_last" and tuple(self.dilation_rate) == (1, 1)
                and self.strides[0] == self.strides[1]):
            return valid_conv2d(inputs, tf.cast(kernel, inputs.dtype), self.strides[0])
        return super().convolution_op(inputs, kernel)


@keras.saving.register_keras_serializable(package="pinnzoo")
class ReflectConv2D(keras.layers.Layer):
    """``Conv2D`` whose input is first extended by mirror reflection (no zero borders), as DIP's ``pad='reflection'``.

    With stride 2 and an even input size the output is exactly half the size.
    The kernel is He-uniform, drawn with ``seed`` (``None``: Keras's global random state).
    """

    def __init__(self, filters: int, kernel_size: int = 3, strides: int = 1, use_bias: bool = True,
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides, self.use_bias = int(filters), int(kernel_size), int(strides), bool(use_bias)
        self.seed = None if seed is None else int(seed)
        self.conv = TapConv2D(self.filters, self.kernel_size, strides=self.strides, padding="valid",
                               use_bias=self.use_bias, kernel_initializer=initializer("he_uniform", seed, 0),
                               dtype=self.dtype_policy)

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
                "strides": self.strides, "use_bias": self.use_bias, "seed": self.seed}


@keras.saving.register_keras_serializable(package="pinnzoo")
class FactorizedDense(keras.layers.Layer):
    r"""Dense layer with random weight factorisation: ``W = diag(exp s) V`` acting on the output units.

    Each output unit's weight vector is split into a trainable scale ``exp(s_j)``
    and a direction ``v_j``. At initialisation ``s ~ N(μ, σ)`` and
    ``V = W₀ / exp(s)`` for a Glorot-normal ``W₀``, so the layer starts as the
    plain one, but gradient descent moves in the factorised coordinates, which
    the paper shows speeds up training and lowers PINN errors (``μ = 1``,
    ``σ = 0.1`` there). ``kernel`` is the effective ``[in, out]`` matrix, so
    forward-mode jets use the layer like a ``Dense``.

    Paper: S. Wang, H. Wang, J. H. Seidman, P. Perdikaris, "Random weight
    factorization improves the training of continuous neural representations",
    arXiv:2210.01274 (2022).
    """

    def __init__(self, units: int, activation=None, mean: float = 1.0, std: float = 0.1, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units, self.activation_name = int(units), activation
        self.activation = keras.activations.get(activation)
        self.mean, self.std, self.seed = float(mean), float(std), seed

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        rng = np.random.default_rng(self.seed)
        w0 = rng.standard_normal((fan_in, self.units)) * np.sqrt(2.0 / (fan_in + self.units))
        s0 = self.mean + self.std * rng.standard_normal(self.units)
        self.log_scale = self.add_weight(shape=(self.units,), name="log_scale",
                                         initializer=keras.initializers.Constant(s0))
        self.direction = self.add_weight(shape=(fan_in, self.units), name="direction",
                                         initializer=keras.initializers.Constant(w0 / np.exp(s0)[None, :]))
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    @property
    def kernel(self):
        return self.direction * tf.exp(self.log_scale)[None, :]

    def call(self, x):
        return self.activation(tf.matmul(x, tf.cast(self.kernel, x.dtype)) + tf.cast(self.bias, x.dtype))

    def get_config(self):
        return {**super().get_config(), "units": self.units, "activation": self.activation_name,
                "mean": self.mean, "std": self.std, "seed": self.seed}
