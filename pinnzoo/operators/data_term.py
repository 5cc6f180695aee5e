"""The data term of an image-prior fit, ``mean (P (A x − y))²``, and its exact spectral form."""

from __future__ import annotations

import abc

import numpy as np
import tensorflow as tf

from pinnzoo.operators.base import DCTDiagonal, Operator
from pinnzoo.operators.dct import dct2
from pinnzoo.operators.preconditioner import FourierPreconditioner, SpectralPreconditioner


class DataTerm(abc.ABC):
    r"""``D(x, y) = mean over the measurement of (P (A x − y))²`` for images ``x`` and measurements ``y``
    ``[B, H, W, C]``; ``P`` is the identity or a frequency preconditioner. Solvers call it inside their
    gradient tape; every implementation has the same value and gradient (tested)."""

    def __init__(self, operator: Operator, preconditioner: FourierPreconditioner | None = None):
        self.operator, self.preconditioner = operator, preconditioner

    @abc.abstractmethod
    def __call__(self, x, y) -> tf.Tensor:
        """The scalar ``D(x, y)``."""


class ResidualDataTerm(DataTerm):
    """``D`` as written: apply ``A`` (:meth:`Operator.A`), subtract ``y``, apply ``P``; any operator."""

    def __call__(self, x, y):
        residual = self.operator.A(x) - y
        if self.preconditioner is not None:
            residual = self.preconditioner(residual)
        return tf.reduce_mean(tf.square(residual))


class SpectralDataTerm(DataTerm):
    r"""``D`` for an operator that is diagonal in the orthonormal DCT-II basis ``C``
    (:class:`~pinnzoo.operators.base.DCTDiagonal`, e.g. the heat flow), with ``P`` diagonal there too:

    .. math:: D(x, y) = \operatorname{mean}\big(P (A x − y)\big)^2
              = \operatorname{mean}\big(p \odot (\hat a \odot C x − C y)\big)^2,

    since ``A = Cᵀ diag(â) C``, ``P = Cᵀ diag(p) C`` and ``C`` preserves sums of squares (Parseval). ``â``
    are the operator's own eigenvalues (:meth:`~pinnzoo.operators.base.DCTDiagonal.transfer`: for the heat
    flow, those of its ``n`` explicit conv2d steps, not of the continuous semigroup), so this is the same
    function of ``x``, evaluated with one DCT of ``x`` and one of ``y`` instead of ``n`` stencil steps and
    the preconditioner's two transforms, and differentiated through one transform instead of all of them.
    """

    def __init__(self, operator: DCTDiagonal, preconditioner: SpectralPreconditioner | None = None):
        super().__init__(operator, preconditioner)
        self._weights = {}

    def weights(self, height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
        """``(p ⊙ â, p)`` in :func:`~pinnzoo.operators.dct.dct2`'s transposed layout ``[W, H]``, float32."""
        if (height, width) not in self._weights:
            p = (np.ones((height, width)) if self.preconditioner is None
                 else self.preconditioner.weights(height, width))
            a = self.operator.transfer(height, width)
            self._weights[(height, width)] = ((p * a).T.astype(np.float32), p.T.astype(np.float32))
        return self._weights[(height, width)]

    def __call__(self, x, y):
        x = tf.convert_to_tensor(x, tf.float32)
        pa, p = self.weights(int(x.shape[1]), int(x.shape[2]))
        return tf.reduce_mean(tf.square(dct2(x) * tf.constant(pa) - dct2(y) * tf.constant(p)))


def data_term(operator: Operator, preconditioner: FourierPreconditioner | None = None) -> DataTerm:
    """The data term for ``operator`` and ``preconditioner``: the spectral form where both are diagonal in
    the DCT-II basis (the heat flow, with or without its :class:`SpectralPreconditioner`), else the residual
    form."""
    if isinstance(operator, DCTDiagonal) and (preconditioner is None
                                              or isinstance(preconditioner, SpectralPreconditioner)):
        return SpectralDataTerm(operator, preconditioner)
    return ResidualDataTerm(operator, preconditioner)
