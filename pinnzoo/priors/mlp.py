"""Multilayer perceptrons: the priors of the PINN solvers. They know no physics."""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.priors.base import CoordinateNetwork, ForwardJets, draw_seed, initializer
from pinnzoo.priors.layers import FactorizedDense


@keras.saving.register_keras_serializable(package="pinnzoo")
class DenseNetwork(keras.Model, CoordinateNetwork):
    """Fully connected network ``R^d -> R^m``, the common part of the MLP priors.

    ``y = W_L σ(... σ(W_1 x + b_1) ...) + b_L`` with ``len(widths)`` hidden layers.
    The default ``tanh`` with Glorot-normal weights is the classic PINN network
    (Raissi et al., J. Comput. Phys. 378, 2019); ``tanh`` is smooth so the
    second derivatives a PDE residual needs exist everywhere.

    Args:
        widths: hidden-layer widths, e.g. ``(20,) * 8``.
        out_dim: number of outputs.
        activation: any Keras activation name.
        kernel_initializer: Keras initializer name.
        seed: seeds every initial weight (layer ``i`` with ``seed * 1000 + i``);
            ``None`` draws them from Keras's global random state
            (``keras.utils.set_random_seed``).
        factorization: ``{"mean": μ, "std": σ}`` to use random weight factorisation
            (:class:`~pinnzoo.priors.layers.FactorizedDense`) in every layer; ``None`` for plain ``Dense``.
        feature_major: compute with activations laid out ``[units, N]`` (one ``Wᵀ H``
            product per layer) instead of Keras's ``[N, units]`` (``H W``, the
            default). Same function; inputs and outputs stay ``[N, d]`` / ``[N, m]``.
            On the 2-core CPU it pays for narrow float32 networks: the matrix
            library handles a 20 x 20 matrix times a wide ``[20, N]`` block better
            than a tall ``[N, 20]`` block times 20 x 20. The gain shrinks as the
            network widens (``benchmarks/vs_deepxde.py`` measures both layouts
            side by side), so Keras's layout stays the default.

    :class:`MLP` adds forward-mode derivatives (:class:`~pinnzoo.priors.base.ForwardJets`).
    """

    def __init__(self, widths: Sequence[int] = (20,) * 8, out_dim: int = 1, activation: str = "tanh",
                 kernel_initializer: str = "glorot_normal", factorization=None, seed: int | None = None,
                 feature_major: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(feature_major, (bool, np.bool_)):
            raise ValueError(f"MLP feature_major must be True or False, got {feature_major!r}")
        self.feature_major = bool(feature_major)
        self.widths = tuple(int(w) for w in widths)
        if not self.widths or min(self.widths) < 1 or int(out_dim) < 1:
            raise ValueError(f"MLP needs positive widths and out_dim, got {widths}, {out_dim}")
        self.out_dim = int(out_dim)
        self.activation = activation
        self.kernel_initializer = kernel_initializer
        self.factorization = dict(factorization) if factorization else None
        self.seed = None if seed is None else int(seed)
        self.hidden = [self.dense(w, activation, f"dense_{i}", i) for i, w in enumerate(self.widths)]
        self.head = self.dense(self.out_dim, None, "head", len(self.widths))

    def dense(self, units: int, activation, name: str, index: int):
        """Layer ``index`` of the network, seeded from :attr:`seed` (following this model's dtype policy,
        also when a float64 model is reloaded later)."""
        if self.factorization:
            # the factorised layers draw with numpy: an unseeded network takes its seed from Keras's state
            if not hasattr(self, "_factor_seed"):
                self._factor_seed = draw_seed(self.seed)
            return FactorizedDense(units, activation=activation, seed=self._factor_seed * 1000 + index, name=name,
                                   dtype=self.dtype_policy, **self.factorization)
        return keras.layers.Dense(units, activation=activation, name=name, dtype=self.dtype_policy,
                                  kernel_initializer=initializer(self.kernel_initializer, self.seed, index))

    def build(self, input_shape):
        shape = tuple(input_shape)
        for layer in self.hidden:
            layer.build(shape)
            shape = shape[:-1] + (layer.units,)
        self.head.build(shape)
        self.built = True

    def call(self, x):
        if not self.feature_major or x.shape.rank != 2:
            return self.layerwise(x)
        h = tf.transpose(x)
        for layer in self.hidden:
            h = layer.activation(affine_t(layer, h))
        return tf.transpose(affine_t(self.head, h))

    def layerwise(self, x):
        """The same function through the Keras layers in the usual points-major layout (any rank)."""
        for layer in self.hidden:
            x = layer(x)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update(widths=list(self.widths), out_dim=self.out_dim, activation=self.activation,
                      kernel_initializer=self.kernel_initializer, factorization=self.factorization, seed=self.seed,
                      feature_major=self.feature_major)
        return config


@keras.saving.register_keras_serializable(package="pinnzoo")
class MLP(DenseNetwork, ForwardJets):
    """The PINN network: a dense tanh network with forward-mode derivatives for the taylor engine.

    A :class:`DenseNetwork` (``tanh``, Glorot-normal weights by default) that is a
    :class:`~pinnzoo.priors.base.ForwardJets`: :meth:`jets` propagates first and
    second derivatives forward through it (the ``taylor`` derivative engine).

    ``y = W_L σ(... σ(W_1 x + b_1) ...) + b_L``; ``tanh`` is smooth, so the
    second derivatives a PDE residual needs exist everywhere.

    Paper: M. Raissi, P. Perdikaris, G. E. Karniadakis, "Physics-informed neural
    networks", J. Comput. Phys. 378 (2019).
    """

    def jets(self, x, first: dict, second: dict):
        """Forward ("Taylor-mode") propagation of derivatives through the network.

        Args:
            x: input values ``[N, d]``.
            first: ``key -> dx/dkey [N, d]``, first derivatives of the inputs
                along each direction ``key`` (e.g. a coordinate name).
            second: ``(k, l) -> d²x/dk dl [N, d]`` or ``None`` for zero.
        Returns:
            ``(y, {k: dy/dk}, {(k, l): d²y/dk dl})`` for the output ``y [N, m]``.

        Per layer ``z = a W + b``: ``z_k = a_k W``, ``z_kl = a_kl W``, then ``σ(z)_k = σ'(z) z_k`` and
        ``σ(z)_kl = σ''(z) z_k z_l + σ'(z) z_kl``. One pass replaces the nested
        tapes of reverse-over-reverse differentiation. Computed in the layout
        ``feature_major`` selects, like :meth:`call`; one product per stream.
        """
        return self._dense_jets(x, dict(first), dict(second))

    def _dense_jets(self, a, da, dda):
        fm = self.feature_major  # streams laid out [units, N] (else Keras's [N, units])
        flip = tf.transpose if fm else (lambda t: t)
        a = flip(a)
        da = {k: flip(v) for k, v in da.items()}
        dda = {k: (None if v is None else flip(v)) for k, v in dda.items()}
        for layer in [*self.hidden, self.head]:
            kernel, bias = tf.cast(layer.kernel, a.dtype), tf.cast(layer.bias, a.dtype)

            # one product per stream: cheaper on the CPU than one product of the concatenated streams
            def times_w(h):
                return tf.matmul(kernel, h, transpose_a=True) if fm else tf.matmul(h, kernel)

            z = times_w(a) + (bias[:, None] if fm else bias)
            dz = {k: times_w(v) for k, v in da.items()}
            ddz = {k: (None if v is None else times_w(v)) for k, v in dda.items()}
            if layer is self.head:
                return flip(z), {k: flip(v) for k, v in dz.items()}, {
                    k: (None if v is None else flip(v)) for k, v in ddz.items()}
            a, s1, s2 = _activation_with_derivatives(self.activation, z)
            da = {k: s1 * v for k, v in dz.items()}
            dda = {}
            for (k, l), v in ddz.items():
                term = s2 * dz[k] * dz[l]
                dda[(k, l)] = term if v is None else term + s1 * v
        raise AssertionError("unreachable")


@keras.saving.register_keras_serializable(package="pinnzoo")
class FourierMLP(MLP):
    r"""An MLP on random Fourier features of its input.

    ``γ(x) = [cos 2πxB, sin 2πxB]`` with a fixed Gaussian matrix ``B ∈ R^{d×m}``,
    entries ``N(0, σ²)``, then :class:`MLP`. Plain MLPs learn low frequencies
    first ("spectral bias"); the features let them fit oscillatory and
    multi-scale solutions. ``σ`` sets the frequency scale, per input if a list.
    ``B`` is a non-trainable weight, so it is saved and exported with the model.
    ``frequencies`` (a d × m table) gives ``B`` itself instead: a deterministic embedding, e.g. the multiples
    ``k/4`` that make ``sin kπx`` on [0, 1] (its inputs are scaled to [-1, 1] by the solver).
    ``seed`` seeds ``B`` and the MLP's weights; ``feature_seed`` (if given) seeds
    ``B`` alone, the weights then follow ``seed``.

    Paper: M. Tancik et al., "Fourier features let networks learn high frequency
    functions in low dimensional domains", NeurIPS 2020; S. Wang, H. Wang,
    P. Perdikaris, "On the eigenvector bias of Fourier feature networks",
    Comput. Methods Appl. Mech. Eng. 384 (2021).
    """

    def __init__(self, widths=(64,) * 3, out_dim: int = 1, features: int = 64, scale=1.0, seed: int | None = None,
                 activation: str = "tanh", kernel_initializer: str = "glorot_normal", feature_seed: int | None = None,
                 frequencies=None, **kwargs):
        super().__init__(widths, out_dim, activation, kernel_initializer, seed=seed, **kwargs)
        self.frequencies_given = None if frequencies is None else [[float(v) for v in row] for row in frequencies]
        if self.frequencies_given is not None:
            features = len(self.frequencies_given[0]) if self.frequencies_given else 0
            if not features or any(len(row) != features for row in self.frequencies_given):
                raise ValueError("FourierMLP frequencies must be a non-empty d x m table (one row per input)")
        self.features = int(features)
        self.scale = [float(v) for v in scale] if isinstance(scale, (list, tuple)) else float(scale)
        # B is drawn from feature_seed, by default the network's seed (drawn once if that is None too)
        self.feature_seed = draw_seed(seed if feature_seed is None else feature_seed)

    def build(self, input_shape):
        d = int(input_shape[-1])
        if self.frequencies_given is not None:
            b = np.asarray(self.frequencies_given, dtype=float)
            if b.shape[0] != d:
                raise ValueError(f"FourierMLP frequencies have {b.shape[0]} rows for {d} inputs")
        else:
            scale = np.broadcast_to(np.asarray(self.scale, dtype=float), (d,))
            b = np.random.default_rng(self.feature_seed).standard_normal((d, self.features)) * scale[:, None]
        self.frequencies = self.add_weight(shape=(d, self.features), name="frequencies", trainable=False,
                                           initializer=keras.initializers.Constant(2 * np.pi * b))
        super().build(tuple(input_shape[:-1]) + (2 * self.features,))

    def call(self, x):
        z = tf.matmul(x, tf.cast(self.frequencies, x.dtype))
        return super().call(tf.concat([tf.cos(z), tf.sin(z)], axis=1))

    def jets(self, x, first, second):
        w = tf.cast(self.frequencies, x.dtype)
        z = tf.matmul(x, w)
        dz = {k: tf.matmul(v, w) for k, v in first.items()}
        ddz = {k: (None if v is None else tf.matmul(v, w)) for k, v in second.items()}
        c, s = tf.cos(z), tf.sin(z)
        da = {k: tf.concat([-s * v, c * v], axis=1) for k, v in dz.items()}
        dda = {}
        for (k, l), v in ddz.items():
            term = tf.concat([-c * dz[k] * dz[l], -s * dz[k] * dz[l]], axis=1)
            dda[(k, l)] = term if v is None else term + tf.concat([-s * v, c * v], axis=1)
        return self._dense_jets(tf.concat([c, s], axis=1), da, dda)

    def get_config(self):
        config = super().get_config()
        config.update(features=self.features, scale=self.scale, feature_seed=self.feature_seed,
                      frequencies=self.frequencies_given)
        return config


def affine_t(layer, h):
    """``(x W + b)ᵀ`` from ``h = xᵀ`` for a dense layer: ``[in, N] -> [out, N]`` (no activation)."""
    return tf.matmul(tf.cast(layer.kernel, h.dtype), h, transpose_a=True) + tf.cast(layer.bias, h.dtype)[:, None]


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
