"""The preset registry: one name → (problem, prior, solver settings, training schedule).

A preset is everything needed to reproduce a zoo entry from scratch::

    from pinnzoo.presets import get_preset
    preset = get_preset("burgers")
    solver = preset.build()          # a compiled-ready PINNSolver
    preset.schedule.adam_steps       # how it is trained

Register your own with :func:`register_preset`.
"""

from __future__ import annotations

import dataclasses
from typing import Callable, Mapping

from pinnzoo.errors import PresetError


@dataclasses.dataclass(frozen=True)
class Schedule:
    """How a preset is trained: Adam with ``model.fit``, then optional L-BFGS.

    Adam runs ``epochs × steps_per_epoch`` steps on ``n_residual`` collocation
    points (fresh uniform points every step when ``resample``) with learning rate
    ``learning_rate · decay_rate^(step / decay_steps)``. L-BFGS-B then refines for
    at most ``lbfgs_maxiter`` iterations on a fixed Sobol' set of ``lbfgs_points``.
    """

    epochs: int = 3
    steps_per_epoch: int = 1000
    learning_rate: float = 1e-3
    decay_steps: int = 1000
    decay_rate: float = 0.9
    n_residual: int = 4096
    resample: bool = True
    lbfgs_maxiter: int = 0
    lbfgs_points: int = 8192
    lbfgs_log_every: int = 250
    steps_per_execution: int = 100
    jit_compile: bool = True
    dtype: str = "float32"

    @property
    def adam_steps(self) -> int:
        return self.epochs * self.steps_per_epoch

    def quick(self) -> "Schedule":
        """A tiny schedule for smoke tests and ``pinnzoo train --quick``."""
        return dataclasses.replace(self, epochs=2, steps_per_epoch=50, steps_per_execution=25,
                                   n_residual=min(self.n_residual, 512), lbfgs_maxiter=min(self.lbfgs_maxiter, 40),
                                   lbfgs_points=min(self.lbfgs_points, 512), lbfgs_log_every=20)


@dataclasses.dataclass(frozen=True)
class Preset:
    """A registry entry. ``problem`` and ``prior`` are factories so every build is fresh."""

    name: str
    description: str
    problem: Callable
    prior: Callable
    schedule: Schedule
    solver: Mapping = dataclasses.field(default_factory=dict)
    target: float | None = None

    def build(self):
        """A fresh, uncompiled solver (uses the current Keras float type)."""
        from pinnzoo.solvers import PINNSolver

        problem = self.problem()
        return PINNSolver(problem, self.prior(problem), **dict(self.solver))


PRESETS: dict[str, Preset] = {}


def register_preset(preset: Preset) -> Preset:
    if preset.name in PRESETS:
        raise PresetError(f"preset {preset.name!r} is already registered")
    PRESETS[preset.name] = preset
    return preset


def get_preset(name: str) -> Preset:
    if name not in PRESETS:
        raise PresetError(f"unknown preset {name!r}; available presets: {', '.join(sorted(PRESETS))}")
    return PRESETS[name]


def preset_names() -> list[str]:
    return sorted(PRESETS)


def _mlp(widths, activation="tanh"):
    def make(problem):
        from pinnzoo.priors import MLP

        return MLP(widths, out_dim=len(problem.outputs), activation=activation)

    return make


def _problem(name, **params):
    def make():
        from pinnzoo.problems import get_problem

        return get_problem(name, **params)

    return make


register_preset(Preset(
    name="burgers",
    description="Viscous Burgers (nu = 0.01/pi), 8x20 tanh MLP with exact initial/boundary conditions; "
                "Adam then L-BFGS",
    problem=_problem("burgers"),
    prior=_mlp((20,) * 8),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=6000, lbfgs_points=8192),
    target=1e-3,
))
