"""A linear multiscale generator: the sum of trainable grids at halving resolutions, upsampled bilinearly."""

from __future__ import annotations

import keras
import tensorflow as tf

from pinnzoo.priors.base import ImageGenerator
from pinnzoo.priors.layers import upsample2x


@keras.saving.register_keras_serializable(package="pinnzoo")
class MultiscaleGrid(keras.Model, ImageGenerator):
    r"""``G_Θ = Σ_{l=0}^{L-1} U^l Θ_l``: trainable grids ``Θ_l`` of ``H/2^l × W/2^l`` values, each
    upsampled to full size by ``l`` bilinear ×2 steps ``U`` (the Deep Decoder's upsampling) and summed.

    The Deep Decoder with its 1×1 convolutions, ReLUs and normalisations taken
    out, leaving only the architecture's multiscale structure: the output is a
    linear function of ``Θ`` that spans the same fields as the raw grid (level 0
    *is* the raw grid), but a step on ``Θ_l`` moves a smooth, coarse component
    of the field. For a gradient method this is a change of variables — the
    hierarchical-basis preconditioner of finite-element practice — and it is the
    cleanest test of "the architecture as a preconditioner": same fields, same
    optimiser, different parameterisation. ``level_scale`` multiplies level
    ``l`` by ``level_scale^l`` (coarse components get larger steps). ``finest``
    drops the levels below it (``finest = 1``: no raw grid): the generator is
    then under-parameterised, a smooth field of ``Σ_{l ≥ finest} H W / 4^l``
    weights. The input ``z`` only fixes the output's size.

    Paper: H. Yserentant, "On the multi-level splitting of finite element
    spaces", Numer. Math. 49, 1986 (hierarchical bases); R. Heckel, P. Hand,
    "Deep Decoder", ICLR 2019 (the upsampling generator).
    """

    def __init__(self, levels: int = 6, out_channels: int = 1, level_scale: float = 2.0, seed: int | None = None,
                 finest: int = 0, **kwargs):
        super().__init__(**kwargs)
        if int(levels) < 1:
            raise ValueError("levels must be >= 1")
        if not 0 <= int(finest) < int(levels):
            raise ValueError(f"finest must be between 0 and levels - 1 = {int(levels) - 1}, got {finest}")
        self.levels, self.out_channels, self.level_scale, self.seed = int(levels), int(out_channels), float(level_scale), seed
        self.finest = int(finest)
        self.grids = []

    @property
    def stride(self) -> int:
        return 2 ** (self.levels - 1)

    def noise_shape(self, height: int, width: int) -> tuple[int, int, int]:
        return height, width, 1

    def build(self, input_shape):
        h, w = int(input_shape[1]), int(input_shape[2])
        self.grids = [self.add_weight(shape=(1, h >> l, w >> l, self.out_channels), name=f"level{l}",
                                      initializer="zeros") for l in range(self.finest, self.levels)]
        self.built = True

    def call(self, z):
        x = self.grids[-1] * self.level_scale ** (self.levels - 1)
        for l in range(self.levels - 2, -1, -1):  # coarse to fine: upsample the running sum, add the next level
            x = upsample2x(x)
            if l >= self.finest:
                x = x + self.grids[l - self.finest] * self.level_scale ** l
        return tf.tile(x, [tf.shape(z)[0], 1, 1, 1])

    def get_config(self):
        config = super().get_config()
        config.update(levels=self.levels, out_channels=self.out_channels, level_scale=self.level_scale, seed=self.seed,
                      finest=self.finest)
        return config
