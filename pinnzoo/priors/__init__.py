"""Priors: plain Keras networks that know no physics."""

from pinnzoo.priors.deep_decoder import DeepDecoder
from pinnzoo.priors.dip import SkipNet
from pinnzoo.priors.layers import BatchStatNorm, ReflectConv2D
from pinnzoo.priors.mlp import MLP, FourierMLP

__all__ = ["BatchStatNorm", "DeepDecoder", "FourierMLP", "MLP", "ReflectConv2D", "SkipNet"]
