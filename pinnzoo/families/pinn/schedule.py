"""How a PINN preset is trained: Adam with ``model.fit``, then optional L-BFGS-B, in named parts.

    Schedule(adam=AdamPhase(epochs=2, steps_per_epoch=500),
             collocation=Collocation(points=4096),
             lbfgs=LBFGSPhase(maxiter=6000, points=8192))

Each part is a small frozen dataclass that checks its own values, so a bad
schedule fails when it is written, not after an hour of Adam.
"""

from __future__ import annotations

import dataclasses

from pinnzoo.errors import TrainingError
from pinnzoo.optimizers import QUASI_NEWTON
from pinnzoo.solvers.pinn import DERIVATIVE_ENGINES

LBFGS_SAMPLINGS = ("sobol", "rad")


def _positive(part, **values):
    for name, value in values.items():
        if int(value) < 1:
            raise TrainingError(f"{part}.{name} must be >= 1, got {value}")


@dataclasses.dataclass(frozen=True)
class AdamPhase:
    """``epochs × steps_per_epoch`` Adam steps with rate ``learning_rate · decay_rate^(step / decay_steps)``;
    ``steps_per_execution`` steps per compiled call (fewer round trips to Python)."""

    epochs: int = 3
    steps_per_epoch: int = 1000
    learning_rate: float = 1e-3
    decay_steps: int = 1000
    decay_rate: float = 0.9
    steps_per_execution: int = 100

    def __post_init__(self):
        if int(self.epochs) < 0:
            raise TrainingError(f"AdamPhase.epochs must be >= 0, got {self.epochs}")
        _positive("AdamPhase", steps_per_epoch=self.steps_per_epoch, decay_steps=self.decay_steps,
                  steps_per_execution=self.steps_per_execution)

    @property
    def steps(self) -> int:
        return self.epochs * self.steps_per_epoch


@dataclasses.dataclass(frozen=True)
class Collocation:
    """``points`` residual points per Adam batch, drawn afresh (uniformly, in the graph) every step when
    ``resample``, else one fixed set."""

    points: int = 4096
    resample: bool = True

    def __post_init__(self):
        _positive("Collocation", points=self.points)


@dataclasses.dataclass(frozen=True)
class Balancing:
    """Gradient-norm loss balancing every ``every`` Adam steps (0: off), moving average ``alpha``
    (:class:`~pinnzoo.callbacks.GradNormBalancing`); the weights are kept for L-BFGS."""

    every: int = 0
    alpha: float = 0.9

    def __post_init__(self):
        if int(self.every) < 0 or not 0.0 <= float(self.alpha) < 1.0:
            raise TrainingError(f"Balancing needs every >= 0 and alpha in [0, 1), got {self.every}, {self.alpha}")


@dataclasses.dataclass(frozen=True)
class Continuation:
    """Where float32 L-BFGS-B stalls (a step no longer changes the loss at float32 resolution), the
    iterations left run on a copy of the solver in ``dtype`` (same weights and points), at most
    ``maxiter`` of them (``None``: all left), optionally with another derivative engine."""

    dtype: str = "float64"
    derivatives: str | None = None
    maxiter: int | None = None

    def __post_init__(self):
        if self.dtype not in ("float32", "float64"):
            raise TrainingError(f"Continuation.dtype must be 'float32' or 'float64', got {self.dtype!r}")
        if self.derivatives not in (None, *DERIVATIVE_ENGINES):
            raise TrainingError(f"Continuation.derivatives must be one of {sorted(DERIVATIVE_ENGINES)}, got "
                                f"{self.derivatives!r}")
        if self.maxiter is not None:
            _positive("Continuation", maxiter=self.maxiter)


@dataclasses.dataclass(frozen=True)
class LBFGSPhase:
    """At most ``maxiter`` L-BFGS-B iterations (0: no L-BFGS) on ``points`` fixed points: a Sobol' set, or
    with ``sampling="rad"`` points drawn where the residual after Adam is large
    (:func:`~pinnzoo.sampling.residual_adaptive_points`). ``resample_every > 0`` draws a fresh set every
    so many iterations; ``continuation`` continues in float64 where float32 stalls. Progress is logged
    every ``log_every`` iterations. ``method`` names the quasi-Newton method
    (:data:`~pinnzoo.optimizers.QUASI_NEWTON`: ``lbfgs`` = scipy's L-BFGS-B, or the dense ``bfgs``,
    ``ssbfgs``, ``ssbroyden`` with a strong-Wolfe line search). Under a ``tf.distribute`` strategy of
    several replicas each evaluation runs on one device with the whole batch, or with ``gather=True`` on
    one shard per replica with the gradients summed across them (``points`` must split evenly)."""

    maxiter: int = 0
    points: int = 8192
    sampling: str = "sobol"
    log_every: int = 250
    resample_every: int = 0
    continuation: Continuation | None = None
    method: str = "lbfgs"
    gather: bool = False

    def __post_init__(self):
        QUASI_NEWTON.get(self.method)  # an unknown name fails here, with the closest one
        if self.sampling not in LBFGS_SAMPLINGS:
            raise TrainingError(f"LBFGSPhase.sampling must be one of {', '.join(LBFGS_SAMPLINGS)}, got "
                                f"{self.sampling!r}")
        if int(self.maxiter) < 0 or int(self.resample_every) < 0:
            raise TrainingError(f"LBFGSPhase.maxiter and resample_every must be >= 0, got {self.maxiter}, "
                                f"{self.resample_every}")
        _positive("LBFGSPhase", points=self.points, log_every=self.log_every)


@dataclasses.dataclass(frozen=True)
class Schedule:
    """A preset's training: the Adam phase on collocation batches, optional loss balancing, the L-BFGS
    phase, in float type ``dtype``, compiled with XLA when ``jit_compile``. Time-marching presets run
    the whole schedule once per window."""

    adam: AdamPhase = AdamPhase()
    collocation: Collocation = Collocation()
    lbfgs: LBFGSPhase = LBFGSPhase()
    balancing: Balancing = Balancing()
    dtype: str = "float32"
    jit_compile: bool = True

    def __post_init__(self):
        if self.dtype not in ("float32", "float64"):
            raise TrainingError(f"Schedule.dtype must be 'float32' or 'float64', got {self.dtype!r}")

    @property
    def adam_steps(self) -> int:
        return self.adam.steps

    def replace(self, **parts) -> "Schedule":
        """A copy with parts replaced by value or by ``{field: value}`` updates:
        ``schedule.replace(lbfgs={"maxiter": 100})``."""
        changes = {}
        for name, value in parts.items():
            if isinstance(value, dict):
                value = dataclasses.replace(getattr(self, name), **value)
            changes[name] = value
        return dataclasses.replace(self, **changes)

    def quick(self) -> "Schedule":
        """A tiny schedule for smoke tests and ``pinnzoo train --quick``."""
        return self.replace(adam={"epochs": 2, "steps_per_epoch": 50, "steps_per_execution": 25},
                            collocation={"points": min(self.collocation.points, 512)},
                            lbfgs={"maxiter": min(self.lbfgs.maxiter, 40), "points": min(self.lbfgs.points, 512),
                                   "log_every": 20})

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)
