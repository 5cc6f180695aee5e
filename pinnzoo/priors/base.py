"""The contracts of priors, and how their random initial weights follow a seed.

Two families of networks, told apart by the abstract base they derive from (not
by attributes a caller probes for):

* :class:`CoordinateNetwork` — ``u_Θ(x)`` from coordinates ``[N, d]`` to values
  ``[N, m]``: the priors of the PINN solvers (MLPs).
* :class:`ImageGenerator` — ``G_Θ(z)`` from a fixed input tensor to an image
  ``[B, H, W, C]``: the priors of the image solvers (DIP, Deep Decoder). It states
  the input it needs (:meth:`~ImageGenerator.noise_shape`) and the multiple of
  the image size it works on (:attr:`~ImageGenerator.stride`).

:class:`ForwardJets` is a capability a coordinate network may add: forward-mode
("Taylor") propagation of first and second derivatives, used by the ``taylor``
derivative engine; networks without it are differentiated with tapes.

Seeds: every prior takes ``seed``. An integer fixes every random draw of the
prior (two builds with one seed have identical weights); ``None`` draws from
Keras's global random state, which ``keras.utils.set_random_seed`` (and so
``pinnzoo train --seed``) sets.
"""

from __future__ import annotations

import abc
import random
from typing import ClassVar

import keras


class CoordinateNetwork(abc.ABC):
    """A network ``[N, d] -> [N, m]`` over coordinates (mixed into a ``keras.Model``)."""

    @classmethod
    def with_outputs(cls, outputs: int, **config):
        """Build with ``outputs`` output values per point (the registry's uniform constructor)."""
        return cls(out_dim=int(outputs), **config)


class ForwardJets(abc.ABC):
    """A coordinate network that propagates derivatives forward through itself."""

    @abc.abstractmethod
    def jets(self, x, first: dict, second: dict):
        """``(y, {k: dy/dk}, {(k, l): d²y/dk dl})`` for input values ``x`` and input derivatives."""


class ImageGenerator(abc.ABC):
    """A convolutional generator ``G_Θ(z)`` of an image from a fixed input ``z`` (mixed into a ``keras.Model``).

    Two class attributes state how the generator is fitted by default:
    ``early_stopping`` (whether it can fit noise, so that the image solver stops it
    automatically) and ``input_noise_std`` (the noise added to ``z`` each step).
    """

    early_stopping: ClassVar[bool] = True
    input_noise_std: ClassVar[float] = 0.0

    @property
    @abc.abstractmethod
    def stride(self) -> int:
        """Height and width of the output must be multiples of this (the image solver pads and crops)."""

    @abc.abstractmethod
    def noise_shape(self, height: int, width: int) -> tuple[int, int, int]:
        """Shape ``(h, w, c)`` of the fixed input for an output of ``height × width``."""

    @classmethod
    def with_outputs(cls, outputs: int, **config):
        """Build with ``outputs`` image channels (the registry's uniform constructor)."""
        return cls(out_channels=int(outputs), **config)


def draw_seed(seed: int | None) -> int:
    """``seed`` itself, or for ``None`` an integer drawn from Python's ``random`` (which
    ``keras.utils.set_random_seed`` seeds, as Keras itself does for unseeded initializers)."""
    return random.randint(1, 10**9) if seed is None else int(seed)


def initializer(name: str, seed: int | None, index: int):
    """The Keras initializer ``name``, seeded with ``seed * 1000 + index`` (``index`` numbers the layers).

    For ``seed=None`` the name itself is returned, so Keras draws from its
    global state exactly as a layer built with that name always did.
    """
    if seed is None:
        return name
    init = keras.initializers.get(name)
    config = init.get_config()
    if "seed" not in config:  # deterministic initializers (zeros, ones, constants)
        return init
    return type(init).from_config({**config, "seed": int(seed) * 1000 + int(index)})
