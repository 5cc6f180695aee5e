"""Linear imaging operators ``A`` with their adjoints."""

from __future__ import annotations

import abc

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.operators.linear import LinearOperator
from pinnzoo.registry import Registry

#: operator name -> :class:`Operator` subclass (the name stored in configs and exports)
OPERATORS: Registry = Registry("operator", InputError)


def register_operator(cls):
    """Class decorator: make an operator constructible from its config by name."""
    OPERATORS.register(cls.name, cls, replace=True)
    return cls


def operator_from_config(config: dict) -> "Operator":
    """Rebuild an operator from :meth:`Operator.get_config`."""
    config = dict(config)
    return OPERATORS.get(config.pop("name", None)).from_config(config)


class Operator(LinearOperator):
    r"""A known linear forward operator ``A`` of an imaging problem, with ``Aᵀ``.

    Images are float tensors ``[batch, height, width, channels]``; the same
    operator acts on every image of a batch and on every channel. Subclasses
    implement :meth:`A`, :meth:`A_adjoint` and :meth:`output_shape`; the adjoint
    satisfies ``⟨A x, y⟩ = ⟨x, Aᵀ y⟩`` exactly (tested for every operator), which
    is what gradient-based solvers and classical baselines rely on.

    Operators hold no trainable weights and know nothing of networks (the split
    follows deepinv's ``Physics`` classes).
    """

    name = "operator"

    @abc.abstractmethod
    def A(self, x: tf.Tensor) -> tf.Tensor:  # noqa: N802 - the conventional name
        """The forward model ``A x`` of images ``[B, H, W, C]``."""

    @abc.abstractmethod
    def A_adjoint(self, y: tf.Tensor) -> tf.Tensor:  # noqa: N802
        """The adjoint ``Aᵀ y``, with ``⟨A x, y⟩ = ⟨x, Aᵀ y⟩``."""

    #: the image size ``(height, width)`` the operator is tested on (:meth:`example_input_shape`)
    EXAMPLE_SIZE = (36, 44)

    def __call__(self, x):
        return self.A(x)

    def example_input_shape(self, batch: int = 2, channels: int = 1) -> tuple[int, ...]:
        return (batch, *self.EXAMPLE_SIZE, channels)

    def output_shape(self, height: int, width: int) -> tuple[int, int]:
        """Spatial size of ``A x`` for an image of ``height × width``."""
        return height, width

    def input_shape(self, height: int, width: int) -> tuple[int, int]:
        """Spatial size of the image ``x`` whose measurement ``A x`` is ``height × width``."""
        return height, width

    def check(self, height: int, width: int) -> None:
        """Raise :class:`InputError` if the operator cannot act on a ``height × width`` image."""

    #: ``c`` if ``A Aᵀ = c I`` on the range of ``A`` (then ``A⁺ = Aᵀ / c``); ``None`` if not.
    gram_scale: float | None = None

    def project(self, x, y) -> tf.Tensor:
        r"""The image closest to ``x`` that reproduces the measurement exactly: ``x + A⁺ (y − A x)``.

        This is the orthogonal projection of ``x`` onto ``{x' : A x' = y}``
        ("data consistency"), available when ``A Aᵀ = c I`` (masks, area
        downsampling, the identity), where ``A⁺ = Aᵀ / c``. For a mask it keeps
        the known pixels and ``x`` elsewhere; for downsampling it shifts every
        block so that its average is the measured one (back-projection). It only
        makes sense for noise-free measurements: it puts ``y``'s noise back.

        Raises:
            InputError: the operator has no exact pseudo-inverse of this form (blurs).
        """
        if self.gram_scale is None:
            raise InputError(f"{self.describe()}: data consistency needs A A^T = c I (masks, downsampling), "
                             f"which this operator does not satisfy")
        x = tf.convert_to_tensor(x, tf.float32)
        return x + self.A_adjoint(tf.convert_to_tensor(y, tf.float32) - self.A(x)) / self.gram_scale

    def get_config(self) -> dict:
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def describe(self) -> str:
        return self.name

    def __repr__(self):
        return f"{type(self).__name__}({self.describe()})"


class DCTDiagonal(abc.ABC):
    """An operator that is diagonal in the orthonormal 2-D DCT-II basis (mirror boundaries, symmetric
    stencil): it states its eigenvalues, which preconditioners and spectral baselines use exactly."""

    @abc.abstractmethod
    def transfer(self, height: int, width: int) -> np.ndarray:
        """The eigenvalue of the DCT-II basis function ``(k, l)``, ``[height, width]``."""


def as_image_batch(x) -> tf.Tensor:
    """``[H, W]``, ``[H, W, C]`` or ``[B, H, W, C]`` → float32 ``[B, H, W, C]``."""
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    if x.shape.rank == 2:
        return x[None, :, :, None]
    if x.shape.rank == 3:
        return x[None]
    if x.shape.rank == 4:
        return x
    raise InputError(f"expected an image of rank 2, 3 or 4, got shape {x.shape}")


@register_operator
class Identity(Operator):
    """``A = I``: denoising, ``y = x + n``."""

    name = "identity"
    gram_scale = 1.0

    def A(self, x):  # noqa: N802
        return tf.convert_to_tensor(x, tf.float32)

    def A_adjoint(self, y):  # noqa: N802
        return tf.convert_to_tensor(y, tf.float32)

    def describe(self):
        return "identity (denoising)"


def degrade(clean, operator: Operator, noise_sigma: float = 0.0, seed: int = 0) -> np.ndarray:
    """The measurement ``y = A x + n`` with white Gaussian noise ``n ~ N(0, σ²)``.

    ``clean`` is ``[H, W]`` or ``[H, W, C]`` in [0, 1]; the result has the same
    rank. The noise comes from ``numpy.random.default_rng(seed)``.
    """
    if noise_sigma < 0:
        raise InputError(f"noise level must be >= 0, got {noise_sigma}")
    clean = np.asarray(clean, dtype=np.float32)
    operator.check(*clean.shape[:2])
    y = operator.A(as_image_batch(clean)).numpy()[0]
    if clean.ndim == 2:
        y = y[..., 0]
    y = y + noise_sigma * np.random.default_rng(seed).standard_normal(y.shape).astype(np.float32)
    return y.astype(np.float32)
