"""Priors: plain Keras networks that know no physics."""

from pinnzoo.priors.deep_decoder import DeepDecoder
from pinnzoo.priors.dip import SkipNet
from pinnzoo.priors.layers import BatchStatNorm, FactorizedDense, ReflectConv2D
from pinnzoo.priors.mlp import MLP, FourierMLP
from pinnzoo.priors.modified_mlp import ModifiedMLP

__all__ = ["BatchStatNorm", "DeepDecoder", "FactorizedDense", "FourierMLP", "MLP", "ModifiedMLP", "ReflectConv2D",
           "SkipNet"]
