"""Priors: plain Keras networks that know no physics."""

from pinnzoo.priors.mlp import MLP

__all__ = ["MLP"]
