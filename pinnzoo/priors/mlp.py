"""Multilayer perceptrons: the priors of the PINN solvers. They know no physics."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="pinnzoo")
class MLP(keras.Model):
    """Fully connected network ``R^d -> R^m``.

    ``y = W_L σ(... σ(W_1 x + b_1) ...) + b_L`` with ``len(widths)`` hidden layers.
    The default ``tanh`` with Glorot-normal weights is the classic PINN network
    (Raissi et al., J. Comput. Phys. 378, 2019); ``tanh`` is smooth so the
    second derivatives a PDE residual needs exist everywhere.

    Args:
        widths: hidden-layer widths, e.g. ``(20,) * 8``.
        out_dim: number of outputs.
        activation: any Keras activation name.
        kernel_initializer: Keras initializer name.
    """

    def __init__(self, widths: Sequence[int] = (20,) * 8, out_dim: int = 1, activation: str = "tanh",
                 kernel_initializer: str = "glorot_normal", **kwargs):
        super().__init__(**kwargs)
        self.widths = tuple(int(w) for w in widths)
        if not self.widths or min(self.widths) < 1 or int(out_dim) < 1:
            raise ValueError(f"MLP needs positive widths and out_dim, got {widths}, {out_dim}")
        self.out_dim = int(out_dim)
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.hidden = [keras.layers.Dense(w, activation=activation, kernel_initializer=kernel_initializer,
                                          name=f"dense_{i}") for i, w in enumerate(self.widths)]
        self.head = keras.layers.Dense(self.out_dim, kernel_initializer=kernel_initializer, name="head")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = shape[:-1] + (layer.units,)
        self.head.build(shape)
        self.built = True

    def call(self, x):
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def jets(self, x, first: dict, second: dict):
        """Forward ("Taylor-mode") propagation of derivatives through the network.

        Args:
            x: input values ``[N, d]``.
            first: ``key -> dx/dkey [N, d]``, first derivatives of the inputs
                along each direction ``key`` (e.g. a coordinate name).
            second: ``(k, l) -> d²x/dk dl [N, d]`` or ``None`` for zero.
        Returns:
            ``(y, {k: dy/dk}, {(k, l): d²y/dk dl})`` for the output ``y [N, m]``.

        Per layer ``z = a W + b``: ``z_k = a_k W``, ``z_kl = a_kl W`` (one matmul
        for all streams), then ``σ(z)_k = σ'(z) z_k`` and
        ``σ(z)_kl = σ''(z) z_k z_l + σ'(z) z_kl``. One pass replaces the nested
        tapes of reverse-over-reverse differentiation.
        """
        a, da, dda = x, dict(first), dict(second)
        for layer in [*self.hidden, self.head]:
            keys1 = list(da)
            keys2 = [k for k, v in dda.items() if v is not None]
            stacked = tf.concat([a] + [da[k] for k in keys1] + [dda[k] for k in keys2], axis=0)
            out = tf.matmul(stacked, tf.cast(layer.kernel, stacked.dtype))
            parts = tf.split(out, 1 + len(keys1) + len(keys2), axis=0)
            z = parts[0] + tf.cast(layer.bias, out.dtype)
            dz = dict(zip(keys1, parts[1:1 + len(keys1)]))
            ddz = {k: None for k in dda}
            ddz.update(zip(keys2, parts[1 + len(keys1):]))
            if layer is self.head:
                return z, dz, ddz
            a, s1, s2 = _activation_with_derivatives(self.activation, z)
            da = {k: s1 * v for k, v in dz.items()}
            dda = {}
            for (k, l), v in ddz.items():
                term = s2 * dz[k] * dz[l]
                dda[(k, l)] = term if v is None else term + s1 * v
        raise AssertionError("unreachable")

    def get_config(self):
        config = super().get_config()
        config.update(widths=list(self.widths), out_dim=self.out_dim, activation=self.activation,
                      kernel_initializer=self.kernel_initializer)
        return config


def _activation_with_derivatives(name, z):
    """``σ(z), σ'(z), σ''(z)`` elementwise; closed forms where known, else tapes."""
    if name == "tanh":
        a = tf.tanh(z)
        s1 = 1.0 - a * a
        return a, s1, -2.0 * a * s1
    if name == "sin":
        a = tf.sin(z)
        return a, tf.cos(z), -a
    fn = keras.activations.get(name)
    with tf.GradientTape() as outer:
        outer.watch(z)
        with tf.GradientTape() as inner:
            inner.watch(z)
            a = fn(z)
        s1 = inner.gradient(a, z)
    return a, s1, outer.gradient(s1, z)
