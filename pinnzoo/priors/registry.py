"""The prior registry: a name for every network pinnzoo ships, and one way to build any of them.

    >>> from pinnzoo.priors import build_prior
    >>> net = build_prior("deep_decoder", outputs=1, seed=0, channels=32)

``outputs`` is the number of output values per point (coordinate networks) or of
image channels (generators); the rest of the keywords are the class's own.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import keras

from pinnzoo.errors import InputError
from pinnzoo.priors.deep_decoder import DeepDecoder
from pinnzoo.priors.dip import SkipNet
from pinnzoo.priors.mlp import MLP, FourierMLP
from pinnzoo.priors.modified_mlp import ModifiedMLP
from pinnzoo.priors.multiscale_grid import MultiscaleGrid
from pinnzoo.priors.parallel_mlp import ParallelMLP
from pinnzoo.priors.raw_grid import RawGrid
from pinnzoo.registry import Registry

#: name -> prior class (a :class:`~pinnzoo.priors.base.CoordinateNetwork` or an
#: :class:`~pinnzoo.priors.base.ImageGenerator`)
PRIORS: Registry = Registry("prior", InputError)

PRIORS.register("mlp", MLP)
PRIORS.register("fourier_mlp", FourierMLP)
PRIORS.register("modified_mlp", ModifiedMLP)
PRIORS.register("parallel_mlp", ParallelMLP)
PRIORS.register("dip", SkipNet)
PRIORS.register("deep_decoder", DeepDecoder)
PRIORS.register("raw_grid", RawGrid)
PRIORS.register("multiscale_grid", MultiscaleGrid)


def build_prior(name: str, outputs: int, *, seed: int | None = None, **config):
    """A fresh prior ``name`` with ``outputs`` outputs (values or channels); ``config`` goes to its class.

    Raises:
        InputError: unknown name (with the closest registered one), or a keyword the class does not take.
    """
    cls = PRIORS.get(name)
    try:
        return cls.with_outputs(outputs, seed=seed, **config)
    except (TypeError, ValueError) as exc:  # Keras rejects unknown keywords with a ValueError
        raise InputError(f"prior {name!r} ({cls.__name__}): {exc}") from None


def prior_name(prior) -> str:
    """The registry name of a built prior (its class's), or the class name for unregistered ones."""
    for name, cls in PRIORS.items():
        if type(prior) is cls:
            return name
    return type(prior).__name__


@dataclasses.dataclass(frozen=True)
class PriorSpec:
    """A prior by registry name and configuration, built fresh for each run: ``PriorSpec("dip", {...})``."""

    name: str
    config: Mapping = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        PRIORS.get(self.name)  # unknown names fail here, with a suggestion

    def build(self, outputs: int, seed: int | None = None):
        return build_prior(self.name, outputs, seed=seed, **dict(self.config))

    def replace(self, **config) -> "PriorSpec":
        return PriorSpec(self.name, {**dict(self.config), **config})

    def to_dict(self) -> dict:
        return {"name": self.name, "config": {k: list(v) if isinstance(v, tuple) else v for k, v in self.config.items()}}


def with_deserialized_prior(config: dict) -> dict:
    """A solver's Keras ``config`` with its ``"prior"`` (``keras.saving.serialize_keras_object``) rebuilt: what
    every solver holding a prior does in ``from_config``."""
    return {**config, "prior": keras.saving.deserialize_keras_object(config["prior"])}
