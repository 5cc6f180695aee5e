"""Train a preset end to end: build → Adam with ``model.fit`` → L-BFGS → score → export."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from pinnzoo.callbacks import DiscrepancyStopping, GradNormBalancing, ReferenceErrorLogger
from pinnzoo.checkpoint import CheckpointEvery
from pinnzoo.distribute import distributed_batches, get_strategy, replicas, xla_fallback
from pinnzoo.divergence import scaled_adam
from pinnzoo.dtypes import float_type
from pinnzoo.errors import TrainingError
from pinnzoo.families.pinn.archive import export_solver
from pinnzoo.family import RunResult
from pinnzoo.lifecycle import Run, Training, run_lifecycle
from pinnzoo.metrics import param_errors, score_problem
from pinnzoo.sampling import collocation_dataset, fixed_batch, residual_adaptive_points
from pinnzoo.solvers import TimeMarchingSolver, lbfgs_refine, refit_last_layer


@dataclasses.dataclass
class TrainResult(RunResult):
    solver: keras.Model
    preset: object  # the PINNPreset trained
    history: dict
    metrics: dict
    train_time: float
    adam_steps: int
    lbfgs_iterations: int
    export_dir: Path | None = None
    time_to_target: float | None = None
    #: (seconds since the start, rel. L2 on the scoring grid) at every logged epoch, then the final one
    error_curve: list = dataclasses.field(default_factory=list)
    #: where the prior's weights came from (:meth:`pinnzoo.warm_start.WarmStart.apply`), or None (cold start)
    init: dict | None = None

    def summary(self) -> str:
        m, p = self.metrics, self.preset
        target = f" (target {p.target:g})" if p.target is not None else ""
        method = self.history.get("lbfgs_info", {}).get("method", "lbfgs")  # the quasi-Newton phase's method
        return (f"{p.name}: rel L2 = {m['rel_l2']:.3e}{target}{param_text(m)} | "
                f"{self.train_time:.1f} s, {self.adam_steps} Adam steps + {self.lbfgs_iterations} "
                f"{'L-BFGS' if method == 'lbfgs' else method} iterations"
                + (f" | saved to {self.export_dir}" if self.export_dir else " | not exported"))


def build_solver(preset, schedule, seed: int, strategy=None, verbose: int = 1):
    """A compiled solver for ``preset`` in the schedule's float type, its variables and optimisers made in
    ``strategy``'s scope (:mod:`pinnzoo.distribute`; None: one device)."""
    strategy = get_strategy(strategy)
    jit_compile = xla_fallback(strategy, schedule.jit_compile, verbose)
    keras.utils.set_random_seed(seed)
    with strategy.scope():
        with float_type(schedule.dtype):
            solver = preset.build()
        adam = schedule.adam
        for part in solver.parts():  # time marching: every window has its own optimizer
            lr = keras.optimizers.schedules.ExponentialDecay(adam.learning_rate, adam.decay_steps, adam.decay_rate)
            steps_per_execution = max(1, min(adam.steps_per_execution, adam.steps_per_epoch))
            if replicas(strategy) > 1:  # Keras's multi-step loop fails on a distributed iterator here (TF 2.21)
                steps_per_execution = 1
            part.compile(optimizer=scaled_adam(lr), jit_compile=jit_compile, steps_per_execution=steps_per_execution)
    return solver


def _batches(solver, points, seed, resample, data, start):
    """The Adam phase's dataset: global batches of points, one per step, from step ``start`` on — split
    into one shard per replica when the solver was built under a strategy of several (:mod:`pinnzoo.distribute`)."""
    def make():
        return collocation_dataset(solver, points, seed=seed, resample=resample, data=data, start=start)

    strategy = solver.distribute_strategy
    return distributed_batches(strategy, make) if replicas(strategy) > 1 else make()


def _lbfgs_points(solver, schedule, seed, data):
    points, n = None, schedule.lbfgs.points
    if schedule.lbfgs.sampling == "rad":
        points = residual_adaptive_points(solver, n, seed=seed, candidates=max(8 * n, 16384))
    return fixed_batch(solver, n, seed=seed, data=data, residual_points=points)


def _lbfgs_phase(solver, schedule, seed, data, callbacks, verbose, done: int = 0):
    """L-BFGS-B for ``schedule.lbfgs_maxiter`` iterations in all (``done`` of them already run, by a run
    this one resumes): on fresh points every ``resample_every`` iterations (if set), and on a float64
    copy of the solver from the first early stop on (if a ``continuation`` is set).
    Returns (solver, merged history, info)."""
    total, every, cont = schedule.lbfgs.maxiter - done, schedule.lbfgs.resample_every, schedule.lbfgs.continuation
    merged: dict = {}
    info = {"iterations": 0, "evaluations": 0, "runs": [], "continued_at": None, "best_loss": None,
            "method": schedule.lbfgs.method}
    batch, draw, next_draw = None, 0, 0
    try:
        while info["iterations"] < total:
            done = info["iterations"]
            if batch is None or (every and done >= next_draw):
                # the first set is the one a run without resampling uses (seed + 1)
                batch = _lbfgs_points(solver, schedule, seed + 1 + 104729 * draw, data)
                draw, next_draw = draw + 1, done + every
            budget = (min(next_draw, total) if every else total) - done
            lb = lbfgs_refine(solver, batch, maxiter=budget, log_every=schedule.lbfgs.log_every,
                              callbacks=callbacks, verbose=verbose, method=schedule.lbfgs.method,
                              jit_compile=xla_fallback(solver.distribute_strategy, schedule.jit_compile, 0),
                              gather=schedule.lbfgs.gather)
            for key, values in lb.history.items():
                merged.setdefault(key, []).extend(values)
            info["iterations"] += lb.lbfgs["iterations"]
            info["evaluations"] += lb.lbfgs["evaluations"]
            info["best_loss"] = lb.lbfgs["best_loss"]
            info["runs"].append(f"{solver.compute_dtype}: {lb.lbfgs['message']}")
            if solver.stop_training:
                break
            if lb.lbfgs["iterations"] >= budget:
                continue
            # stopped early: in float32 a step no longer changed the loss at float32 resolution
            if cont and solver.compute_dtype != cont.dtype:
                solver = solver.recast(cont.dtype, **({"derivatives": cont.derivatives} if cont.derivatives else {}))
                batch = {k: tf.cast(v, solver.compute_dtype) for k, v in batch.items()}  # the same points
                info["continued_at"] = info["iterations"]
                if cont.maxiter is not None:
                    total = min(total, info["iterations"] + int(cont.maxiter))
                if verbose:
                    print(f"L-BFGS-B stopped after {info['iterations']} iterations in {schedule.dtype}; "
                          f"the {total - info['iterations']} left run in {cont.dtype}")
            elif every and lb.lbfgs["iterations"] > 0:
                next_draw = info["iterations"]  # fresh points at once
            else:
                break
    except KeyboardInterrupt as exc:  # hand back the solver that holds the latest weights (maybe a copy)
        exc.solver = solver
        raise
    runs = info.pop("runs")
    info["message"] = runs[0].split(": ", 1)[1] if len(runs) == 1 else " | ".join(runs)
    return solver, merged, info


def _adam_then_lbfgs(solver, schedule, seed, data, callbacks, verbose, reference, guard, run=None):
    """Train one :class:`PINNSolver` with ``schedule``; returns (solver, history, L-BFGS iterations).

    With ``run`` (a :class:`_Resumable`) the phases save checkpoints, and a resumed run skips what
    its checkpoint says was done. The solver returned is a float64 copy when L-BFGS continued in
    float64 (``schedule.lbfgs.continuation``), else the one passed in."""
    history: dict = {}
    iterations = 0
    adam, points = schedule.adam, schedule.collocation.points
    first_epoch, lbfgs_done = run.progress(adam.epochs) if run else (0, 0)
    if adam.epochs > first_epoch:
        # the points of step n are a function of (seed, n): a resumed run draws the ones it would have drawn
        dataset = _batches(solver, points, seed, schedule.collocation.resample, data, first_epoch * adam.steps_per_epoch)
        adam_callbacks = [guard, reference, *callbacks, *(run.saver("adam") if run else [])]
        if schedule.balancing.every > 0:
            balance_batch = fixed_batch(solver, min(points, 4096), seed=seed + 7, data=data)
            adam_callbacks.insert(1, GradNormBalancing(balance_batch, schedule.balancing.every,
                                                       schedule.balancing.alpha))
        fit = solver.fit(dataset, epochs=adam.epochs, initial_epoch=first_epoch, steps_per_epoch=adam.steps_per_epoch,
                         callbacks=adam_callbacks, verbose=verbose, shuffle=False)
        history["adam"] = fit.history
        if guard.triggered:
            raise TrainingError(f"the loss became NaN/inf during Adam ({guard.at}) after {len(guard.events)} "
                                "rollbacks with a smaller learning rate; training stopped, the last good weights "
                                "were kept and nothing was exported")
    if schedule.lbfgs.maxiter > lbfgs_done and not _stopped(callbacks):
        saver = run.saver("lbfgs", lbfgs_done) if run else []
        solver, history["lbfgs"], history["lbfgs_info"] = _lbfgs_phase(solver, schedule, seed, data,
                                                                        [reference, *callbacks, *saver], verbose,
                                                                        done=lbfgs_done)
        iterations = history["lbfgs_info"]["iterations"] + lbfgs_done
    return solver, history, iterations


def observed_data(preset, problem, seed: int):
    """The noisy observations a run of ``preset`` with ``seed`` fits (None without ``observations``): drawn with
    ``observations["noise_seed"]`` if set, else with ``seed + 1000``."""
    if not preset.observations:
        return None
    obs = preset.observations
    return problem.observations(int(obs["n"]), float(obs.get("noise", 0.0)), seed=int(obs.get("noise_seed", seed + 1000)))


def _discrepancy_stop(preset, problem, data) -> DiscrepancyStopping | None:
    """``observations["discrepancy"] = τ``: stop both phases at the first step whose data term (mean square) is at
    most τ times the noise variance the observations were made with (Morozov's discrepancy principle)."""
    tau = (preset.observations or {}).get("discrepancy")
    if tau is None:
        return None
    variance = problem.noise_variance(float(preset.observations.get("noise", 0.0)), data[0])
    if not float(tau) > 0 or not variance > 0:
        raise TrainingError(f"{preset.name}: the discrepancy stop needs tau > 0 and noisy observations, got tau = "
                            f"{tau}, noise variance {variance:g}")
    return DiscrepancyStopping(float(tau) * variance, monitor="data", every_step=True)


def _stopped(callbacks) -> bool:
    """Whether a discrepancy stop fired (the quasi-Newton phase is then skipped)."""
    return any(c.stopped_at is not None for c in callbacks if isinstance(c, DiscrepancyStopping))


class _Resumable:
    """The checkpoints of a PINN run (a :class:`~pinnzoo.lifecycle.Run` that keeps one) and, when it resumes,
    what its checkpoint holds put back: weights and optimiser state, the log, the clock and the error curve."""

    def __init__(self, run: Run, solver, reference):
        self.run, self.checkpoint, self.reference, self.log = run, run.checkpoint, reference, run.log
        self.state = run.state
        if self.state:
            self.checkpoint.restore(solver)
            self.log.rewind(self.state["log_step"])  # what was logged after the checkpoint is run again
            reference.history = [tuple(p) for p in self.state["error_curve"]]
            reference.time_to_target = self.state["time_to_target"]

    def progress(self, adam_epochs: int) -> tuple[int, int]:
        """``(Adam epochs done, L-BFGS iterations done)``."""
        return self.run.progress(adam_epochs)

    def saver(self, phase: str, offset: int = 0) -> list:
        return [CheckpointEvery(self.checkpoint, phase, offset, self._extra)]

    def _extra(self) -> dict:
        return {"elapsed": self.run.elapsed(), "error_curve": self.reference.history,
                "time_to_target": self.reference.time_to_target, "log_step": self.log.step}


class _MarchingRun(_Resumable):
    """A time-marching run's checkpoints: every window's weights (the windows trained so far are final,
    later ones at their initial values), the window under way with its phase, Adam epochs or L-BFGS
    iterations done and its optimiser's state, and what the finished windows reported. A resumed run
    skips the finished windows and continues the one under way as :class:`_Resumable` continues a run."""

    def __init__(self, run: Run, solver, reference):
        super().__init__(run, solver, reference)  # restores every window's weights
        self.composite = solver
        self.window = int(self.state.get("window", 0))
        self.finished = list(self.state.get("windows", []))  # per finished window: rel_l2, L-BFGS info
        self.iterations = int(self.state.get("iterations", 0))
        self.part, self.k = None, self.window

    def begin(self, k: int, part):
        """Window ``k`` (the solver ``part``) starts; the window a checkpoint was under way in gets its
        optimiser state back."""
        self.k, self.part = k, part
        if k == self.window and self.state.get("phase") == "adam":
            self.checkpoint.restore_optimizer(part.optimizer, part.trainable_variables, part.distribute_strategy)

    def end(self, summary: dict, iterations: int):
        self.finished.append(summary)
        self.iterations += iterations

    def progress(self, adam_epochs: int) -> tuple[int, int]:
        return super().progress(adam_epochs) if self.k == self.window else (0, 0)

    def saver(self, phase: str, offset: int = 0) -> list:
        return [_WindowCheckpoint(self, phase, offset)]

    def _extra(self) -> dict:
        return {**super()._extra(), "window": self.k, "windows": self.finished, "iterations": self.iterations}


class _WindowCheckpoint(CheckpointEvery):
    """:class:`CheckpointEvery` for a window of a time-marching run: saves the composite's weights (the
    window's trained ones copied in first, from a float64 continuation's copy if need be) and, in Adam,
    the window's optimiser state."""

    def __init__(self, run: _MarchingRun, phase: str, offset: int):
        super().__init__(run.checkpoint, phase, offset, run._extra)
        self.run = run

    def on_epoch_end(self, epoch, logs=None):
        if self.phase == "adam":
            self.done = epoch + 1
        _keep_weights(self.run.part, self.model)
        self.checkpoint.save(self.run.composite, {"phase": self.phase, "done": self.done, **self.extra()},
                             optimizer=self.model.optimizer if self.phase == "adam" else None)


def _resumable(run: Run, solver, reference):
    """The run's :class:`_Resumable` (:class:`_MarchingRun` for time marching), or None (no checkpoint)."""
    if not run:
        return None
    kind = _MarchingRun if isinstance(solver, TimeMarchingSolver) else _Resumable
    return kind(run, solver, reference)


def _keep_weights(window, trained):
    """Copy the weights of ``trained`` (a float64 continuation's copy of ``window``) into ``window``."""
    if trained is not window:
        for dst, src in zip(window.weights, trained.weights):
            dst.assign(tf.cast(src, dst.dtype))


def _refit(solver, schedule, seed, data, verbose) -> dict:
    """A warm start's ``refit``: the last layer re-solved by least squares on the L-BFGS phase's first points."""
    refit = refit_last_layer(solver, _lbfgs_points(solver, schedule, seed + 1, data))
    if verbose:
        print(f"refit the last layer ({refit['variables']} weights) in {refit['seconds']} s: loss "
              f"{refit['loss_before']:.3e} -> {refit['loss_after']:.3e}")
    return refit


def _schedule_for(preset, schedule, quick: bool, epochs, lbfgs_iterations, optimizer=None):
    schedule = schedule or preset.schedule
    if quick:
        schedule = schedule.quick()
    for name, value in (("epochs", epochs), ("lbfgs_iterations", lbfgs_iterations)):
        if value is not None and int(value) < 0:
            raise TrainingError(f"{name} must be >= 0, got {value}")
    if epochs is not None:
        schedule = schedule.replace(adam={"epochs": int(epochs)})
    if lbfgs_iterations is not None:
        schedule = schedule.replace(lbfgs={"maxiter": int(lbfgs_iterations)})
    if optimizer is not None:
        schedule = schedule.replace(lbfgs={"method": optimizer})
    return schedule


def _train_windows(solver, schedule, seed, data, callbacks, verbose, log_every, guard, start, run=None):
    """Time marching: train each window with the whole schedule, from the one before. Returns (history, iterations).
    With ``run`` (a :class:`_MarchingRun`) the windows save checkpoints, and a resumed run skips the
    windows its checkpoint says were finished."""
    parts = solver.parts()
    first = len(run.finished) if run else 0
    history: dict = {"windows": list(run.finished) if run else []}
    iterations = run.iterations if run else 0
    for k, part in enumerate(parts[first:], start=first):
        window = part.problem
        if verbose:
            print(f"window {k + 1}/{len(parts)}: {solver.coordinate} in [{window.t0:g}, {window.t1:g}]")
        logger = ReferenceErrorLogger(window, every=log_every, clock_start=start)
        logger.set_model(part)
        if run:
            run.begin(k, part)
        try:
            trained, h, its = _adam_then_lbfgs(part, schedule, seed + 7919 * k, data, callbacks, verbose, logger,
                                               guard, run)
        except KeyboardInterrupt as exc:  # hand back the composite, this window's latest weights in it
            _keep_weights(part, getattr(exc, "solver", None) or part)
            exc.solver = solver
            raise
        _keep_weights(part, trained)
        logger.set_model(part)
        h["rel_l2"] = logger.current_error()
        summary = {"rel_l2": h["rel_l2"], **({"lbfgs_info": h["lbfgs_info"]} if "lbfgs_info" in h else {})}
        history["windows"].append(h)  # a resumed run has the summaries of the windows finished before
        iterations += its
        if run:
            run.end(summary, its)
        if verbose:
            print(f"window {k + 1}/{len(parts)}: rel. L2 on the window {h['rel_l2']:.3e} "
                  f"({time.perf_counter() - start:.0f} s so far)")
    return history, iterations


def _metadata(run: Run, result: TrainResult, schedule, seed: int, quick: bool) -> dict:
    """What goes into an export's ``pinnzoo.json`` besides the problem's description."""
    preset, solver, history, metrics = result.preset, result.solver, result.history, result.metrics
    marching = isinstance(solver, TimeMarchingSolver)
    runs = history["windows"] if marching else [history]
    return {
        "preset": preset.name,
        "description": preset.description,
        "target": preset.target,
        "param_target": preset.param_target,
        "observations": dict(preset.observations) if preset.observations else None,
        "set_params": dict(preset.params),  # what --set / with_params changed (all values: the problem's "params")
        "init": result.init,  # a warm start's source (pinnzoo.warm_start), or None
        "metrics": metrics,
        "training": run.training(**{
            "time_s": round(result.train_time, 2),
            "adam_steps": result.adam_steps,
            "windows": len(solver.parts()),
            "window_rel_l2": [w["rel_l2"] for w in history.get("windows", [])],
            "lbfgs_iterations": result.lbfgs_iterations,
            "rollbacks": history.get("rollbacks", []),  # where the loss became NaN/inf and training rolled back
            # the discrepancy stop's threshold (tau σ²) and the step of the phase it fired in, if one was asked for
            "discrepancy": history.get("discrepancy"),
            # why L-BFGS-B stopped (scipy's message), per window
            "lbfgs_stops": [h["lbfgs_info"]["message"] for h in runs if "lbfgs_info" in h],
            # (seconds since the start, rel. L2 on the grid) per logged epoch (single solvers), then the final one
            "error_curve": [[round(t, 2), float(e)] for t, e in result.error_curve],
            "seed": seed,
            "quick": quick,
            "dtype": solver.compute_dtype,  # of the exported model (float64 after a float64 continuation)
            # L-BFGS iterations run in schedule.dtype before continuing in the continuation's dtype
            "lbfgs_continued_at": [w.get("lbfgs_info", {}).get("continued_at") for w in runs] if marching
            else history.get("lbfgs_info", {}).get("continued_at"),
            "schedule": schedule.to_dict(),
            "solver": {k: v for k, v in solver.get_config().items() if k not in ("name", "trainable", "dtype")},
        }),
    }


def train_pinn(preset, *, epochs: int | None = None, seed: int = 0, quick: bool = False, out=None,
               verbose: int = 1, callbacks=(), log_every: int = 1, schedule=None, lbfgs_iterations: int | None = None,
               init=None, checkpoint=None, resume: bool = False, strategy=None, optimizer: str | None = None) -> TrainResult:
    """Train a PINN preset from scratch: build → Adam with ``model.fit`` → L-BFGS → score → export.

    Args:
        epochs: Adam epochs (overrides the schedule's).
        seed: seeds weights and collocation points.
        quick: use :meth:`Schedule.quick` (seconds; for smoke tests).
        out: export directory; ``None`` exports nothing.
        callbacks: extra Keras callbacks for both phases (a :class:`~pinnzoo.run_log.TrainingLog` among
            them also writes TensorBoard summaries; one is added if none is given).
        log_every: compute the reference error every this many epochs.
        schedule: replaces the preset's :class:`~pinnzoo.presets.Schedule`.
        lbfgs_iterations: L-BFGS iterations (overrides the schedule's).
        optimizer: the quasi-Newton method of the L-BFGS phase (overrides ``schedule.lbfgs.method``): a name of
            :data:`pinnzoo.optimizers.QUASI_NEWTON` (``lbfgs``, ``bfgs``, ``ssbfgs``, ``ssbroyden``).
        init: a :class:`~pinnzoo.warm_start.WarmStart`: the prior starts from a trained export's weights.
        checkpoint: a file (``pinnzoo.checkpoint.checkpoint_path(out)``) to keep the run's checkpoint in
            while it trains (removed at the end); ``resume=True`` continues the run it holds.
        strategy: a ``tf.distribute.Strategy`` or its name (``"default"``, ``"mirrored"``, ``"multiworker"``):
            the Adam phases train on its replicas (:mod:`pinnzoo.distribute`).
    Raises:
        KeyboardInterrupt: interrupted; ``exc.solver`` holds the weights trained so far.
        TrainingError: the loss became NaN/inf. The solver in the exception
            (``exc.solver``) holds the last good weights; nothing is exported.
        InitError: ``init`` cannot be applied (no weights, another architecture).
        InputError: ``resume`` without a checkpoint of this run.
    """
    schedule = _schedule_for(preset, schedule, quick, epochs, lbfgs_iterations, optimizer)
    training = PINNTraining(preset, schedule, seed, quick, verbose, log_every, init, strategy)
    return run_lifecycle(training, out=out, checkpoint=checkpoint, resume=resume, callbacks=callbacks)


@dataclasses.dataclass
class PINNTraining(Training):
    """One PINN run (:mod:`pinnzoo.lifecycle`): Adam with ``model.fit``, then the quasi-Newton phase — per window
    for time marching — scored on the problem's grid against its reference, exported as a PINN SavedModel."""

    preset: object  # the PINNPreset
    schedule: object  # its Schedule, with the run's overrides
    seed: int
    quick: bool
    verbose: int
    log_every: int
    init: object
    strategy: object

    def build(self, run: Run):
        solver = build_solver(self.preset, self.schedule, self.seed, self.strategy, self.verbose)
        self.origin = (self.init.apply([part.prior for part in solver.parts()],
                                       can_refit=not isinstance(solver, TimeMarchingSolver))
                       if self.init is not None else None)
        return solver

    def identity(self, run: Run, solver) -> dict:
        return {"preset": self.preset.name, "params": dict(self.preset.params), "seed": self.seed, "quick": self.quick,
                "schedule": self.schedule.to_dict(), "init": self.origin}

    def fit(self, run: Run, solver):
        preset, schedule, seed, verbose = self.preset, self.schedule, self.seed, self.verbose
        problem = solver.problem
        self.reference = ReferenceErrorLogger(problem, every=self.log_every, target=preset.target, clock_start=run.start)
        resumable = _resumable(run, solver, self.reference)
        data = observed_data(preset, problem, seed)
        self.refit = None
        if self.init is not None and self.init.refit and not run.state:  # a resumed run restored its weights
            self.refit = _refit(solver, schedule, seed, data, verbose)
        self.stop = _discrepancy_stop(preset, problem, data)
        callbacks = [*run.callbacks, self.stop] if self.stop else run.callbacks
        if isinstance(solver, TimeMarchingSolver):
            history, self.iterations = _train_windows(solver, schedule, seed, data, callbacks, verbose,
                                                      self.log_every, run.guard, run.start, resumable)
        else:
            solver, history, self.iterations = _adam_then_lbfgs(solver, schedule, seed, data, callbacks, verbose,
                                                                self.reference, run.guard, resumable)
        history["rollbacks"] = run.guard.events  # NaN/inf losses survived by rolling back (pinnzoo.divergence)
        if self.stop:
            history["discrepancy"] = {"tau": self.stop.tau, "stopped_at": self.stop.stopped_at}
        return solver, history

    def score(self, run: Run, solver, history) -> TrainResult:
        train_time = run.elapsed()
        metrics = score_problem(solver.problem, solver.predict_numpy)
        metrics.update(param_errors({k: v.numpy() for k, v in solver.coefficients.items()}, solver.problem.params))
        if not np.isfinite(metrics["rel_l2"]):
            exc = TrainingError("the trained model predicts NaN/inf; nothing was exported")
            exc.solver = solver
            raise exc
        origin, refit = self.origin, self.refit
        return TrainResult(solver=solver, preset=self.preset, history=history, metrics=metrics, train_time=train_time,
                           adam_steps=self.schedule.adam_steps * len(solver.parts())
                           * int(dict(self.preset.solver).get("inner_steps", 1)), lbfgs_iterations=self.iterations,
                           time_to_target=self.reference.time_to_target,
                           init={**origin, "refit": refit} if refit else origin,
                           error_curve=[*self.reference.history, (train_time, float(metrics["rel_l2"]))])

    def trained_preset(self):
        return dataclasses.replace(self.preset, schedule=self.schedule)

    def metadata(self, run: Run, result) -> dict:
        return _metadata(run, result, self.schedule, self.seed, self.quick)

    def archive(self, result, out, meta: dict, files: dict):
        return export_solver(result.solver, out, meta, files=files)


def param_text(metrics: dict) -> str:
    """`` | nu = 0.00318 (rel. error 4.8e-03)`` for every identified coefficient in ``metrics``."""
    return "".join(f" | {k[len('param_'):]} = {v:.6g} (rel. error {metrics[k + '_rel_error']:.2e})"
                   for k, v in metrics.items() if k.startswith("param_") and not k.endswith("_rel_error"))
