"""Deep Image Prior's encoder–decoder with skip connections."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf

from pinnzoo.priors.base import ImageGenerator, initializer
from pinnzoo.priors.layers import BatchStatNorm, BilinearUpsample2x, TapConv2D, ReflectConv2D


def _block(filters, kernel, stride=1, name=None, seed=None, dtype=None):
    return [ReflectConv2D(filters, kernel, stride, seed=seed, name=None if name is None else name + "_conv",
                          dtype=dtype),
            BatchStatNorm(name=None if name is None else name + "_norm", dtype=dtype),
            keras.layers.LeakyReLU(0.2, dtype=dtype)]


def _run(layers, x):
    for layer in layers:
        x = layer(x)
    return x


@keras.saving.register_keras_serializable(package="pinnzoo")
class SkipNet(keras.Model, ImageGenerator):
    r"""The "skip" generator of Deep Image Prior: an hourglass with skip connections.

    Scale ``i`` (of ``len(channels_down)``) maps its input ``a_i`` to

    * skip branch: ``s_i = act(norm(conv1×1(a_i)))`` with ``channels_skip[i]`` channels (omitted if 0);
    * deeper branch: ``d_i = act(norm(conv3×3(act(norm(conv3×3_{stride 2}(a_i))))))``,
      then scale ``i + 1`` on ``d_i`` (at the last scale, ``d_i`` itself), upsampled ×2;
    * merge: ``norm(concat(s_i, deeper))`` → 3×3 conv to ``channels_up[i]`` → norm → act →
      1×1 conv → norm → act.

    A final 1×1 convolution to ``out_channels`` and a sigmoid give an image in
    (0, 1) (``output_activation="linear"`` for fields of any sign and size, as
    the grid PDE solvers use). Convolutions pad by reflection, downsampling is by stride 2,
    ``act`` is LeakyReLU(0.2) and ``norm`` is :class:`BatchStatNorm`. The input
    size must be a multiple of ``2^len(channels_down)`` (the image solver pads
    and crops). The original's default is 5 scales of 128 channels, 4 skip
    channels and a 32-channel noise input. ``seed`` seeds every convolution's
    initial weights (``None``: Keras's global random state). Every layer but the
    head computes in the network's Keras dtype policy: ``dtype="mixed_bfloat16"``
    keeps float32 weights, convolves in bfloat16 and returns float32 images.

    Paper: D. Ulyanov, A. Vedaldi, V. Lempitsky, "Deep Image Prior", CVPR 2018
    (and IJCV 2020), supplementary material, architecture "skip".
    """

    input_noise_std = 1.0 / 30.0  # DIP's input-noise regularisation

    def __init__(self, channels_down: Sequence[int] = (128,) * 5, channels_up: Sequence[int] | None = None,
                 channels_skip: Sequence[int] | int = 4, out_channels: int = 1, input_channels: int = 32,
                 upsample: str = "bilinear", output_activation: str = "sigmoid", seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.seed = None if seed is None else int(seed)
        counter = iter(range(10**6))

        policy = self.dtype_policy  # every layer computes in the network's dtype policy, the head in its variables'

        def block(filters, kernel, stride=1, name=None):  # each convolution gets its own seed
            return _block(filters, kernel, stride, name, None if seed is None else self.seed * 1000 + next(counter),
                          policy)

        n = len(channels_down)
        self.channels_down = [int(c) for c in channels_down]
        self.channels_up = [int(c) for c in (channels_up or channels_down)]
        skip = [channels_skip] * n if isinstance(channels_skip, int) else list(channels_skip)
        self.channels_skip = [int(c) for c in skip]
        if not (len(self.channels_up) == len(self.channels_skip) == n) or n < 1:
            raise ValueError("channels_down, channels_up and channels_skip need the same positive length")
        if upsample not in ("bilinear", "nearest"):
            raise ValueError(f"upsample must be 'bilinear' or 'nearest', got {upsample!r}")
        self.out_channels, self.input_channels, self.upsample = int(out_channels), int(input_channels), upsample
        self.skips, self.downs, self.ups, self.merges = [], [], [], []
        for i in range(n):
            self.skips.append(block(self.channels_skip[i], 1, name=f"skip{i}") if self.channels_skip[i] else [])
            self.downs.append(block(self.channels_down[i], 3, 2, name=f"down{i}a")
                              + block(self.channels_down[i], 3, name=f"down{i}b"))
            self.ups.append(BilinearUpsample2x(name=f"upsample{i}", dtype=policy) if upsample == "bilinear"
                            else keras.layers.UpSampling2D(2, interpolation=upsample, name=f"upsample{i}",
                                                           dtype=policy))
            self.merges.append([BatchStatNorm(name=f"merge{i}_norm", dtype=policy)]
                               + block(self.channels_up[i], 3, name=f"up{i}a") + block(self.channels_up[i], 1, name=f"up{i}b"))
        self.output_activation = str(output_activation)
        self.head = TapConv2D(self.out_channels, 1, activation=self.output_activation, name="head",
                               kernel_initializer=initializer("glorot_uniform", seed, 999999),
                               dtype=policy.variable_dtype)

    @property
    def stride(self) -> int:
        """Height and width of the input must be multiples of this."""
        return 2 ** len(self.channels_down)

    def noise_shape(self, height: int, width: int) -> tuple[int, int, int]:
        """Shape ``(H, W, C)`` of the fixed noise input for an output of ``height × width``."""
        return height, width, self.input_channels

    def _scale(self, i, a):
        d = _run(self.downs[i], a)
        if i + 1 < len(self.downs):
            d = self._scale(i + 1, d)
        d = self.ups[i](d)
        if self.skips[i]:
            d = tf.concat([_run(self.skips[i], a), d], axis=-1)
        return _run(self.merges[i], d)

    def call(self, z):
        return self.head(self._scale(0, z))

    def get_config(self):
        config = super().get_config()
        config.update(channels_down=self.channels_down, channels_up=self.channels_up,
                      channels_skip=self.channels_skip, out_channels=self.out_channels,
                      input_channels=self.input_channels, upsample=self.upsample,
                      output_activation=self.output_activation, seed=self.seed)
        return config
