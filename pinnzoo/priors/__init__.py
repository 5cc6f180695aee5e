"""Priors: plain Keras networks that know no physics."""

from pinnzoo.priors.mlp import MLP, FourierMLP

__all__ = ["FourierMLP", "MLP"]
