"""The grid-PDE presets of the zoo: the discrete PDE solved by fitting a generator's field (``heat2d_grid``:
one implicit Euler step after another, each warm-started from the previous step's weights).

All use the multiscale grid (the Deep Decoder's bilinear upsampling with its
nonlinear layers taken out), the loss the comparison asks for (the mean squared
discrete residual) and L-BFGS in float64. The comparison of every prior is
``benchmarks/grid_pde.py`` (``docs/grid-pde.md``); ``pinnzoo train PRESET --prior NAME``
runs a preset with another prior.
"""

from pinnzoo.presets.base import register_preset
from pinnzoo.presets.grid import GRID_PRIOR_CONFIGS, GridFit, GridPreset
from pinnzoo.presets.grid_inverse import GridInversePreset, TunedBaseline
from pinnzoo.presets.grid_marching import GridMarchingPreset
from pinnzoo.priors.registry import PriorSpec

MULTISCALE = PriorSpec("multiscale_grid", GRID_PRIOR_CONFIGS["multiscale_grid"])

register_preset(GridPreset(
    name="poisson2d_grid",
    description="Poisson, 5-point stencil on 65 x 65 nodes, multiscale-grid generator, discrete residual, L-BFGS",
    problem="poisson2d_grid",
    prior=MULTISCALE,
    fit=GridFit(lbfgs_iterations=3000),
    target=1e-4,
))

register_preset(GridPreset(
    name="darcy_grid",
    description="Darcy flow, a in {3, 12}, 64 x 64 cells, multiscale-grid generator, discrete residual, L-BFGS",
    problem="darcy_grid",
    prior=MULTISCALE,
    fit=GridFit(lbfgs_iterations=8000),
    target=1e-3,
))

register_preset(GridMarchingPreset(
    name="heat2d_grid",
    description="Heat equation, 20 implicit Euler steps on 65 x 65 nodes, multiscale grid warm-started step to step, "
                "L-BFGS",
    problem="heat2d_grid",
    prior=MULTISCALE,
    fit=GridFit(lbfgs_iterations=250),
    target=1e-4,
))

register_preset(GridInversePreset(
    name="darcy_inverse",
    description="Darcy permeability from 1 % noisy u at every 2nd cell (32 x 32 of 64 x 64): multiscale-grid "
                "generator of log a through the sparse solve (adjoint-state gradient), L-BFGS, discrepancy stop; "
                "baselines H1/TV-regularised least squares, weights tuned with the truth",
    prior=MULTISCALE,
    fit=GridFit(lbfgs_iterations=1500, log_every=10),
    discrepancy=1.0,
    baselines=(TunedBaseline("h1", (3.0, 10.0, 30.0), iterations=1500), TunedBaseline("tv", (3.0, 10.0, 30.0), iterations=1500)),
))
