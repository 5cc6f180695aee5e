"""Priors: plain Keras networks that know no physics."""

from pinnzoo.priors.base import CoordinateNetwork, ForwardJets, ImageGenerator
from pinnzoo.priors.deep_decoder import DeepDecoder
from pinnzoo.priors.dip import SkipNet
from pinnzoo.priors.layers import BatchStatNorm, FactorizedDense, ReflectConv2D
from pinnzoo.priors.mlp import MLP, DenseNetwork, FourierMLP
from pinnzoo.priors.modified_mlp import ModifiedMLP
from pinnzoo.priors.parallel_mlp import ParallelMLP
from pinnzoo.priors.multiscale_grid import MultiscaleGrid
from pinnzoo.priors.raw_grid import RawGrid
from pinnzoo.priors.registry import PRIORS, PriorSpec, build_prior, prior_name

__all__ = ["PRIORS", "PriorSpec", "BatchStatNorm", "CoordinateNetwork", "DeepDecoder", "DenseNetwork", "FactorizedDense",
           "ForwardJets", "FourierMLP", "ImageGenerator", "MLP", "ModifiedMLP", "MultiscaleGrid", "ParallelMLP", "RawGrid", "ReflectConv2D", "SkipNet",
           "build_prior", "prior_name"]
