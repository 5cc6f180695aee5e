"""Operators with adjoints (no networks here): imaging forward models ``A`` and finite-difference PDE stencils."""

from pinnzoo.operators.base import (OPERATORS, DCTDiagonal, Identity, Operator, as_image_batch, degrade, operator_from_config,
                                    register_operator)
from pinnzoo.operators.data_term import DataTerm, ResidualDataTerm, SpectralDataTerm, data_term
from pinnzoo.operators.blur import PSFS, Blur, box_psf, gaussian_psf, motion_psf, parse_psf, psf_specs
from pinnzoo.operators.downsample import Downsample
from pinnzoo.operators.grid import GRID_OPERATORS, Diffusion, Divergence, Gradient, GridOperator, Laplacian, Stencil
from pinnzoo.operators.linear import LinearOperator
from pinnzoo.operators.heat import HeatFlow
from pinnzoo.operators.mask import Mask, random_mask
from pinnzoo.operators.preconditioner import FourierPreconditioner, SpectralPreconditioner

__all__ = ["GRID_OPERATORS", "OPERATORS", "LinearOperator", "PSFS", "Blur", "DCTDiagonal", "DataTerm", "Diffusion", "Divergence", "Downsample",
           "FourierPreconditioner", "Gradient", "GridOperator", "HeatFlow", "Identity", "Laplacian", "Mask", "Operator",
           "ResidualDataTerm", "SpectralDataTerm", "SpectralPreconditioner", "Stencil", "as_image_batch", "box_psf",
           "data_term", "degrade", "gaussian_psf", "motion_psf", "operator_from_config", "parse_psf", "psf_specs",
           "random_mask", "register_operator"]
