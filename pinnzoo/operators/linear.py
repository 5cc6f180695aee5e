"""The one contract of every linear operator in pinnzoo: imaging forward models and grid stencils alike.

An operator has ``A`` and ``A_adjoint`` with ``⟨A x, y⟩ = ⟨x, Aᵀ y⟩``, and, where it can assemble one without
TensorFlow, its sparse ``matrix``. Every registered operator (:data:`pinnzoo.operators.OPERATORS`,
:data:`pinnzoo.operators.grid.GRID_OPERATORS`) names the instances it is tested as (:meth:`examples`), and the
adjoint test runs over all of them.
"""

from __future__ import annotations

import abc

import tensorflow as tf


class LinearOperator(abc.ABC):
    """``A``, ``Aᵀ`` and (optionally) the sparse matrix of a linear map between tensors ``[B, ..., C]``."""

    @abc.abstractmethod
    def A(self, x) -> tf.Tensor:  # noqa: N802 - the conventional name
        """The forward map ``A x``."""

    @abc.abstractmethod
    def A_adjoint(self, y) -> tf.Tensor:  # noqa: N802
        """The adjoint ``Aᵀ y``, with ``⟨A x, y⟩ = ⟨x, Aᵀ y⟩``."""

    def matrix(self):
        """The operator as a ``scipy.sparse`` matrix on raveled inputs (one batch item, one channel); operators
        that have none (a blur is applied, not assembled) raise NotImplementedError."""
        raise NotImplementedError(f"{type(self).__name__} is applied by convolution and assembles no matrix")

    @abc.abstractmethod
    def example_input_shape(self, batch: int = 2) -> tuple[int, ...]:
        """The shape of an input ``x`` this instance acts on (for the adjoint test)."""

    @classmethod
    def examples(cls) -> list["LinearOperator"]:
        """The instances a registered operator class is tested as (here: its default)."""
        return [cls()]
