"""Inpainting: keep the known pixels, ``A x = m ⊙ x``."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import Operator, register_operator


def random_mask(height: int, width: int, missing: float = 0.5, seed: int = 0) -> np.ndarray:
    """A ``height × width`` 0/1 mask with a fraction ``missing`` of pixels (uniformly at random) set to 0."""
    if not 0.0 <= missing < 1.0:
        raise InputError(f"missing fraction must be in [0, 1), got {missing}")
    return (np.random.default_rng(seed).random((height, width)) >= missing).astype(np.float32)


@register_operator
class Mask(Operator):
    r"""Pixel mask ``A x = m ⊙ x`` (``m = 1`` known, ``0`` missing); self-adjoint.

    ``mask`` is ``[H, W]`` (shared by all channels) or ``[H, W, C]``; values are
    rounded to 0/1. Missing pixels of the measurement are ignored by the loss
    because ``A`` zeroes them on both sides.
    """

    name = "mask"
    gram_scale = 1.0  # A Aᵀ = m ⊙ m = m: the identity on the known pixels, where A's range lives

    @classmethod
    def examples(cls):
        return [cls(random_mask(*cls.EXAMPLE_SIZE, 0.5, seed=1))]

    def __init__(self, mask):
        m = np.asarray(mask, dtype=np.float32)
        if m.ndim not in (2, 3):
            raise InputError(f"a mask must be [H, W] or [H, W, C], got shape {m.shape}")
        if not np.all(np.isfinite(m)):
            raise InputError("the mask contains NaN or infinite values")
        m = (m > 0.5).astype(np.float32)
        if m.ndim == 2:
            m = m[:, :, None]
        if m.sum() == 0:
            raise InputError("the mask keeps no pixel")
        self.mask = m
        self._m = tf.constant(m[None])

    def check(self, height, width):
        if (height, width) != self.mask.shape[:2]:
            raise InputError(f"mask is {self.mask.shape[0]}×{self.mask.shape[1]} but the image is {height}×{width}")

    def A(self, x):  # noqa: N802
        return tf.convert_to_tensor(x, tf.float32) * self._m

    def A_adjoint(self, y):  # noqa: N802
        return self.A(y)

    def project(self, x, y):
        """``x`` with the known pixels replaced by ``y``'s (the general formula, selected exactly)."""
        x = tf.convert_to_tensor(x, tf.float32)
        return tf.where(self._m > 0.5, tf.convert_to_tensor(y, tf.float32), x)

    def get_config(self):
        return {"name": self.name, "mask": self.mask.tolist()}

    @classmethod
    def from_config(cls, config):
        return cls(np.asarray(config["mask"], dtype=np.float32))

    def describe(self):
        return f"mask ({100 * (1 - self.mask.mean()):.0f}% missing)"
