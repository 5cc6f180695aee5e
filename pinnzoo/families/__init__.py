"""The preset families, one folder each: preset, fit, archive (the SavedModel writer), figures and zoo entries.

Importing this package registers every family in :data:`pinnzoo.family.FAMILIES` and every shipped preset in
:data:`pinnzoo.family.PRESETS`. The family contract (:class:`pinnzoo.family.Preset`) lives below them; the shared
layers (problems, priors, operators, solvers, references) below that.
"""

from pinnzoo.families import grid, grid_inverse, grid_marching, image, pinn  # noqa: F401  (the registrations)
