"""The grid-inverse presets of the zoo: a coefficient recovered from noisy data through the sparse solve,
beside classical baselines tuned with the truth."""

from pinnzoo.families.grid.preset import MULTISCALE, GridFit
from pinnzoo.families.grid_inverse.preset import GridInversePreset, TunedBaseline
from pinnzoo.family import register_preset

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
