"""Multilayer perceptrons: the priors of the PINN solvers. They know no physics."""

from __future__ import annotations

from typing import Sequence

import keras


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

    def get_config(self):
        config = super().get_config()
        config.update(widths=list(self.widths), out_dim=self.out_dim, activation=self.activation,
                      kernel_initializer=self.kernel_initializer)
        return config
