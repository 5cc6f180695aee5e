"""One MLP per output, side by side (DeepXDE's and PINNacle's "parallel" network, PFNN)."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf

from pinnzoo.priors.base import CoordinateNetwork, initializer


@keras.saving.register_keras_serializable(package="pinnzoo")
class ParallelMLP(keras.Model, CoordinateNetwork):
    r"""``out_dim`` independent tanh MLP branches (as :class:`~pinnzoo.priors.MLP`), one per output, concatenated:

    .. math::  y(x) = \big(N_1(x), \dots, N_m(x)\big),\quad N_k\ \text{an MLP with hidden widths}\ w.

    Outputs of different nature (a solution and a coefficient field; velocities and pressure) share no weights,
    so neither's fit bends the other's features. ``seed`` seeds every layer of every branch. ``inputs`` (one
    0/1 tuple per branch, as PINNacle's ``split_mask``) lets a branch see some inputs only — a coefficient
    ``a(x, y)`` of a heat flow ``u(x, y, t)``: ``((1, 1, 1), (1, 1, 0))``; its derivative in a masked input is then
    exactly zero.

    Paper: L. Lu, X. Meng, Z. Mao, G. E. Karniadakis, "DeepXDE", SIAM Review 63 (2021) (``PFNN``); the network
    PINNacle (Hao et al., NeurIPS 2024) recommends for its inverse problems.
    """

    def __init__(self, widths: Sequence[int] = (32,) * 4, out_dim: int = 1, activation: str = "tanh",
                 kernel_initializer: str = "glorot_normal", seed: int | None = None,
                 inputs: Sequence[Sequence[int]] | None = None, **kwargs):
        super().__init__(**kwargs)
        if int(out_dim) < 1 or not widths or min(int(w) for w in widths) < 1:
            raise ValueError(f"ParallelMLP needs positive widths and out_dim, got {widths}, {out_dim}")
        self.inputs = None if inputs is None else tuple(tuple(int(v) for v in row) for row in inputs)
        if self.inputs is not None and (len(self.inputs) != int(out_dim)
                                        or any(set(row) - {0, 1} or not any(row) for row in self.inputs)):
            raise ValueError(f"ParallelMLP inputs needs one 0/1 mask per output, each seeing an input, got {inputs}")
        self.widths, self.out_dim = tuple(int(w) for w in widths), int(out_dim)
        self.activation, self.kernel_initializer = activation, kernel_initializer
        self.seed = None if seed is None else int(seed)
        # branch k's layer i: Dense layers of this model itself (nested Models break XLA's gradients of gradients)
        self.branches = [[self._dense(w, activation, k, i) for i, w in enumerate(self.widths)]
                         + [self._dense(1, None, k, len(self.widths))] for k in range(self.out_dim)]

    def _dense(self, units: int, activation, branch: int, index: int):
        seed = None if self.seed is None else self.seed * 100 + branch
        return keras.layers.Dense(units, activation=activation, name=f"branch_{branch}_{index}",
                                  dtype=self.dtype_policy,
                                  kernel_initializer=initializer(self.kernel_initializer, seed, index))

    def build(self, input_shape):
        if self.inputs is not None and any(len(row) != input_shape[-1] for row in self.inputs):
            raise ValueError(f"ParallelMLP inputs masks have {len(self.inputs[0])} entries for "
                             f"{input_shape[-1]} inputs")
        for layers in self.branches:
            shape = tuple(input_shape)
            for layer in layers:
                layer.build(shape)
                shape = shape[:-1] + (layer.units,)
        self.built = True

    def branch(self, k: int, x):
        """Output ``k`` alone: branch ``k``'s layers applied to ``x`` (its masked inputs zeroed)."""
        if self.inputs is not None:
            x = x * tf.constant(self.inputs[k], dtype=x.dtype)
        for layer in self.branches[k]:
            x = layer(x)
        return x

    def call(self, x):
        # Σ_k N_k(x) e_kᵀ rather than a concatenation: XLA has no gradient for the gradient of a concat's slices
        # (the residual's derivatives differentiate the outputs twice)
        unit = tf.eye(self.out_dim, dtype=x.dtype)
        return tf.add_n([self.branch(k, x) * unit[k] for k in range(self.out_dim)])

    def get_config(self):
        config = super().get_config()
        config.update(widths=list(self.widths), out_dim=self.out_dim, activation=self.activation,
                      kernel_initializer=self.kernel_initializer, seed=self.seed,
                      inputs=None if self.inputs is None else [list(row) for row in self.inputs])
        return config
