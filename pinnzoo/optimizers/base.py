"""The contract of a quasi-Newton phase: minimise ``f`` from ``x0`` given ``fun(x) -> (f(x), ∇f(x))``."""

from __future__ import annotations

import abc
import dataclasses
from typing import Callable

import numpy as np

from pinnzoo.errors import InputError
from pinnzoo.registry import Registry


@dataclasses.dataclass
class MinimizeResult:
    x: np.ndarray          # the last accepted iterate
    iterations: int        # accepted steps
    evaluations: int       # calls of fun
    message: str           # why it stopped


class QuasiNewtonMethod(abc.ABC):
    """A full-batch optimiser of a flat float64 weight vector: the engine of a schedule's quasi-Newton phase
    (:func:`~pinnzoo.solvers.lbfgs_refine`). ``callback(x)`` runs after every accepted step; raising
    ``StopIteration`` in it ends the run."""

    name: str = ""

    @abc.abstractmethod
    def minimize(self, fun: Callable, x0: np.ndarray, maxiter: int, callback: Callable) -> MinimizeResult:
        """Minimise ``fun`` (returning ``(value, gradient)``) for at most ``maxiter`` iterations."""


#: ``LBFGSPhase.method`` / ``pinnzoo train --optimizer`` name → a :class:`QuasiNewtonMethod` class
QUASI_NEWTON: Registry = Registry("optimizer", InputError)


def get_method(method) -> QuasiNewtonMethod:
    """``method`` as a :class:`QuasiNewtonMethod`: one already made or a registered name."""
    if isinstance(method, QuasiNewtonMethod):
        return method
    return QUASI_NEWTON.get(method)()
