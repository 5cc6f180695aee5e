"""What a grid solver minimises: the squared discrete residual, or the discrete energy (Ritz)."""

from __future__ import annotations

import abc
from typing import ClassVar

import numpy as np
import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.registry import Registry


class GridLoss(abc.ABC):
    """A scalar function of the field ``u [1, ny, nx, 1]`` whose minimiser is the discrete solution."""

    name: ClassVar[str]

    def __init__(self, problem):
        self.problem = problem
        self.rhs_scale = float(np.mean(np.asarray(problem.rhs) ** 2))

    @abc.abstractmethod
    def __call__(self, u) -> tf.Tensor:
        """The loss at ``u``."""


class ResidualLoss(GridLoss):
    r"""``mean((A u − f)²) / mean(f²)``: the squared relative residual (zero at the solution).

    For ``A ≈ −Δ`` its Hessian is ``AᵀA``, whose condition number is the square of
    ``A``'s (about 10⁶ on a 64 × 64 grid): the loss gradient descent sees is
    dominated by the highest frequencies of the field."""

    name = "residual"

    def __call__(self, u):
        return tf.reduce_mean(tf.square(self.problem.residual(u))) / self.rhs_scale


class EnergyLoss(GridLoss):
    r"""``(½ uᵀA u − fᵀu) / (N mean(f²))``: the discrete Dirichlet energy (the Ritz method; Deep Ritz,
    E & Yu 2018, on a grid), minimised by the solution of ``A u = f`` when ``A`` is symmetric positive
    definite. Its Hessian is ``A`` itself: the condition number is the square root of the residual
    loss's. Its minimum is negative and not known in advance, so the value is not an error measure."""

    name = "energy"

    def __init__(self, problem):
        super().__init__(problem)
        a = problem.operator.matrix()
        if abs(a - a.T).max() > 1e-9 * abs(a).max():
            raise InputError(f"the energy loss needs a symmetric operator; {problem.name}'s is not")
        self.count = float(np.asarray(problem.rhs).size)

    def __call__(self, u):
        f = tf.constant(np.asarray(self.problem.rhs)[None, :, :, None], dtype=u.dtype)
        energy = 0.5 * tf.reduce_sum(u * self.problem.operator.apply(u)) - tf.reduce_sum(u * f)
        return energy / (self.count * self.rhs_scale)


#: name -> loss class
GRID_LOSSES: Registry = Registry("grid loss", InputError)
GRID_LOSSES.register(ResidualLoss.name, ResidualLoss)
GRID_LOSSES.register(EnergyLoss.name, EnergyLoss)
