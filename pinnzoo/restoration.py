"""Fit an untrained image prior to one measurement: the image counterpart of :mod:`pinnzoo.training`."""

from __future__ import annotations

import dataclasses
import math
import time

import keras
import numpy as np

from pinnzoo.callbacks import ImageQualityLogger, NaNGuard, VarianceStopping
from pinnzoo.errors import InputError, TrainingError
from pinnzoo.metrics import image_scores
from pinnzoo.operators import Blur, Downsample, FourierPreconditioner, Identity, Mask, Operator, parse_psf

TASKS = ("denoise", "deblur", "inpaint", "superres")
PRIORS = ("dip", "deep_decoder")
LR_SCHEDULES = ("constant", "cosine")


def make_operator(task: str, *, psf=None, mask=None, scale=None) -> Operator:
    """The forward operator of a restoration task."""
    if task == "denoise":
        return Identity()
    if task == "deblur":
        if psf is None:
            raise InputError("deblurring needs a PSF (e.g. --psf gaussian:2.0)")
        return Blur(psf if isinstance(psf, (str, np.ndarray)) else parse_psf(psf))
    if task == "inpaint":
        if mask is None:
            raise InputError("inpainting needs a mask (1 = known pixel, 0 = missing)")
        return Mask(mask)
    if task == "superres":
        if scale is None:
            raise InputError("super-resolution needs a scale factor (e.g. --scale 4)")
        return Downsample(scale)
    raise InputError(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")


def make_prior(kind: str, channels: int, config: dict | None = None) -> keras.Model:
    """A DIP skip network or a Deep Decoder with ``channels`` output channels; ``config`` overrides defaults."""
    from pinnzoo.priors import DeepDecoder, SkipNet

    config = dict(config or {})
    if kind == "dip":
        return SkipNet(out_channels=channels, **config)
    if kind == "deep_decoder":
        return DeepDecoder(out_channels=channels, **config)
    raise InputError(f"unknown prior {kind!r}; priors: {', '.join(PRIORS)}")


@dataclasses.dataclass
class RestoreResult:
    solver: object
    image: np.ndarray                # restored image [H, W, C]
    steps: int                       # optimisation steps taken
    kept_step: int                   # step whose result is returned (the automatic stopping point)
    auto_stopped: bool               # True if the variance rule ended the fit before the step limit
    time_s: float
    history: dict
    scores: dict | None = None       # PSNR/SSIM of `image` against the reference, if one was given
    raw_scores: dict | None = None   # the same for the generator's own output at the kept step
    average_scores: dict | None = None  # the same for the average before the data-consistency projection
    quality: list | None = None      # (step, psnr, ssim, psnr_raw) logged during the fit
    peak: tuple | None = None        # (step, psnr) of the best logged averaged image


def restore(y, operator: Operator, *, prior="dip", prior_config=None, iterations: int = 3000,
            learning_rate: float = 0.01, input_noise_std: float | None = None, ema_decay: float = 0.99,
            window: int = 100, patience: int = 500, auto_stop: bool | None = None, seed: int = 0, reference=None,
            log_every: int = 50, verbose: int = 1, jit_compile: bool = False, callbacks=(),
            precondition: float | None = None, lr_schedule: str = "constant",
            data_consistency: bool = False, tv_weight: float = 0.0) -> RestoreResult:
    """Fit a generator to the measurement ``y`` (``[h, w, C]`` in [0, 1]) through ``operator``.

    ``prior`` is ``"dip"``, ``"deep_decoder"`` or a built Keras generator.
    ``iterations`` is an upper bound when ``auto_stop`` is on: the fit ends once
    the output variance has not reached a new minimum for ``patience`` steps,
    and the image at the minimum is returned. With ``reference`` (the clean
    image) PSNR/SSIM are logged every ``log_every`` steps. ``auto_stop=None``
    means on for DIP and off for the Deep Decoder, which is under-parameterised
    and does not overfit (Heckel & Hand): it runs all ``iterations`` and returns
    the last average.

    ``precondition = λ`` (blur only) fits ``‖P(A x − y)‖²`` with the
    :class:`~pinnzoo.operators.FourierPreconditioner` of the PSF.
    ``lr_schedule`` is ``"constant"`` or ``"cosine"`` (Adam's rate decays to 0
    over ``iterations`` along a half cosine).
    ``data_consistency`` (noise-free inpainting and super-resolution) returns
    the average projected onto the measurement, ``x̄ + A⁺(y − A x̄)``: the known
    pixels (block averages) exactly as measured. ``tv_weight = λ`` adds
    ``λ · TV(G(z))`` to the loss (isotropic total variation per pixel).

    Raises:
        InputError: bad measurement, reference or settings.
        TrainingError: the loss became NaN (``exc.solver`` holds the last weights).
        KeyboardInterrupt: ``exc.solver`` holds the solver as it was.
    """
    from pinnzoo.solvers import ImagePriorSolver

    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y[:, :, None]
    if y.ndim != 3:
        raise InputError(f"the measurement must be [H, W] or [H, W, C], got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise InputError("the measurement contains NaN or infinite values")
    if iterations < 1:
        raise InputError(f"iterations must be >= 1, got {iterations}")
    if lr_schedule not in LR_SCHEDULES:
        raise InputError(f"unknown learning-rate schedule {lr_schedule!r}; choose from {', '.join(LR_SCHEDULES)}")
    preconditioner = None if precondition is None else FourierPreconditioner.for_operator(operator, precondition)
    h, w, c = y.shape
    operator.check(*operator.input_shape(h, w))
    if reference is not None:
        reference = np.asarray(reference, dtype=np.float32)
        if reference.ndim == 2:
            reference = reference[:, :, None]
        if reference.shape != tuple(operator.input_shape(h, w)) + (c,):
            raise InputError(f"reference shape {reference.shape} differs from the restored image's "
                             f"{tuple(operator.input_shape(h, w)) + (c,)}")
    keras.utils.set_random_seed(seed)
    if auto_stop is None:
        auto_stop = prior != "deep_decoder"
    if isinstance(prior, str):
        if input_noise_std is None:
            input_noise_std = 1.0 / 30.0 if prior == "dip" else 0.0
        prior = make_prior(prior, c, prior_config)
    solver = ImagePriorSolver(prior, operator, (h, w, c), input_noise_std=input_noise_std or 0.0,
                              ema_decay=ema_decay, window=window, seed=seed, preconditioner=preconditioner,
                              data_consistency=data_consistency, tv_weight=tv_weight)
    rate = learning_rate
    if lr_schedule == "cosine":
        rate = keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps=int(iterations))
    solver.compile(optimizer=keras.optimizers.Adam(rate), jit_compile=jit_compile)
    log_every = max(1, min(int(log_every), int(iterations)))
    epochs = math.ceil(iterations / log_every)
    guard = NaNGuard()
    cbs = [guard]
    stopper = VarianceStopping(patience) if auto_stop else None
    if stopper:
        cbs.append(stopper)
    quality = ImageQualityLogger(reference) if reference is not None else None
    if quality:
        cbs.append(quality)
    start = time.perf_counter()
    try:
        fit = solver.fit(solver.dataset(y), steps_per_epoch=log_every, epochs=epochs, verbose=verbose, shuffle=False,
                         callbacks=[*cbs, *callbacks])
    except KeyboardInterrupt as exc:
        exc.solver = solver
        raise
    elapsed = time.perf_counter() - start
    if guard.triggered:
        exc = TrainingError(f"the loss became NaN/inf ({guard.at}); nothing was saved")
        exc.solver = solver
        raise exc
    steps = int(solver.step.numpy())
    kept = solver.finish(use_best=auto_stop)
    image = solver.image()
    result = RestoreResult(solver=solver, image=image, steps=steps, kept_step=kept,
                           auto_stopped=bool(stopper and stopper.stopped_at is not None), time_s=elapsed,
                           history=fit.history)
    if reference is not None:
        result.scores = image_scores(image, reference)
        result.raw_scores = image_scores(solver.generate().numpy()[0], reference)
        if data_consistency:
            result.average_scores = image_scores(solver.average.numpy()[0], reference)
        result.quality = quality.history
        result.peak = quality.peak() if quality.history else None
    return result


def train_image_preset(preset, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1,
                       callbacks=()) -> RestoreResult:
    """Degrade the preset's test image, run the classical baselines, fit the prior, export if ``out``.

    The result's ``metadata`` holds what goes into ``pinnzoo.json``: PSNR/SSIM of
    the restored image and of the generator's output, the baselines (each at its
    best parameter), the target (best baseline + margin), the automatic
    stopping point against the run's peak, iterations and time.
    """
    from pinnzoo.baselines import best_baselines
    from pinnzoo.export import export_image_solver, machine

    p = preset.quick() if quick else preset
    clean, y, op = p.degrade()
    baselines = best_baselines(p.task, y, clean, sigma=p.noise_sigma, psf=getattr(op, "psf", None),
                               mask=getattr(op, "mask", None), scale=getattr(op, "factor", None))
    auto = p.auto_stop if p.auto_stop is not None else p.prior != "deep_decoder"
    result = restore(y, op, prior=p.prior, prior_config=dict(p.prior_config), iterations=p.iterations,
                     learning_rate=p.learning_rate, input_noise_std=p.input_noise_std, ema_decay=p.ema_decay,
                     window=p.window, patience=p.patience, auto_stop=auto, seed=seed, reference=clean,
                     log_every=p.log_every,
                     verbose=verbose, callbacks=callbacks, jit_compile=p.jit_compile,
                     precondition=p.precondition, lr_schedule=p.lr_schedule,
                     data_consistency=p.data_consistency, tv_weight=p.tv_weight)
    peak_step, peak_psnr = result.peak
    metrics = {"psnr": result.scores["psnr"], "ssim": result.scores["ssim"],
               "psnr_generator": result.raw_scores["psnr"], "ssim_generator": result.raw_scores["ssim"]}
    if result.average_scores is not None:  # the restored image is the projected average: record both
        metrics.update(psnr_average=result.average_scores["psnr"], ssim_average=result.average_scores["ssim"])
    result.metadata = {
        "preset": p.name,
        "description": p.description,
        "task": p.task,
        "reference_image": {"name": p.image, "size": p.size, "source": "skimage.data, gray, anti-aliased resize"},
        "degradation": {"noise_sigma": p.noise_sigma, "psf": p.psf, "missing": p.missing, "scale": p.scale,
                        "seed": p.degradation_seed},
        "measurement_psnr": image_scores(y, clean)["psnr"] if y.shape == clean.shape else None,
        "baselines": baselines,
        "margin_db": p.margin,
        "target_psnr": baselines[0]["psnr"] + p.margin,
        "metrics": metrics,
        "stopping": {"rule": "windowed moving variance (ES-WMV)" if auto else "step limit (no early stopping)",
                     "window": p.window, "patience": p.patience,
                     "kept_step": result.kept_step, "steps": result.steps, "auto_stopped": result.auto_stopped,
                     "peak_step": peak_step, "peak_psnr": peak_psnr, "gap_to_peak_db": peak_psnr - metrics["psnr"],
                     "logged_every": p.log_every},
        "training": {"time_s": round(result.time_s, 2), "ms_per_step": round(1000 * result.time_s / result.steps, 1),
                     "max_iterations": p.iterations, "learning_rate": p.learning_rate,
                     "lr_schedule": p.lr_schedule, "precondition_lambda": p.precondition,
                     "data_consistency": p.data_consistency, "tv_weight": p.tv_weight,
                     "input_noise_std": result.solver.input_noise_std, "ema_decay": p.ema_decay, "seed": seed,
                     "quick": quick, "machine": machine()},
    }
    if out is not None:
        result.export_dir = export_image_solver(result.solver, out, result.metadata)
    return result
