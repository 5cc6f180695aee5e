"""The time-marching grid presets of the zoo (``heat2d_grid``: one implicit Euler step after another, each
warm-started from the previous step's weights); the prior and loss as in :mod:`pinnzoo.families.grid.zoo`."""

from pinnzoo.families.grid.preset import MULTISCALE, GridFit
from pinnzoo.families.grid_marching.preset import GridMarchingPreset
from pinnzoo.family import register_preset

register_preset(GridMarchingPreset(
    name="heat2d_grid",
    description="Heat equation, 20 implicit Euler steps on 65 x 65 nodes, multiscale grid warm-started step to step, "
                "L-BFGS",
    problem="heat2d_grid",
    prior=MULTISCALE,
    fit=GridFit(lbfgs_iterations=250),
    target=1e-4,
))
