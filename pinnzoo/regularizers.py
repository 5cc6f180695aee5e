"""Explicit image regularisers that an image-prior solver can add to its data term."""

from __future__ import annotations

import abc
from typing import ClassVar

import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.registry import Registry


def total_variation(x, eps: float = 1e-12) -> tf.Tensor:
    r"""Isotropic total variation per pixel, ``mean_{i,j,c} (sqrt(Dx² + Dy² + ε) − sqrt(ε))``.

    ``x`` is ``[B, H, W, C]``; ``Dx``/``Dy`` are forward differences along the
    width/height with a zero difference past the last column/row (Neumann
    boundary), so a constant image has TV 0 and a ramp of slope ``a`` along the
    width has ``a (W − 1) / W``; the result is within ``sqrt(ε)`` of the exact
    TV, and ``ε`` keeps the gradient finite where the image is flat. The mean
    (not the sum) keeps weights comparable across image sizes:
    ``mean((A x − y)²) + λ TV(x)`` is, up to a factor ``n/2``, the ROF energy
    ``½‖A x − y‖² + (λ/2) Σ |∇x|``.

    Papers: L. Rudin, S. Osher, E. Fatemi, "Nonlinear total variation based noise
    removal algorithms", Physica D 1992; J. Liu, Y. Sun, X. Xu, U. Kamilov, "Image
    restoration using total variation regularized deep image prior", ICASSP 2019.
    """
    x = tf.convert_to_tensor(x)
    dx = tf.pad(x[:, :, 1:, :] - x[:, :, :-1, :], [[0, 0], [0, 0], [0, 1], [0, 0]])
    dy = tf.pad(x[:, 1:, :, :] - x[:, :-1, :, :], [[0, 0], [0, 1], [0, 0], [0, 0]])
    return tf.reduce_mean(tf.sqrt(dx * dx + dy * dy + eps)) - tf.sqrt(tf.cast(eps, x.dtype))


def dirichlet_energy(x) -> tf.Tensor:
    r"""The squared H¹ seminorm per pixel, ``mean_{i,j,c} (Dx² + Dy²)`` (the differences of
    :func:`total_variation`): the Tikhonov (H¹) regulariser of smooth fields."""
    x = tf.convert_to_tensor(x)
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]
    return (tf.reduce_sum(dx * dx) + tf.reduce_sum(dy * dy)) / tf.cast(tf.size(x), x.dtype)


class Penalty(abc.ABC):
    """A weighted regulariser ``weight × R(x)`` of a field ``x [B, H, W, C]`` (what a solver adds to its data term)."""

    name: ClassVar[str]

    def __init__(self, weight: float):
        weight = float(weight)
        if not weight >= 0:
            raise InputError(f"a {self.name} penalty needs a weight >= 0, got {weight}")
        self.weight = weight

    @abc.abstractmethod
    def value(self, x) -> tf.Tensor:
        """``R(x)``."""

    def __call__(self, x) -> tf.Tensor:
        return self.weight * self.value(x)

    def get_config(self) -> dict:
        return {"name": self.name, "weight": self.weight}

    def __repr__(self):
        return f"{type(self).__name__}({self.weight:g})"


class H1Penalty(Penalty):
    """Tikhonov regularisation by the H¹ seminorm, :func:`dirichlet_energy`."""

    name = "h1"

    def value(self, x):
        return dirichlet_energy(x)


class TVPenalty(Penalty):
    """Total variation, :func:`total_variation` (smoothed by ``eps`` where the field is flat)."""

    name = "tv"

    def __init__(self, weight: float, eps: float = 1e-6):
        super().__init__(weight)
        self.eps = float(eps)

    def value(self, x):
        return total_variation(x, self.eps)

    def get_config(self) -> dict:
        return {**super().get_config(), "eps": self.eps}


#: name -> penalty class
PENALTIES: Registry[type[Penalty]] = Registry("penalty", InputError)
PENALTIES.register(H1Penalty.name, H1Penalty)
PENALTIES.register(TVPenalty.name, TVPenalty)


def penalty_from_config(config: dict | None) -> Penalty | None:
    if config is None:
        return None
    config = dict(config)
    return PENALTIES.get(config.pop("name"))(**config)
