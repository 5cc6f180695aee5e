"""The Deep Decoder: an under-parameterised image generator of 1×1 convolutions and upsampling."""

from __future__ import annotations

import keras

from pinnzoo.priors.base import ImageGenerator, initializer
from pinnzoo.priors.layers import BatchStatNorm, BilinearUpsample2x, TapConv2D


@keras.saving.register_keras_serializable(package="pinnzoo")
class DeepDecoder(keras.Model, ImageGenerator):
    r"""Deep Decoder generator.

    From a fixed random tensor ``B_0`` of ``channels`` channels at ``1/2^{d}``
    of the output size (``d = layers``), each layer computes

    .. math:: B_{i+1} = \mathrm{cn}(\mathrm{ReLU}(U_i\, B_i C_i)),

    a 1×1 convolution ``C_i`` (mixing channels only), bilinear ×2 upsampling
    ``U_i``, ReLU and channel normalisation ``cn`` (:class:`BatchStatNorm`).
    A last 1×1 convolution, ReLU and ``cn`` at full size, then a 1×1
    convolution to ``out_channels`` and a sigmoid (``output_activation="linear"`` for
    fields of any sign and size, as the grid PDE solvers use). There are no 3×3
    convolutions: the smoothness comes from the upsampling, and the network has
    fewer weights than the image has pixels, so it cannot fit noise — no early
    stopping is needed (under-parameterisation is the regulariser). ``seed``
    seeds the initial weights (``None``: Keras's global random state). As in
    :class:`SkipNet`, ``dtype="mixed_bfloat16"`` computes every layer but the
    head in bfloat16 with float32 weights.

    Paper: R. Heckel, P. Hand, "Deep Decoder: Concise image representations from
    untrained non-convolutional networks", ICLR 2019.
    """

    early_stopping = False  # under-parameterised: it does not fit the noise

    def __init__(self, channels: int = 64, layers: int = 5, out_channels: int = 1, output_activation: str = "sigmoid",
                 seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = None if seed is None else int(seed)
        if int(layers) < 1 or int(channels) < 1:
            raise ValueError("channels and layers must be positive")
        self.channels, self.num_layers, self.out_channels = int(channels), int(layers), int(out_channels)
        self.blocks, policy = [], self.dtype_policy  # every layer in the network's policy, the head in its weights' type
        for i in range(self.num_layers):
            self.blocks.append([TapConv2D(self.channels, 1, name=f"conv{i}", dtype=policy,
                                           kernel_initializer=initializer("glorot_uniform", seed, i)),
                                BilinearUpsample2x(name=f"upsample{i}", dtype=policy),
                                keras.layers.ReLU(dtype=policy), BatchStatNorm(name=f"norm{i}", dtype=policy)])
        self.blocks.append([TapConv2D(self.channels, 1, name=f"conv{self.num_layers}", dtype=policy,
                                       kernel_initializer=initializer("glorot_uniform", seed, self.num_layers)),
                            keras.layers.ReLU(dtype=policy), BatchStatNorm(name=f"norm{self.num_layers}", dtype=policy)])
        self.output_activation = str(output_activation)
        self.head = TapConv2D(self.out_channels, 1, activation=self.output_activation, name="head",
                               kernel_initializer=initializer("glorot_uniform", seed, self.num_layers + 1),
                               dtype=policy.variable_dtype)

    @property
    def stride(self) -> int:
        return 2 ** self.num_layers

    def noise_shape(self, height: int, width: int) -> tuple[int, int, int]:
        return height // self.stride, width // self.stride, self.channels

    def call(self, z):
        x = z
        for block in self.blocks:
            for layer in block:
                x = layer(x)
        return self.head(x)

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, layers=self.num_layers, out_channels=self.out_channels,
                      output_activation=self.output_activation, seed=self.seed)
        return config
