"""What a grid solver minimises: the squared discrete residual, or the discrete energy (Ritz)."""

from __future__ import annotations

import abc
from typing import ClassVar

import tensorflow as tf

from pinnzoo.errors import InputError
from pinnzoo.registry import Registry


class GridLoss(abc.ABC):
    """A scalar function of the field ``u [1, ny, nx, 1]`` and the right-hand side ``f`` (same shape) whose
    minimiser is the solution of ``A u = f`` for the problem's operator ``A``. ``f`` is an argument, not part
    of the loss, so that one compiled loss serves a sequence of right-hand sides (time stepping)."""

    name: ClassVar[str]

    def __init__(self, problem):
        self.operator = problem.operator

    @abc.abstractmethod
    def __call__(self, u, f) -> tf.Tensor:
        """The loss at ``u`` for the right-hand side ``f``."""


class ResidualLoss(GridLoss):
    r"""``mean((A u − f)²) / mean(f²)``: the squared relative residual (zero at the solution).

    For ``A ≈ −Δ`` its Hessian is ``AᵀA``, whose condition number is the square of
    ``A``'s (about 10⁶ on a 64 × 64 grid): the loss gradient descent sees is
    dominated by the highest frequencies of the field."""

    name = "residual"

    def __call__(self, u, f):
        return tf.reduce_mean(tf.square(self.operator.A(u) - f)) / tf.reduce_mean(tf.square(f))


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

    def __call__(self, u, f):
        energy = 0.5 * tf.reduce_sum(u * self.operator.A(u)) - tf.reduce_sum(u * f)
        return energy / tf.reduce_sum(tf.square(f))


#: name -> loss class
GRID_LOSSES: Registry = Registry("grid loss", InputError)
GRID_LOSSES.register(ResidualLoss.name, ResidualLoss)
GRID_LOSSES.register(EnergyLoss.name, EnergyLoss)
