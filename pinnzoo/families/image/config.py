"""A restoration recipe as one validated object: which prior, how it is optimised, regularised and stopped,
and what is returned.

    RestoreConfig(prior=PriorSpec("dip", {"channels_down": [32] * 5}),
                  optimiser=Optimiser(iterations=3000, learning_rate=0.01),
                  stopping=Stopping(patience=600),
                  regularisation=Regularisation(input_noise_std=1 / 30))

Every image preset holds one (its *recipe*); ``pinnzoo restore`` starts from the
recipe of the task and prior and overrides single fields from its flags
(:meth:`RestoreConfig.override`). Values are checked when the object is made, so
bad settings fail with an :class:`~pinnzoo.errors.InputError` before any fit.
"""

from __future__ import annotations

import dataclasses
import math

from pinnzoo.errors import InputError
from pinnzoo.priors.registry import PRIORS, PriorSpec

LR_SCHEDULES = ("constant", "cosine")


@dataclasses.dataclass(frozen=True)
class Optimiser:
    """Adam for at most ``iterations`` steps at ``learning_rate``, constant or decayed to 0 along a half
    cosine (``lr_schedule="cosine"``); ``jit_compile`` compiles the step with XLA."""

    iterations: int = 3000
    learning_rate: float = 0.01
    lr_schedule: str = "constant"
    jit_compile: bool = False  # XLA did not speed up these convolutional steps on the 2-core CPU

    def __post_init__(self):
        if int(self.iterations) < 1:
            raise InputError(f"iterations must be >= 1, got {self.iterations}")
        if not float(self.learning_rate) > 0:
            raise InputError(f"the learning rate must be > 0, got {self.learning_rate}")
        if self.lr_schedule not in LR_SCHEDULES:
            raise InputError(f"unknown learning-rate schedule {self.lr_schedule!r}; choose from "
                             f"{', '.join(LR_SCHEDULES)}")


@dataclasses.dataclass(frozen=True)
class Stopping:
    """Automatic stopping by the windowed moving variance of the outputs (ES-WMV): stop once the variance
    over the last ``window`` outputs has not reached a new minimum for ``patience`` steps and return the
    image at the minimum. ``auto=None``: the prior's default (on for DIP, off for the under-parameterised
    Deep Decoder: :attr:`~pinnzoo.priors.ImageGenerator.early_stopping`). ``discrepancy = τ`` (noisy
    measurements): a minimum counts only once the average explains the measurement to within τ times the
    noise variance, ``mean((A x̄ − y)²) <= τ σ²``, σ given to :func:`~pinnzoo.restoration.restore` or
    estimated from the measurement (:meth:`ImagePriorSolver.gate_on_discrepancy
    <pinnzoo.solvers.ImagePriorSolver.gate_on_discrepancy>`); ``None``: no gate. ``average_lag = L``: return
    the average ``L`` steps after the minimum instead of the one at it (the average lags the outputs; the last
    average if the fit stops sooner)."""

    auto: bool | None = None
    window: int = 100
    patience: int = 500
    discrepancy: float | None = None
    average_lag: int = 0

    def __post_init__(self):
        if int(self.window) < 2 or int(self.patience) < 1:
            raise InputError(f"stopping needs window >= 2 and patience >= 1, got {self.window}, {self.patience}")
        if int(self.average_lag) < 0:
            raise InputError(f"stopping's average_lag must be >= 0, got {self.average_lag}")
        if self.discrepancy is not None and not float(self.discrepancy) > 0:
            raise InputError(f"stopping's discrepancy factor must be > 0 (or None), got {self.discrepancy}")

    def enabled(self, prior: PriorSpec) -> bool:
        return PRIORS.get(prior.name).early_stopping if self.auto is None else bool(self.auto)


@dataclasses.dataclass(frozen=True)
class Regularisation:
    """Input noise ``σ_z`` added to ``z`` each step (``None``: the prior's default, 1/30 for DIP), total variation
    of the output with weight ``tv_weight``, and the blur's DCT preconditioner with ``λ = precondition``
    (``None``: plain data term; deblurring only)."""

    input_noise_std: float | None = None
    tv_weight: float = 0.0
    precondition: float | None = None

    def __post_init__(self):
        if self.input_noise_std is not None and not float(self.input_noise_std) >= 0:
            raise InputError(f"input_noise_std must be >= 0, got {self.input_noise_std}")
        if not float(self.tv_weight) >= 0:
            raise InputError(f"the TV weight must be >= 0, got {self.tv_weight}")
        if self.precondition is not None and not float(self.precondition) > 0:
            raise InputError(f"the preconditioner's lambda must be > 0 (None switches it off), got "
                             f"{self.precondition}")

    def noise_std(self, prior: PriorSpec) -> float:
        if self.input_noise_std is None:
            return float(PRIORS.get(prior.name).input_noise_std)
        return float(self.input_noise_std)


@dataclasses.dataclass(frozen=True)
class Output:
    """The restored image is the moving average of the outputs (``ema_decay``), projected onto the
    measurement with ``data_consistency`` (noise-free masks and downsampling); PSNR/SSIM against a
    reference are logged every ``log_every`` steps."""

    ema_decay: float = 0.99
    data_consistency: bool = False
    log_every: int = 50

    def __post_init__(self):
        if not 0.0 <= float(self.ema_decay) < 1.0:
            raise InputError(f"ema_decay must be in [0, 1), got {self.ema_decay}")
        if int(self.log_every) < 1:
            raise InputError(f"log_every must be >= 1, got {self.log_every}")

    def interval(self, iterations: int) -> int:
        """Steps per logged epoch for a fit of ``iterations`` steps: ``log_every``, or the largest divisor of
        ``iterations`` below it, so that the fit runs exactly ``iterations`` steps (Keras's epochs are whole)."""
        return math.gcd(max(1, min(int(self.log_every), int(iterations))), int(iterations)) or 1


_PARTS = {"optimiser": Optimiser, "stopping": Stopping, "regularisation": Regularisation, "output": Output}


@dataclasses.dataclass(frozen=True)
class RestoreConfig:
    """The whole recipe of a restoration: prior, optimiser, stopping, regularisation, output."""

    prior: PriorSpec = PriorSpec("dip")
    optimiser: Optimiser = Optimiser()
    stopping: Stopping = Stopping()
    regularisation: Regularisation = Regularisation()
    output: Output = Output()

    def override(self, **fields) -> "RestoreConfig":
        """A copy with single fields replaced, by name across the parts:
        ``config.override(iterations=500, tv_weight=0.1)``. ``None`` values are ignored
        (a flag the user did not give)."""
        changes: dict[str, dict] = {}
        for key, value in fields.items():
            if value is None:
                continue
            part = next((p for p, cls in _PARTS.items() if key in {f.name for f in dataclasses.fields(cls)}), None)
            if part is None:
                raise InputError(f"unknown restoration setting {key!r}")
            changes.setdefault(part, {})[key] = value
        return dataclasses.replace(self, **{p: dataclasses.replace(getattr(self, p), **c) for p, c in changes.items()})

    def with_prior(self, prior: PriorSpec) -> "RestoreConfig":
        """The same recipe for another prior (any registered image generator)."""
        return dataclasses.replace(self, prior=prior)

    def quick(self) -> "RestoreConfig":
        """A tiny version for smoke tests: 20 steps, short stopping window."""
        return dataclasses.replace(
            self, optimiser=dataclasses.replace(self.optimiser, iterations=min(self.optimiser.iterations, 20),
                                                jit_compile=False),
            stopping=dataclasses.replace(self.stopping, window=5, patience=10),
            output=dataclasses.replace(self.output, log_every=10))

    def to_dict(self) -> dict:
        return {"prior": self.prior.to_dict(), **{p: dataclasses.asdict(getattr(self, p)) for p in _PARTS}}

    def describe(self) -> str:
        """The recipe in one line (printed when a restoration starts)."""
        o, s, r, out = self.optimiser, self.stopping, self.regularisation, self.output
        auto = s.enabled(self.prior)
        parts = [f"{self.prior.name} {dict(self.prior.config) or '(defaults)'}",
                 f"Adam {o.learning_rate:g} {o.lr_schedule}, up to {o.iterations} steps",
                 (f"automatic stop (patience {s.patience}"
                  + (f", once the misfit is <= {s.discrepancy:g} sigma^2" if s.discrepancy else "")
                  + (f"; the average {s.average_lag} steps after the minimum)" if s.average_lag else ")"))
                 if auto else "no early stopping",
                 f"input noise {r.noise_std(self.prior):.3g}"]
        if r.precondition is not None:
            parts.append(f"preconditioned (lambda {r.precondition:g})")
        if r.tv_weight:
            parts.append(f"TV {r.tv_weight:g}")
        if out.data_consistency:
            parts.append("data consistency")
        return "; ".join(parts)
