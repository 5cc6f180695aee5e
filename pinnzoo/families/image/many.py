"""Several images restored with one recipe side by side: one independent fit per image, the fits sharded over
the replicas of a ``tf.distribute`` strategy (:class:`~pinnzoo.solvers.instances.InstanceBatchSolver`)."""

from __future__ import annotations

import math
import time

import keras

from pinnzoo.callbacks import ImageQualityLogger, InstanceStopping
from pinnzoo.distribute import get_strategy, xla_fallback
from pinnzoo.divergence import NaNGuard
from pinnzoo.errors import InputError, TrainingError
from pinnzoo.families.image.config import RestoreConfig
from pinnzoo.families.image.fit import RestoreResult, check_inputs, gate_stop, image_solver, recipe_optimizer, score
from pinnzoo.operators import Operator
from pinnzoo.solvers.instances import InstanceBatchSolver, check_shardable


def restore_many(measurements, operators, config: RestoreConfig | None = None, *, seeds=None, references=None,
                 strategy=None, verbose: int = 1, callbacks=(), noise_sigmas=None) -> list[RestoreResult]:
    """Restore each of ``measurements`` (``[h, w, C]`` arrays) through its operator (``operators``: one
    :class:`~pinnzoo.operators.Operator` for all, or one each) with the recipe ``config``, every fit
    independent, all trained by one ``model.fit``: under ``strategy`` (a ``tf.distribute.Strategy`` or its
    name) each replica fits an equal block of the images. Member ``i`` is the fit :func:`restore` makes with
    ``seeds[i]`` (default: 0 for all) and ends where that fit ends (its own automatic stop). ``references``
    (clean images) add PSNR/SSIM to the results. ``noise_sigmas`` (one per image; None: estimated) are the
    noise levels of a recipe whose stop has a discrepancy gate, as in :func:`restore`.

    Raises:
        InputError: bad measurements, or a count that does not split evenly over the replicas.
        TrainingError: the loss became NaN (the members' last weights are in ``exc.solver``).
    """
    config = config or RestoreConfig()
    count = len(measurements)
    operators = list(operators) if isinstance(operators, (list, tuple)) else [operators] * count
    seeds = [0] * count if seeds is None else [int(s) for s in seeds]
    references = [None] * count if references is None else list(references)
    noise_sigmas = [None] * count if noise_sigmas is None else list(noise_sigmas)
    if (not len(operators) == len(seeds) == len(references) == len(noise_sigmas) == count
            or not all(isinstance(op, Operator) for op in operators)):
        raise InputError(f"{count} measurements need as many operators, seeds, references and noise levels (got "
                         f"{len(operators)}, {len(seeds)}, {len(references)}, {len(noise_sigmas)})")
    checked = [check_inputs(y, op, ref) for y, op, ref in zip(measurements, operators, references)]
    strategy = get_strategy(strategy)
    check_shardable(count, strategy)
    with strategy.scope():
        members = [image_solver(y.shape, op, config, seed) for (y, _), op, seed in zip(checked, operators, seeds)]
        for member, (y, _) in zip(members, checked):
            member.dataset(y)  # checks the measurement and keeps it (data-consistency projection, discrepancy gate)
        gates = [gate_stop(member, y, config, sigma) for member, (y, _), sigma in zip(members, checked, noise_sigmas)]
        batch = InstanceBatchSolver(members, [y[None] for y, _ in checked])
        batch.compile(optimizer=recipe_optimizer(config),
                      jit_compile=xla_fallback(strategy, config.optimiser.jit_compile, verbose))
    auto = config.stopping.enabled(config.prior)
    quality = MemberQuality([ref for _, ref in checked])
    history, stopper, elapsed = _fit_batch(batch, config, auto, verbose, quality, callbacks)
    results = [_result(member, config, auto, stopper, i, elapsed, history, ref, quality.loggers[i])
               for i, (member, (_, ref)) in enumerate(zip(members, checked))]
    for result, gate in zip(results, gates):
        result.gate = gate
    return results


class MemberQuality(keras.callbacks.Callback):
    """An :class:`~pinnzoo.callbacks.ImageQualityLogger` for each member with a reference, run at the end of
    each epoch while the member is active (its ``history`` is then the one its own fit would log)."""

    def __init__(self, references):
        super().__init__()
        self.loggers = [None if r is None else ImageQualityLogger(r) for r in references]

    def on_epoch_end(self, epoch, logs=None):
        active = self.model.active.numpy()
        for i, (logger, member) in enumerate(zip(self.loggers, self.model.members)):
            if logger is not None and active[i] > 0:
                logger.set_model(member)
                logger.on_epoch_end(epoch)


def _fit_batch(batch, config, auto: bool, verbose: int, quality, callbacks):
    iterations = config.optimiser.iterations
    log_every = config.output.interval(iterations)
    guard = NaNGuard()
    stopper = InstanceStopping(config.stopping.patience) if auto else None
    start = time.perf_counter()
    try:
        fit = batch.fit(batch.dataset(), steps_per_epoch=log_every, epochs=math.ceil(iterations / log_every),
                        verbose=verbose, callbacks=[c for c in (guard, quality, stopper) if c is not None] + list(callbacks))
    except KeyboardInterrupt as exc:
        exc.solver = batch
        raise
    if guard.triggered:
        exc = TrainingError(f"the loss became NaN/inf ({guard.at}) after {len(guard.events)} rollbacks; nothing "
                            "was saved")
        exc.solver = batch
        raise exc
    return fit.history, stopper, time.perf_counter() - start


def _result(member, config, auto, stopper, i, elapsed, history, reference, quality) -> RestoreResult:
    steps = int(member.step.numpy())
    kept = member.finish(use_best=auto)
    result = RestoreResult(solver=member, image=member.image(), steps=steps, kept_step=kept,
                           auto_stopped=bool(stopper and stopper.stopped_at[i] is not None), time_s=elapsed,
                           history={"loss": history.get(f"loss_{i}", [])}, config=config,
                           label=f"image {i + 1}")
    if reference is not None:
        score(result, reference, quality)
    return result
