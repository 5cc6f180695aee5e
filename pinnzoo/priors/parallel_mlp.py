"""One MLP per output, side by side (DeepXDE's and PINNacle's "parallel" network, PFNN)."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf

from pinnzoo.priors.base import CoordinateNetwork
from pinnzoo.priors.mlp import MLP


@keras.saving.register_keras_serializable(package="pinnzoo")
class ParallelMLP(keras.Model, CoordinateNetwork):
    r"""``out_dim`` independent :class:`~pinnzoo.priors.MLP` branches, one per output, concatenated:

    .. math::  y(x) = \big(N_1(x), \dots, N_m(x)\big),\quad N_k\ \text{an MLP with hidden widths}\ w.

    Outputs of different nature (a solution and a coefficient field; velocities and pressure) share no weights,
    so neither's fit bends the other's features. ``seed`` seeds branch ``k`` with ``seed * 100 + k``.

    Paper: L. Lu, X. Meng, Z. Mao, G. E. Karniadakis, "DeepXDE", SIAM Review 63 (2021) (``PFNN``); the network
    PINNacle (Hao et al., NeurIPS 2024) recommends for its inverse problems.
    """

    def __init__(self, widths: Sequence[int] = (32,) * 4, out_dim: int = 1, activation: str = "tanh",
                 kernel_initializer: str = "glorot_normal", seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if int(out_dim) < 1:
            raise ValueError(f"ParallelMLP needs out_dim >= 1, got {out_dim}")
        self.widths, self.out_dim = tuple(int(w) for w in widths), int(out_dim)
        self.activation, self.kernel_initializer = activation, kernel_initializer
        self.seed = None if seed is None else int(seed)
        self.branches = [MLP(self.widths, 1, activation, kernel_initializer,
                             seed=None if seed is None else self.seed * 100 + k, name=f"branch_{k}",
                             dtype=self.dtype_policy) for k in range(self.out_dim)]

    def build(self, input_shape):
        for branch in self.branches:
            branch.build(input_shape)
        self.built = True

    def call(self, x):
        return tf.concat([branch(x) for branch in self.branches], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(widths=list(self.widths), out_dim=self.out_dim, activation=self.activation,
                      kernel_initializer=self.kernel_initializer, seed=self.seed)
        return config
