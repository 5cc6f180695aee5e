"""The grid-PDE presets of the zoo: the discrete PDE solved by fitting a generator's field (``heat2d_grid``:
one implicit Euler step after another, each warm-started from the previous step's weights).

All use the multiscale grid (the Deep Decoder's bilinear upsampling with its
nonlinear layers taken out), the loss the comparison asks for (the mean squared
discrete residual) and L-BFGS in float64. The comparison of every prior is
``benchmarks/grid_pde.py`` (``docs/grid-pde.md``); ``pinnzoo train PRESET --prior NAME``
runs a preset with another prior.
"""

from pinnzoo.families.grid.preset import MULTISCALE, GridFit, GridPreset
from pinnzoo.family import register_preset

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
