"""Blur by a point-spread function: ``A x = psf * x`` with symmetric boundaries."""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.base import Operator, register_operator
from pinnzoo.registry import Registry


def gaussian_psf(sigma: float) -> np.ndarray:
    """Normalised Gaussian kernel of size ``2⌈3σ⌉ + 1``."""
    if not sigma > 0:
        raise InputError(f"Gaussian PSF needs sigma > 0, got {sigma}")
    r = int(math.ceil(3 * sigma))
    g = np.exp(-np.arange(-r, r + 1) ** 2 / (2 * sigma ** 2))
    k = np.outer(g, g)
    return k / k.sum()


def box_psf(size: int) -> np.ndarray:
    """Uniform ``size × size`` kernel."""
    if size < 1:
        raise InputError(f"box PSF needs size >= 1, got {size}")
    return np.full((size, size), 1.0 / size ** 2)


def motion_psf(length: float, angle: float) -> np.ndarray:
    """Linear motion blur: a line of ``length`` pixels at ``angle`` degrees (anticlockwise from +x).

    The line is rasterised by sampling it finely and spreading each sample over
    its neighbouring pixels bilinearly; the kernel is odd-sized and normalised.
    """
    if not length >= 1:
        raise InputError(f"motion PSF needs length >= 1, got {length}")
    r = int(math.ceil(length / 2))
    k = np.zeros((2 * r + 1, 2 * r + 1))
    theta = math.radians(angle)
    for s in np.linspace(-(length - 1) / 2, (length - 1) / 2, int(8 * length) + 1):
        x, y = r + s * math.cos(theta), r - s * math.sin(theta)  # row index grows downwards
        i0, j0 = int(math.floor(y)), int(math.floor(x))
        fy, fx = y - i0, x - j0
        for di, wi in ((0, 1 - fy), (1, fy)):
            for dj, wj in ((0, 1 - fx), (1, fx)):
                if 0 <= i0 + di < k.shape[0] and 0 <= j0 + dj < k.shape[1]:
                    k[i0 + di, j0 + dj] += wi * wj
    return k / k.sum()


@dataclasses.dataclass(frozen=True)
class PSFFamily:
    """A parametric PSF: ``NAME:ARG[:ARG]`` in a spec, ``make(*args)`` builds the kernel."""

    name: str
    make: Callable[..., np.ndarray]
    arguments: tuple[str, ...]       # names shown in specs and help texts
    integer: tuple[bool, ...]        # which arguments must be integers

    @property
    def spec(self) -> str:
        return ":".join((self.name, *self.arguments))

    def build(self, args: list[str], text: str) -> np.ndarray:
        if len(args) != len(self.arguments):
            raise InputError(f"unknown PSF {text!r}: {self.name} takes {len(self.arguments)} argument(s), "
                             f"as in {self.spec}")
        try:
            numbers = [float(a) for a in args]
        except ValueError:
            raise InputError(f"bad number in PSF spec {text!r}") from None
        for name, value, integer in zip(self.arguments, numbers, self.integer):
            if integer and value != int(value):
                raise InputError(f"{self.name} PSF {name.lower()} must be an integer, got {value:g}")
        return self.make(*[int(v) if i else v for v, i in zip(numbers, self.integer)])


#: PSF family name -> :class:`PSFFamily`
PSFS: Registry = Registry("PSF", InputError)
PSFS.register("gaussian", PSFFamily("gaussian", gaussian_psf, ("SIGMA",), (False,)))
PSFS.register("box", PSFFamily("box", box_psf, ("SIZE",), (True,)))
PSFS.register("motion", PSFFamily("motion", motion_psf, ("LENGTH", "ANGLE"), (False, False)))


def psf_specs() -> str:
    """The accepted PSF specs in words, e.g. for help texts."""
    return ", ".join(f.spec for f in PSFS.values()) + " or a .npy file"


def parse_psf(spec) -> np.ndarray:
    """A PSF from a spec (``gaussian:SIGMA``, ``box:SIZE``, ``motion:LENGTH:ANGLE``, see :data:`PSFS`),
    a ``.npy`` path or an array.

    Raises:
        InputError: unknown spec, unreadable file, or a PSF that is not a 2-D
            finite array summing to a positive value.
    """
    if isinstance(spec, np.ndarray):
        psf = spec
    else:
        text = str(spec)
        if text.endswith(".npy"):
            try:
                psf = np.load(text, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise InputError(f"cannot read PSF file {text}: {exc}") from None
        else:
            name, _, rest = text.partition(":")
            if name not in PSFS:
                raise InputError(f"unknown PSF {text!r}; use {psf_specs()}")
            psf = PSFS.get(name).build(rest.split(":") if rest else [], text)
    psf = np.asarray(psf, dtype=np.float64)
    if psf.ndim != 2 or psf.size == 0:
        raise InputError(f"a PSF must be a non-empty 2-D array, got shape {psf.shape}")
    if not np.all(np.isfinite(psf)):
        raise InputError("the PSF contains NaN or infinite values")
    if not psf.sum() > 0:
        raise InputError(f"the PSF must sum to a positive value, got {psf.sum():g}")
    return psf / psf.sum()


def _pad_widths(k: int) -> tuple[int, int]:
    # Same alignment as scipy.ndimage.convolve: centre at (k - 1) // 2 of the flipped kernel.
    return (k - 1) // 2, k // 2


def _fold_symmetric(y: tf.Tensor, axis: int, before: int, after: int) -> tf.Tensor:
    """Adjoint of symmetric padding along ``axis``: add the padded margins back onto their source pixels."""
    n = y.shape[axis] - before - after
    core = tf.gather(y, tf.range(before, before + n), axis=axis)
    parts = []
    if before:
        head = tf.reverse(tf.gather(y, tf.range(0, before), axis=axis), [axis])
        parts.append((0, head))
    if after:
        tail = tf.reverse(tf.gather(y, tf.range(before + n, before + n + after), axis=axis), [axis])
        parts.append((n - after, tail))
    for start, block in parts:
        pad = [[0, 0]] * 4
        pad[axis] = [start, n - start - block.shape[axis]]
        core = core + tf.pad(block, pad)
    return core


@register_operator
class Blur(Operator):
    r"""Convolution with a point-spread function, same-size output, symmetric ("reflect") boundaries.

    .. math:: (A x)_{ij} = \sum_{kl} h_{kl}\, \tilde x_{i-k,\,j-l}

    where ``x̃`` is ``x`` extended by mirror reflection including the edge pixel
    (NumPy's ``symmetric``, SciPy's ``reflect``), so ``A`` matches
    ``scipy.ndimage.convolve(x, h, mode="reflect")``. It is computed as a
    padding ``P`` followed by a valid ``tf.nn.conv2d`` ``C`` with the flipped
    kernel, channels folded into the batch; the adjoint is
    ``Aᵀ = Pᵀ Cᵀ`` with ``Cᵀ = tf.nn.conv2d_transpose`` and ``Pᵀ`` folding the
    mirrored margins back.

    ``psf`` is a spec (``gaussian:2.0``, ``box:5``, ``motion:9:30``, ``file.npy``)
    or an array; it is normalised to sum 1.
    """

    name = "blur"

    @classmethod
    def examples(cls):
        custom = np.random.default_rng(0).random((4, 6))
        return [cls(spec) for spec in ("gaussian:2.0", "gaussian:0.7", "box:4", "box:5", "motion:9:30",
                                       "motion:6:90")] + [cls(custom)]

    def __init__(self, psf="gaussian:2.0"):
        self.spec = psf if isinstance(psf, str) else None
        self.psf = parse_psf(psf)
        flipped = self.psf[::-1, ::-1].astype(np.float32)
        self._kernel = tf.constant(flipped[:, :, None, None])
        kh, kw = self.psf.shape
        self._pads = (_pad_widths(kh), _pad_widths(kw))

    def check(self, height, width):
        if self.psf.shape[0] > height or self.psf.shape[1] > width:
            raise InputError(f"the PSF ({self.psf.shape[0]}×{self.psf.shape[1]}) is too large for a "
                             f"{height}×{width} image")

    def _fold_channels(self, x):
        b, h, w, c = tf.unstack(tf.shape(x))
        return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [b * c, h, w, 1]), (b, c)

    @staticmethod
    def _unfold_channels(x, bc):
        b, c = bc
        s = tf.shape(x)
        return tf.transpose(tf.reshape(x, [b, c, s[1], s[2]]), [0, 2, 3, 1])

    def A(self, x):  # noqa: N802
        (t, b), (l, r) = self._pads
        x = tf.convert_to_tensor(x, tf.float32)
        self.check(x.shape[1], x.shape[2])
        xs, bc = self._fold_channels(x)
        xs = tf.pad(xs, [[0, 0], [t, b], [l, r], [0, 0]], mode="SYMMETRIC")
        return self._unfold_channels(tf.nn.conv2d(xs, self._kernel, strides=1, padding="VALID"), bc)

    def A_adjoint(self, y):  # noqa: N802
        (t, b), (l, r) = self._pads
        y = tf.convert_to_tensor(y, tf.float32)
        ys, bc = self._fold_channels(y)
        h, w = y.shape[1], y.shape[2]
        padded_shape = tf.stack([tf.shape(ys)[0], h + t + b, w + l + r, 1])
        z = tf.nn.conv2d_transpose(ys, self._kernel, padded_shape, strides=1, padding="VALID")
        z = tf.ensure_shape(z, [None, h + t + b, w + l + r, 1])
        z = _fold_symmetric(_fold_symmetric(z, 1, t, b), 2, l, r)
        return self._unfold_channels(z, bc)

    def get_config(self):
        return {"name": self.name, "psf": self.spec if self.spec else self.psf.tolist()}

    @classmethod
    def from_config(cls, config):
        psf = config["psf"]
        return cls(psf if isinstance(psf, str) else np.asarray(psf))

    def describe(self):
        return f"blur {self.spec or 'custom'} ({self.psf.shape[0]}×{self.psf.shape[1]} PSF, reflect)"
