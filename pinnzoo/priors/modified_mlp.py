"""The "modified MLP" of Wang, Teng & Perdikaris: gated by two encoders of the input."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf

from pinnzoo.priors.mlp import DenseNetwork, affine_t


@keras.saving.register_keras_serializable(package="pinnzoo")
class ModifiedMLP(DenseNetwork):
    r"""MLP whose hidden states are convex mixtures of two input encodings.

    .. math::
        U = σ(X W_u + b_u),\quad V = σ(X W_v + b_v),\quad H_1 = σ(X W_1 + b_1),\\
        Z_k = σ(H_k W_{k+1} + b_{k+1}),\quad H_{k+1} = (1 - Z_k) ⊙ U + Z_k ⊙ V,\quad
        y = H_L W + b.

    The encoders ``U, V`` carry the input to every layer multiplicatively, which
    improves gradient flow and lowers PINN errors on stiff problems. All hidden
    widths must be equal. Random weight factorisation (``factorization``) applies
    to every layer as in :class:`~pinnzoo.priors.MLP`. It has no forward-mode
    jets (it is no :class:`~pinnzoo.priors.base.ForwardJets`): the ``taylor``
    engine differentiates it with tapes.

    Paper: S. Wang, Y. Teng, P. Perdikaris, "Understanding and mitigating
    gradient flow pathologies in physics-informed neural networks", SIAM J. Sci.
    Comput. 43 (2021).
    """

    def __init__(self, widths: Sequence[int] = (64,) * 4, out_dim: int = 1, activation: str = "tanh", **kwargs):
        widths = tuple(int(w) for w in widths)
        if len(set(widths)) != 1:
            raise ValueError(f"ModifiedMLP needs equal hidden widths, got {widths}")
        super().__init__(widths, out_dim, activation, **kwargs)
        n = len(widths)
        self.encoder_u = self.dense(widths[0], activation, "encoder_u", n + 1)
        self.encoder_v = self.dense(widths[0], activation, "encoder_v", n + 2)

    def build(self, input_shape):
        self.encoder_u.build(tuple(input_shape))
        self.encoder_v.build(tuple(input_shape))
        super().build(input_shape)

    def call(self, x):
        if not self.feature_major or x.shape.rank != 2:
            return self.layerwise(x)
        xt = tf.transpose(x)  # [units, N] layout, as MLP.call
        u, v, h = (layer.activation(affine_t(layer, xt)) for layer in (self.encoder_u, self.encoder_v, self.hidden[0]))
        for layer in self.hidden[1:]:
            z = layer.activation(affine_t(layer, h))
            h = (1.0 - z) * u + z * v
        return tf.transpose(affine_t(self.head, h))

    def layerwise(self, x):
        u, v = self.encoder_u(x), self.encoder_v(x)
        h = self.hidden[0](x)
        for layer in self.hidden[1:]:
            z = layer(h)
            h = (1.0 - z) * u + z * v
        return self.head(h)
