"""The raw grid: the field itself is the trainable variable (no network) — the control for generators."""

from __future__ import annotations

import keras
import tensorflow as tf

from pinnzoo.priors.base import ImageGenerator


@keras.saving.register_keras_serializable(package="pinnzoo")
class RawGrid(keras.Model, ImageGenerator):
    r"""``G_Θ(z) = Θ``: one trainable value per pixel and channel, initialised to ``init`` (zeros).

    The generator with no architecture at all. Fitting it is plain least squares
    on the pixel values (gradient descent, or L-BFGS, on ``‖A Θ − y‖²``), so it is
    the control that tells what a convolutional generator's architecture adds:
    with a grid PDE operator, any gain of a network over the raw grid under the
    same optimiser is the architecture acting as a preconditioner. The input
    ``z`` only fixes the output's size (one channel of shape ``height × width``);
    its values are ignored. As an image prior it fits noise exactly, so the
    image solver stops it early like DIP.

    The weight is created on the first call (its shape is the input's ``H × W``).
    """

    def __init__(self, out_channels: int = 1, init: float = 0.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.out_channels, self.init, self.seed = int(out_channels), float(init), seed
        self.values = None

    @property
    def stride(self) -> int:
        return 1

    def noise_shape(self, height: int, width: int) -> tuple[int, int, int]:
        return height, width, 1

    def build(self, input_shape):
        h, w = int(input_shape[1]), int(input_shape[2])
        self.values = self.add_weight(shape=(1, h, w, self.out_channels), name="values",
                                      initializer=keras.initializers.Constant(self.init))
        self.built = True

    def call(self, z):
        return tf.tile(self.values, [tf.shape(z)[0], 1, 1, 1])

    def get_config(self):
        config = super().get_config()
        config.update(out_channels=self.out_channels, init=self.init, seed=self.seed)
        return config
