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
    at most ``lbfgs_maxiter`` iterations on a fixed Sobol' set of ``lbfgs_points`` (or, with
    ``lbfgs_sampling="rad"``, points drawn where the residual after Adam is large:
    :func:`~pinnzoo.sampling.residual_adaptive_points`). In float32, L-BFGS-B stops
    early once a step no longer changes the loss at float32 resolution; with
    ``lbfgs_continue_dtype="float64"`` the iterations left then run on a float64
    copy of the solver (same weights and points), which is what is returned and exported
    (at most ``lbfgs_continue_maxiter`` of them, if set). Time-marching windows
    continue the same way, and each window keeps the float64 result in its own
    float type, so the exported composite stays in ``dtype``.
    With ``lbfgs_resample_every > 0`` L-BFGS restarts on a fresh point set every so
    many iterations, so that it cannot fit one fixed set of points and miss the rest.
    With ``balance_every > 0`` the loss weights are set by gradient norms during
    Adam (:class:`~pinnzoo.callbacks.GradNormBalancing`) and kept for L-BFGS.
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
    lbfgs_sampling: str = "sobol"  # "rad": residual-based adaptive points, drawn after Adam
    balance_every: int = 0      # > 0: gradient-norm loss balancing every this many Adam steps
    balance_alpha: float = 0.9
    lbfgs_log_every: int = 250
    # float32 L-BFGS stalls at the float's resolution: the iterations left then run in this float type
    lbfgs_continue_dtype: str | None = None
    lbfgs_continue_derivatives: str | None = None  # and with this derivative engine (None: the solver's)
    lbfgs_continue_maxiter: int | None = None  # at most this many iterations after the switch (None: all left)
    lbfgs_resample_every: int = 0  # > 0: fresh L-BFGS points (Sobol' or RAD) every this many iterations
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
    observations: Mapping | None = None  # inverse problems: {"n": 2000, "noise": 0.01}
    param_target: float | None = None    # inverse problems: largest relative error of identified coefficients
    marching: Mapping | None = None      # {"windows": K}: time marching, the schedule runs once per window

    def build(self):
        """A fresh, uncompiled solver (uses the current Keras float type): a
        :class:`~pinnzoo.solvers.PINNSolver`, or with ``marching`` a
        :class:`~pinnzoo.solvers.TimeMarchingSolver` of ``windows`` of them."""
        from pinnzoo.solvers import PINNSolver, TimeMarchingSolver

        problem = self.problem()
        if self.marching:
            windows = int(self.marching["windows"])
            return TimeMarchingSolver(problem, [self.prior(problem) for _ in range(windows)], windows,
                                      coordinate=self.marching.get("coordinate", "t"), solver=dict(self.solver))
        return PINNSolver(problem, self.prior(problem), **dict(self.solver))


@dataclasses.dataclass(frozen=True)
class ImagePreset:
    """A registry entry for image restoration with an untrained prior.

    The degraded image is made from a scikit-image test image (gray,
    ``size × size``) with ``task``'s operator and white noise ``noise_sigma``
    (seeded by ``degradation_seed``). The fit stops automatically (output
    variance, ``window``/``patience``) or after ``iterations`` steps. The target
    is the best classical baseline's PSNR plus ``margin`` dB, computed at
    training time on the same degraded image.
    """

    name: str
    description: str
    task: str
    prior: str
    prior_config: Mapping = dataclasses.field(default_factory=dict)
    image: str = "camera"
    size: int = 256
    noise_sigma: float = 0.0
    psf: str | None = None
    missing: float | None = None
    scale: int | None = None
    degradation_seed: int = 0
    iterations: int = 3000
    learning_rate: float = 0.01
    input_noise_std: float | None = None
    ema_decay: float = 0.99
    window: int = 100
    patience: int = 500
    log_every: int = 50
    margin: float = 0.0
    auto_stop: bool | None = None  # None: on for DIP, off for the (under-parameterised) Deep Decoder
    jit_compile: bool = False  # XLA did not speed up these convolutional steps on the 2-core CPU
    precondition: float | None = None  # λ of the blur's Fourier preconditioner (deblurring only)
    lr_schedule: str = "constant"  # or "cosine": Adam's rate decays to 0 over `iterations`
    data_consistency: bool = False  # noise-free inpaint/superres: return the average projected onto y
    tv_weight: float = 0.0  # weight of the output's total variation added to the loss (DIP-TV)
    kind = "image"

    @property
    def target(self):  # the PSNR target depends on the baselines; see pinnzoo.restoration
        return None

    def quick(self) -> "ImagePreset":
        """A tiny version for smoke tests: 64×64 image, 20 steps."""
        return dataclasses.replace(self, size=64, iterations=20, log_every=10, window=5, patience=10,
                                   jit_compile=False)

    def degrade(self):
        """``(clean [H, W, 1], measurement, operator)``."""
        from pinnzoo.image_io import test_image
        from pinnzoo.operators import degrade, random_mask
        from pinnzoo.restoration import make_operator

        clean = test_image(self.image, self.size)
        mask = random_mask(self.size, self.size, self.missing, self.degradation_seed) if self.task == "inpaint" else None
        op = make_operator(self.task, psf=self.psf, mask=mask, scale=self.scale)
        return clean, degrade(clean, op, self.noise_sigma, self.degradation_seed), op


PRESETS: dict = {}


def register_preset(preset):
    if preset.name in PRESETS:
        raise PresetError(f"preset {preset.name!r} is already registered")
    PRESETS[preset.name] = preset
    return preset


def get_preset(name: str):
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


def _modified_mlp(widths):
    def make(problem):
        from pinnzoo.priors import ModifiedMLP

        return ModifiedMLP(widths, out_dim=len(problem.outputs))

    return make


def _fourier_mlp(widths, features, scale, seed=0):
    def make(problem):
        from pinnzoo.priors import FourierMLP

        return FourierMLP(widths, out_dim=len(problem.outputs), features=features, scale=scale, seed=seed)

    return make


def _problem(name, **params):
    def make():
        from pinnzoo.problems import get_problem

        return get_problem(name, **params)

    return make


_BURGERS = Preset(
    name="burgers",
    description="Viscous Burgers (nu = 0.01/pi), 4x32 tanh MLP with exact initial/boundary conditions; "
                "1,000 Adam steps then L-BFGS",
    problem=_problem("burgers"),
    prior=_mlp((32,) * 4),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=2, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=6000, lbfgs_points=8192),
    target=1e-3,
)
register_preset(_BURGERS)
register_preset(dataclasses.replace(
    _BURGERS, name="burgers_sota", target=1e-4, prior=_modified_mlp((20,) * 8),
    description="Burgers for accuracy: modified MLP (8x20, Wang et al.) in float64 with exact initial/boundary "
                "conditions; 2,000 Adam steps, then 12,000 L-BFGS iterations on 8,192 points",
    schedule=dataclasses.replace(_BURGERS.schedule, epochs=4, lbfgs_maxiter=12000, lbfgs_log_every=500,
                                 dtype="float64")))

register_preset(Preset(
    name="poisson2d",
    description="Poisson on the unit square, 4x32 tanh MLP with exact boundary values; Adam then L-BFGS",
    problem=_problem("poisson2d"),
    prior=_mlp((32,) * 4),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=2, steps_per_epoch=500, n_residual=2048, lbfgs_maxiter=1500, lbfgs_points=4096),
    target=1e-3,
))

register_preset(Preset(
    name="helmholtz2d",
    description="Helmholtz k = 4 pi on the unit square, Fourier features (sigma 1) + 3x64 tanh MLP, exact "
                "boundary values; Adam then L-BFGS",
    problem=_problem("helmholtz2d"),
    prior=_fourier_mlp((64,) * 3, features=64, scale=1.0),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=4000, lbfgs_points=8192),
    target=1e-2,
))

register_preset(Preset(
    name="heat1d",
    description="Heat equation, 4x32 tanh MLP with exact initial/boundary values; Adam then L-BFGS",
    problem=_problem("heat1d"),
    prior=_mlp((32,) * 4),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=2, steps_per_epoch=500, n_residual=2048, lbfgs_maxiter=1500, lbfgs_points=4096),
    target=1e-3,
))

register_preset(Preset(
    name="diffusion_reaction",
    description="Diffusion-reaction with modes up to sin 8x, 4x64 tanh MLP with exact initial/boundary values",
    problem=_problem("diffusion_reaction"),
    prior=_mlp((64,) * 4),
    solver={"hard_constraints": True},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=3000, lbfgs_points=8192),
    target=1e-3,
))

register_preset(Preset(
    name="heat_inverse",
    description="Heat equation with unknown diffusivity (start 0.1) from 1,000 observations with 1% noise",
    problem=_problem("heat_inverse"),
    prior=_mlp((32,) * 4),
    solver={"hard_constraints": True, "initial_params": {"a": 0.1}},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=2048, lbfgs_maxiter=2000, lbfgs_points=4096),
    observations={"n": 1000, "noise": 0.01},
    target=1e-2,
    param_target=1e-2,
))

register_preset(Preset(
    name="burgers_inverse",
    description="Burgers with unknown viscosity (start 0.05) from 2,000 observations with 1% noise, 8x20 tanh MLP",
    problem=_problem("burgers_inverse"),
    prior=_mlp((20,) * 8),
    solver={"hard_constraints": True, "initial_params": {"nu": 0.05}},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=5000, lbfgs_points=8192),
    observations={"n": 2000, "noise": 0.01},
    target=5e-3,
    param_target=1e-2,
))

_ALLEN_CAHN = Preset(
    name="allen_cahn",
    description="Allen-Cahn, time marching over 10 windows, periodic embedding, 4x64 tanh MLP per window; "
                "Adam then L-BFGS in each window",
    problem=_problem("allen_cahn"),
    prior=_mlp((64,) * 4),
    # nested tapes: through the periodic embedding they beat forward jets in float32 (15 vs 23 ms per evaluation)
    solver={"periodic_embedding": True, "loss_weights": {"initial": 100.0}},
    schedule=Schedule(epochs=1, steps_per_epoch=1000, n_residual=2048, lbfgs_maxiter=1500, lbfgs_points=4096,
                      lbfgs_log_every=500),
    marching={"windows": 10},
    target=1e-2,
)
register_preset(_ALLEN_CAHN)
register_preset(dataclasses.replace(
    _ALLEN_CAHN, name="allen_cahn_sota", target=1e-3,
    description="Allen-Cahn for accuracy: as allen_cahn with 2,048 initial points per window and L-BFGS on 2,048 "
                "residual-adaptive (RAD) points until float32 stalls, then up to 1,500 iterations in float64",
    solver={**_ALLEN_CAHN.solver, "condition_points": {"initial": 2048}},
    schedule=dataclasses.replace(_ALLEN_CAHN.schedule, lbfgs_maxiter=8000, lbfgs_log_every=1000, lbfgs_points=2048,
                                 lbfgs_sampling="rad", lbfgs_continue_dtype="float64",
                                 lbfgs_continue_maxiter=1500)))

register_preset(Preset(
    name="schrodinger",
    description="Nonlinear Schroedinger, periodic embedding, 4x64 tanh MLP; Adam then L-BFGS",
    problem=_problem("schrodinger"),
    prior=_mlp((64,) * 4),
    solver={"periodic_embedding": True, "loss_weights": {"initial_u": 10.0, "initial_v": 10.0}},
    schedule=Schedule(epochs=6, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=4000, lbfgs_points=8192,
                      decay_steps=2000),
    target=5e-3,
))

register_preset(Preset(
    name="kovasznay",
    description="Kovasznay flow (Re = 20), 4x50 tanh MLP, (u, v, p); Adam then L-BFGS",
    problem=_problem("kovasznay"),
    prior=_mlp((50,) * 4),
    solver={"loss_weights": {"boundary_x_u": 10.0, "boundary_x_v": 10.0, "boundary_y_u": 10.0,
                             "boundary_y_v": 10.0}},
    schedule=Schedule(epochs=4, steps_per_epoch=500, n_residual=4096, lbfgs_maxiter=10000, lbfgs_points=4096),
    target=1e-3,
))

_WAVE1D = Preset(
    name="wave1d",
    description="Wave equation (c = 10), Fourier features (sigma 1 in x, 5 in t) + 4x64 tanh MLP, exact "
                "initial/boundary values, residual scaled by 1/c^2; short Adam, then long L-BFGS",
    problem=_problem("wave1d"),
    prior=_fourier_mlp((64,) * 4, features=32, scale=[1.0, 5.0]),
    solver={"hard_constraints": True, "loss_weights": {"residual": 1e-4}},
    schedule=Schedule(epochs=1, steps_per_epoch=500, n_residual=2048, lbfgs_maxiter=15000, lbfgs_points=4096),
    target=1e-2,
)
register_preset(_WAVE1D)
register_preset(dataclasses.replace(
    _WAVE1D, name="wave1d_sota", target=1e-3,
    description="Wave equation for accuracy: as wave1d with 8,192 L-BFGS points and up to 30,000 L-BFGS "
                "iterations (float32 L-BFGS-B ends by itself after about 19,000)",
    schedule=dataclasses.replace(_WAVE1D.schedule, lbfgs_maxiter=30000, lbfgs_log_every=1000,
                                 lbfgs_points=8192)))

# Image restoration with untrained priors: camera, gray, 256 × 256. Targets are relative to the best
# classical baseline on the same degraded image (see pinnzoo.baselines), computed when the preset runs.
_DIP = {"channels_down": [32] * 5, "channels_skip": 4, "input_channels": 32}
_DIP_WIDE = {"channels_down": [16, 32, 64, 128, 128], "channels_skip": 4, "input_channels": 32}
# half the channels at full resolution and an 8-channel input: about 30 % less time per step than _DIP
_DIP_NARROW = {"channels_down": [32] * 5, "channels_up": [16, 32, 32, 32, 32], "channels_skip": 4, "input_channels": 8}

register_preset(ImagePreset(
    name="dip_denoise",
    description="Deep Image Prior (5 scales x 32 channels), Gaussian noise sigma = 25/255",
    task="denoise", prior="dip", prior_config=_DIP, noise_sigma=25 / 255,
    iterations=3000, input_noise_std=1 / 30, patience=600, margin=0.0,
))

# Step limits: about as many steps as fit in the 10-minute budget on the 2-core CPU (DIP about 115-125 ms
# per step at 256 x 256, the Deep Decoder about 55 ms).
register_preset(ImagePreset(
    name="dip_deblur",
    description="Deep Image Prior (5 scales x 32 channels, 16 at full resolution, 8 input channels), Gaussian PSF "
                "sigma = 2 (13x13, reflect) + noise 0.01; DCT-preconditioned data term (lambda 0.03), cosine "
                "learning-rate decay",
    task="deblur", prior="dip", prior_config=_DIP_NARROW, psf="gaussian:2.0", noise_sigma=0.01,
    iterations=5000, input_noise_std=1 / 30, patience=300, margin=1.0, precondition=0.03, lr_schedule="cosine",
))

register_preset(ImagePreset(
    name="dip_inpaint",
    description="Deep Image Prior (5 scales x 32 channels), 50% of the pixels missing at random (noise-free); "
                "the known pixels are kept as measured (data consistency)",
    task="inpaint", prior="dip", prior_config=_DIP, missing=0.5,
    iterations=4800, input_noise_std=1 / 30, patience=300, margin=1.0, data_consistency=True,
))

register_preset(ImagePreset(
    name="dip_superres",
    description="Deep Image Prior (5 scales, 16-128 channels), x4 super-resolution from 4x4 area averages "
                "(noise-free); each 4x4 block's mean is kept as measured (data consistency, back-projection)",
    task="superres", prior="dip", prior_config=_DIP_WIDE, scale=4,
    iterations=3000, input_noise_std=0.03, patience=300, margin=0.5, data_consistency=True,
))

register_preset(ImagePreset(
    name="deep_decoder_denoise",
    description="Deep Decoder (k = 64 channels, 5 upsampling layers), Gaussian noise sigma = 25/255; total variation "
                "(weight 0.1) added to the loss, Adam 0.02 with cosine decay over 12,000 steps",
    task="denoise", prior="deep_decoder", prior_config={"channels": 64, "layers": 5}, noise_sigma=25 / 255,
    iterations=12000, learning_rate=0.02, lr_schedule="cosine", tv_weight=0.1, patience=300, margin=0.0,
))

register_preset(ImagePreset(
    name="deep_decoder_deblur",
    description="Deep Decoder (k = 64 channels, 5 upsampling layers), Gaussian PSF sigma = 2 + noise 0.01; "
                "DCT-preconditioned data term (lambda 0.1), cosine learning-rate decay over 8,000 steps",
    task="deblur", prior="deep_decoder", prior_config={"channels": 64, "layers": 5}, psf="gaussian:2.0",
    noise_sigma=0.01, iterations=8000, patience=300, margin=1.0, precondition=0.1, lr_schedule="cosine",
))
