"""Fit an untrained image prior to one measurement: the image counterpart of :mod:`pinnzoo.families.pinn.fit`."""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time

import keras
import numpy as np
from skimage.restoration import estimate_sigma

from pinnzoo.callbacks import BurnIn, ImageQualityLogger, VarianceStopping
from pinnzoo.checkpoint import CheckpointEvery
from pinnzoo.divergence import NaNGuard, scaled_adam
from pinnzoo.errors import InputError, TrainingError
from pinnzoo.families.image.archive import export_image_solver
from pinnzoo.families.image.config import RestoreConfig
from pinnzoo.family import RunResult
from pinnzoo.lifecycle import Training, run_lifecycle
from pinnzoo.metrics import image_scores
from pinnzoo.operators import FourierPreconditioner, Operator
from pinnzoo.solvers import ImagePriorSolver


@dataclasses.dataclass
class RestoreResult(RunResult):
    solver: object
    image: np.ndarray                # restored image [H, W, C]
    steps: int                       # optimisation steps taken
    kept_step: int                   # step whose result is returned (the automatic stopping point)
    auto_stopped: bool               # True if the variance rule ended the fit before the step limit
    time_s: float
    history: dict
    config: RestoreConfig            # the recipe that was run
    scores: dict | None = None       # PSNR/SSIM of `image` against the reference, if one was given
    raw_scores: dict | None = None   # the same for the generator's own output at the kept step
    average_scores: dict | None = None  # the same for the average before the data-consistency projection
    quality: list | None = None      # (step, psnr, ssim, psnr_raw) logged during the fit
    peak: tuple | None = None        # (step, psnr) of the best logged averaged image
    export_dir: object = None        # where the fit was exported, if it was
    metadata: dict | None = None     # what the export's pinnzoo.json holds
    label: str = "restored"          # what the summary line calls the run (a preset's name)
    init: dict | None = None         # a warm start's source (pinnzoo.warm_start), or None
    gate: dict | None = None         # the stop's discrepancy gate (see gate_stop), or None

    def summary(self) -> str:
        """One line: PSNR (against the target, for presets), where the fit stopped, time, where it was saved."""
        meta = self.metadata or {}
        if "target_psnr" in meta:
            st = meta["stopping"]
            head = (f"{self.label}: PSNR {self.scores['psnr']:.2f} dB, SSIM {self.scores['ssim']:.3f} (target "
                    f"{meta['target_psnr']:.2f} dB = {meta.get('target_baseline', meta['baselines'][0])['method']} "
                    f"{meta['margin_db']:+g} dB) | "
                    f"kept step {self.kept_step} of {self.steps} (peak {st['peak_psnr']:.2f} dB at "
                    f"{st['peak_step']})")
        else:
            stop = "automatic stop" if self.auto_stopped else "step limit"
            head = f"{self.label}: {self.steps} iterations ({stop}; image from step {self.kept_step})"
            if self.gate and self.gate["misfit_bound"] is not None:
                head += (f" | minima counted once the misfit was <= {self.gate['factor']:g} sigma^2, sigma "
                         f"{self.gate['noise_sigma']:.4g} ({self.gate['sigma_from']})")
            if self.scores:
                head += f", PSNR {self.scores['psnr']:.2f} dB, SSIM {self.scores['ssim']:.3f}"
        return head + f" | {self.time_s:.1f} s" + (f" | saved to {self.export_dir}" if self.export_dir else "")


def _as_image(a, what: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float32)
    a = a[:, :, None] if a.ndim == 2 else a
    if a.ndim != 3:
        raise InputError(f"the {what} must be [H, W] or [H, W, C], got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise InputError(f"the {what} contains NaN or infinite values")
    return a


def check_inputs(y, operator: Operator, reference):
    """``(y [h, w, C], reference [H, W, C] or None)``, checked against the operator."""
    y = _as_image(y, "measurement")
    h, w, c = y.shape
    operator.check(*operator.input_shape(h, w))
    if reference is not None:
        reference = _as_image(reference, "reference")
        expected = tuple(operator.input_shape(h, w)) + (c,)
        if reference.shape != expected:
            raise InputError(f"reference shape {reference.shape} differs from the restored image's {expected}")
    return y, reference


def image_solver(y_shape, operator: Operator, config: RestoreConfig, seed: int = 0, prior=None):
    """An uncompiled :class:`~pinnzoo.solvers.ImagePriorSolver` for ``config``, its prior's weights drawn
    from ``seed``; ``prior`` (a built generator) replaces ``config.prior``."""
    reg = config.regularisation
    if config.output.data_consistency and operator.gram_scale is None:
        raise InputError(f"data consistency needs A A^T = c I (masks, downsampling); {operator.describe()} "
                         "does not satisfy it")
    preconditioner = None
    if reg.precondition is not None:
        preconditioner = FourierPreconditioner.for_operator(operator, reg.precondition)
    keras.utils.set_random_seed(seed)
    prior = config.prior.build(y_shape[2]) if prior is None else prior
    return ImagePriorSolver(prior, operator, y_shape, input_noise_std=reg.noise_std(config.prior),
                            ema_decay=config.output.ema_decay, window=config.stopping.window, seed=seed,
                            preconditioner=preconditioner, data_consistency=config.output.data_consistency,
                            tv_weight=reg.tv_weight, average_lag=config.stopping.average_lag)


def estimate_noise_sigma(y) -> float:
    """The noise level of an image ``[h, w, C]`` from its finest wavelet coefficients (the median absolute
    deviation estimator of Donoho & Johnstone, ``skimage.restoration.estimate_sigma``), averaged over channels."""
    return float(estimate_sigma(np.asarray(y, np.float64), channel_axis=-1, average_sigmas=True))


def gate_stop(solver, y, config: RestoreConfig, noise_sigma: float | None = None) -> dict | None:
    """Set the recipe's discrepancy gate (``config.stopping.discrepancy``) on ``solver`` with the noise level
    ``noise_sigma`` (None: estimated from ``y``). Returns what was set — factor, σ, where σ came from, the bound
    on the misfit (None for a noise-free measurement: no gate) — or None if the recipe has no gate or no
    automatic stop."""
    factor = config.stopping.discrepancy
    if factor is None or not config.stopping.enabled(config.prior):
        return None
    if noise_sigma is not None and not noise_sigma >= 0:
        raise InputError(f"noise_sigma must be >= 0, got {noise_sigma}")
    sigma = float(noise_sigma) if noise_sigma is not None else estimate_noise_sigma(y)
    bound = solver.gate_on_discrepancy(sigma, factor) if sigma > 0 else None
    return {"factor": float(factor), "noise_sigma": sigma,
            "sigma_from": "given" if noise_sigma is not None else "estimated (wavelet MAD)", "misfit_bound": bound}


def recipe_optimizer(config: RestoreConfig) -> keras.optimizers.Optimizer:
    """The recipe's Adam: its learning rate, constant or cosine-decayed over its iterations."""
    opt = config.optimiser
    rate = opt.learning_rate
    if opt.lr_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(opt.learning_rate, decay_steps=int(opt.iterations))
    return scaled_adam(rate)


def build_image_solver(y_shape, operator: Operator, config: RestoreConfig, seed: int = 0, prior=None):
    """A compiled :class:`~pinnzoo.solvers.ImagePriorSolver` for ``config``; ``prior`` (a built
    generator) replaces ``config.prior``."""
    solver = image_solver(y_shape, operator, config, seed, prior)
    solver.compile(optimizer=recipe_optimizer(config), jit_compile=config.optimiser.jit_compile)
    return solver


def _fit(solver, y, config: RestoreConfig, auto: bool, reference, verbose, callbacks, checkpoint=None, state=None,
         start: float = 0.0, burn_in: int = 0, guard=None):
    """``model.fit`` in epochs of ``log_every`` steps; returns (history, stopper, quality logger). With a
    ``checkpoint`` it is saved every epoch; a loaded ``state`` (a resumed fit) goes on from its epoch. With
    ``burn_in`` the average and the variance window restart after that many steps (:class:`BurnIn`)."""
    iterations = config.optimiser.iterations
    log_every = config.output.interval(iterations)
    guard = guard or NaNGuard()
    stopper = VarianceStopping(config.stopping.patience) if auto else None
    quality = ImageQualityLogger(reference) if reference is not None else None
    # the burn-in before the stopper, which then sees the restarted minimum in the same epoch
    cbs = [cb for cb in (guard, BurnIn(burn_in) if burn_in else None, stopper, quality) if cb is not None]
    dataset, first = solver.dataset(y), 0
    if state:
        checkpoint.restore(solver)  # weights, average, variance window, step, optimiser, input-noise generator
        first = int(state["done"])
        if quality is not None:
            quality.history = [tuple(r) for r in state["quality"]]
    if checkpoint is not None:
        cbs.append(CheckpointEvery(checkpoint, "adam", extra=lambda: {"quality": quality.history if quality else [],
                                                                       "elapsed": time.perf_counter() - start}))
    try:
        fit = solver.fit(dataset, steps_per_epoch=log_every, epochs=math.ceil(iterations / log_every),
                         initial_epoch=first, verbose=verbose, shuffle=False, callbacks=[*cbs, *callbacks])
    except KeyboardInterrupt as exc:
        exc.solver = solver
        raise
    if guard.triggered:
        exc = TrainingError(f"the loss became NaN/inf ({guard.at}) after {len(guard.events)} rollbacks with a smaller "
                            "learning rate; nothing was saved")
        exc.solver = solver
        raise exc
    return fit.history, stopper, quality


def restore(y, operator: Operator, config: RestoreConfig | None = None, *, seed: int = 0, reference=None,
            prior=None, verbose: int = 1, callbacks=(), init=None, checkpoint=None, resume: bool = False,
            noise_sigma: float | None = None) -> RestoreResult:
    """Fit a generator to the measurement ``y`` (``[h, w, C]`` in [0, 1]) through ``operator``.

    ``config`` (:class:`~pinnzoo.restoration.RestoreConfig`; default: DIP with the
    original paper's settings) is the recipe: prior, optimiser, stopping,
    regularisation, output. With automatic stopping ``iterations`` is an upper
    bound: the fit ends once the output variance has not reached a new minimum
    for ``patience`` steps, and the image at the minimum is returned. The Deep
    Decoder is under-parameterised and does not overfit (Heckel & Hand): by
    default it runs all iterations and returns the last average. ``prior`` (a
    built :class:`~pinnzoo.priors.ImageGenerator`) replaces the recipe's. With
    ``reference`` (the clean image) PSNR/SSIM are logged every ``log_every`` steps.
    ``init`` (a :class:`~pinnzoo.warm_start.WarmStart`) starts the generator from a
    trained export's weights (and fixed input, unless ``init.fresh_noise``). ``checkpoint`` (a file) is
    rewritten every ``log_every`` steps while the fit runs and removed at its end; ``resume=True``
    continues the fit it holds (the same measurement, recipe and seed), bit for bit on the same machine.
    ``noise_sigma`` is the measurement's noise level for a recipe whose stop has a discrepancy gate
    (``config.stopping.discrepancy``); None: estimated from ``y`` (:func:`estimate_noise_sigma`).

    Raises:
        InputError: bad measurement, reference or settings.
        InitError: ``init`` cannot be applied (no weights, another architecture).
        TrainingError: the loss became NaN (``exc.solver`` holds the last weights).
        KeyboardInterrupt: ``exc.solver`` holds the solver as it was.
    """
    config = config or RestoreConfig()
    y, reference = check_inputs(y, operator, reference)
    return run_lifecycle(ImageTraining(y, operator, config, seed, reference, prior, verbose, init, noise_sigma),
                         checkpoint=checkpoint, resume=resume, callbacks=callbacks)


@dataclasses.dataclass
class ImageTraining(Training):
    """One fit of an image prior to one measurement (:mod:`pinnzoo.lifecycle`): the recipe's generator (a warm
    start applied, then a burn-in), fitted through the operator with the recipe's automatic stop; the result is
    the kept average. Its checkpoint is named by the measurement, operator, recipe, seed and warm start."""

    y: object
    operator: Operator
    config: RestoreConfig
    seed: int
    reference: object
    prior: object
    verbose: int
    init: object
    noise_sigma: float | None

    def build(self, run):
        solver = build_image_solver(self.y.shape, self.operator, self.config, self.seed, self.prior)
        self.origin = self.init.apply_image(solver) if self.init is not None else None
        self.gate = gate_stop(solver, self.y, self.config, self.noise_sigma)
        # a warm start's first output is the source's image: one variance window of burn-in forgets it
        self.burn_in = self.config.stopping.window if self.init is not None else 0
        if self.origin is not None:
            self.origin["burn_in_steps"] = self.burn_in
        return solver

    def identity(self, run, solver) -> dict:
        return {"measurement_sha256": hashlib.sha256(np.ascontiguousarray(self.y, np.float32).tobytes()).hexdigest(),
                "operator": self.operator.describe(), "recipe": self.config.to_dict(), "seed": self.seed,
                "init": self.origin}

    def fit(self, run, solver):
        self.auto = self.config.stopping.enabled(self.config.prior)
        history, self.stopper, self.quality = _fit(solver, self.y, self.config, self.auto, self.reference,
                                                   self.verbose, run.callbacks, run.checkpoint, run.state or None,
                                                   run.start, self.burn_in, run.guard)
        return solver, history

    def score(self, run, solver, history) -> RestoreResult:
        elapsed = run.elapsed()
        steps = int(solver.step.numpy())
        kept = solver.finish(use_best=self.auto)
        result = RestoreResult(solver=solver, image=solver.image(), steps=steps, kept_step=kept,
                               auto_stopped=bool(self.stopper and self.stopper.stopped_at is not None), time_s=elapsed,
                               history=history, config=self.config, init=self.origin, gate=self.gate)
        if self.reference is not None:
            score(result, self.reference, self.quality)
        return result

    def metadata(self, run, result) -> dict:
        return {"operator": self.operator.describe(), "recipe": self.config.to_dict(), "seed": self.seed,
                "training": run.training(time_s=round(result.time_s, 2))}

    def archive(self, result, out, meta: dict, files: dict):
        return export_image_solver(result.solver, out, meta, files=files)


def score(result: RestoreResult, reference, quality) -> None:
    """Fill ``result``'s scores against the clean ``reference``: the restored image, the generator's own output,
    the average before the data-consistency projection (if on), and the PSNR history of ``quality`` (an
    :class:`~pinnzoo.callbacks.ImageQualityLogger`) with its peak."""
    solver = result.solver
    result.scores = image_scores(result.image, reference)
    result.raw_scores = image_scores(solver.generate().numpy()[0], reference)
    if result.config.output.data_consistency:
        result.average_scores = image_scores(solver.average.numpy()[0], reference)
    result.quality = quality.history
    result.peak = quality.peak() if quality.history else None
