"""Checkpoints and resume for the grid families (grid, grid marching, grid inverse).

A grid fit is deterministic (the prior's input is fixed by the seed, the loss has no sampled points), so a
run killed during Adam and resumed with ``--resume`` ends with the very weights of an uninterrupted run: the
checkpoint (:mod:`pinnzoo.checkpoint`, ``OUT.checkpoint.npz``) holds the weights, Adam's moments and step
count (hence the learning-rate decay's position), the phase, the epochs or iterations done and what was
logged so far. L-BFGS restarts from the saved weights with the iterations left, as for PINNs. A marching
grid run is checkpointed after every time step (the fields so far, the per-step errors, the prior's weights);
a resumed run poses the next step from the last field and goes on.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import ClassVar

import keras
import numpy as np

from pinnzoo.checkpoint import CheckpointEvery
from pinnzoo.families.grid.archive import export_grid_solver
from pinnzoo.family import RunResult
from pinnzoo.lifecycle import Run, Training
from pinnzoo.solvers.lbfgs import lbfgs_refine


def run_identity(preset, seed: int, quick: bool, fit, origin) -> dict:
    """What names a grid preset's run in its checkpoint."""
    return {"preset": preset.name, "params": dict(preset.problem_params), "prior": preset.prior.to_dict(),
            "seed": seed, "quick": quick, "fit": dataclasses.asdict(fit), "init": origin}


class GridRun(Run):
    """A grid run (:class:`~pinnzoo.lifecycle.Run`) that also keeps every epoch's logs in its checkpoint, so that
    a resumed run's history is the whole run's (``logged``: per phase, the logs of every epoch so far)."""

    def open(self, identity: dict) -> dict:
        state = super().open(identity)
        self.logged = {phase: dict(logs) for phase, logs in state.get("logged", {}).items()}
        return state

    def restore(self, solver) -> bool:
        """Put the checkpoint's weights and optimiser state into ``solver``; False if there is none to resume."""
        if not self.state:
            return False
        self.checkpoint.restore(solver)
        return True

    def savers(self, phase: str, offset: int = 0, extra=None) -> list:
        """The callbacks that checkpoint a phase (none without a checkpoint); ``extra()`` adds to the state."""
        return [_KeepLogs(self, phase, offset, extra)] if self else []

    def save(self, solver, state: dict, arrays: dict | None = None):
        self.checkpoint.save(solver, state, arrays=arrays)


class _KeepLogs(CheckpointEvery):
    """:class:`CheckpointEvery` that also keeps every epoch's logs in the checkpoint (a resumed run's history
    is then the whole run's)."""

    def __init__(self, run: GridRun, phase: str, offset: int, extra):
        super().__init__(run.checkpoint, phase, offset, lambda: {**(extra() if extra else {}), "logged": run.logged})
        self.run = run

    def on_epoch_end(self, epoch, logs=None):
        kept = self.run.logged.setdefault(self.phase, {})
        for key, value in (logs or {}).items():
            kept.setdefault(key, []).append(float(value))
        super().on_epoch_end(epoch, logs)


def fit_adam_lbfgs(solver, epochs: int, steps_per_epoch: int, lbfgs_iterations: int, callbacks, verbose: int,
                   run: GridRun, guard=None, jit_compile: bool = True, extra=None) -> dict:
    """``epochs`` Adam epochs of ``steps_per_epoch`` steps with ``model.fit``, then ``lbfgs_iterations`` of
    L-BFGS-B (skipped if a callback stopped the fit); ``run`` checkpoints both and skips what a resumed
    checkpoint says was done. Returns ``{"adam": logs, "lbfgs": logs, "lbfgs_info": ...}`` of the whole run."""
    solver.stop_training = bool(run.state.get("stopped", False))  # a stopping callback fired before the kill
    first_epoch, lbfgs_done = run.progress(epochs)

    def state():
        return {"stopped": bool(solver.stop_training), **(extra() if extra else {})}

    history: dict = {}
    if epochs > first_epoch and not solver.stop_training:
        h = solver.fit(solver.dataset(), steps_per_epoch=steps_per_epoch, epochs=epochs, initial_epoch=first_epoch,
                       shuffle=False, verbose=verbose, callbacks=[*([guard] if guard else []), *callbacks,
                                                   *run.savers("adam", extra=state)])
        history["adam"] = h.history
    info = {"iterations": lbfgs_done}
    if lbfgs_iterations > lbfgs_done and not solver.stop_training:
        h = lbfgs_refine(solver, {}, maxiter=lbfgs_iterations - lbfgs_done, log_every=steps_per_epoch,
                         callbacks=[*callbacks, *run.savers("lbfgs", lbfgs_done, extra=state)], verbose=verbose,
                         jit_compile=jit_compile)
        history["lbfgs"], info = h.history, {**h.lbfgs, "iterations": h.lbfgs["iterations"] + lbfgs_done}
    if run:  # the whole run's logs, not only those since the resume
        history.update({phase: logs for phase, logs in run.logged.items()})
    history["lbfgs_info"] = info
    return history


@dataclasses.dataclass
class GridResult(RunResult):
    solver: keras.Model
    preset: object  # the GridPreset
    history: dict
    metrics: dict
    train_time: float
    export_dir: Path | None = None
    init: dict | None = None  # a warm start's source (pinnzoo.warm_start), or None

    def summary(self) -> str:
        m, p = self.metrics, self.preset
        text = f"{p.name}: rel L2 = {m['rel_l2']:.3e} vs the discrete solution (target {p.target:g})"
        if "rel_l2_continuous" in m:
            text += f", {m['rel_l2_continuous']:.3e} vs the PDE's"
        return (text + f" | {p.prior.name}, {self.train_time:.1f} s, {m.get('adam_steps', p.fit.adam_steps)} Adam "
                f"steps + {m['lbfgs_iterations']} L-BFGS iterations"
                + (f" | saved to {self.export_dir}" if self.export_dir else " | not exported"))


def field_errors(problem, u: np.ndarray) -> dict:
    """Relative L2 errors of a field against the discrete and (where known) the continuous solution."""
    ref = problem.discrete_solution()
    out = {"rel_l2": float(np.linalg.norm(u - ref) / np.linalg.norm(ref))}
    exact = problem.continuous_solution()
    if exact is not None:
        out["rel_l2_continuous"] = float(np.linalg.norm(u - exact) / np.linalg.norm(exact))
        out["discretisation_error"] = float(np.linalg.norm(ref - exact) / np.linalg.norm(exact))
    return out


@dataclasses.dataclass
class GridTraining(Training):
    """One grid run (:mod:`pinnzoo.lifecycle`): the preset's solver (a warm start applied), Adam then L-BFGS on the
    discrete residual, the field scored against the sparse direct solve, exported as a grid SavedModel."""

    preset: object  # the GridPreset, its fit already shortened or quick
    seed: int
    quick: bool
    verbose: int
    init: object = None
    run_type: ClassVar[type] = GridRun

    def build(self, run):
        solver = self.preset.build_solver(self.seed)
        self.origin = self.init.apply([solver.prior]) if self.init is not None else None
        return solver

    def identity(self, run, solver) -> dict:
        return run_identity(self.preset, self.seed, self.quick, self.preset.fit, self.origin)

    def fit(self, run, solver):
        fit = self.preset.fit
        if run.restore(solver):
            run.log.rewind(run.state["log_step"])  # what was logged after the checkpoint is logged again
        history = fit_adam_lbfgs(solver, fit.adam_steps // fit.log_every, fit.log_every, fit.lbfgs_iterations,
                                 run.callbacks, self.verbose, run, guard=run.guard,
                                 extra=lambda: {"elapsed": run.elapsed(), "log_step": run.log.step})
        run.check_guard()
        return solver, history

    def score(self, run, solver, history) -> GridResult:
        metrics = {**field_errors(solver.problem, solver.solution()),
                   "lbfgs_iterations": int(history["lbfgs_info"]["iterations"])}
        return GridResult(solver, self.preset, history, metrics, run.elapsed(), init=self.origin)

    def metadata(self, run, result) -> dict:
        p, fit = self.preset, self.preset.fit
        return {"preset": p.name, "description": p.description, "target": p.target,
                "set_params": dict(p.problem_params), "init": self.origin, "metrics": result.metrics,
                "fit": dataclasses.asdict(fit), "seed": self.seed,
                "training": run.training(time_s=result.train_time, adam_steps=fit.adam_steps // fit.log_every * fit.log_every,
                                         lbfgs_iterations=result.metrics["lbfgs_iterations"])}

    def archive(self, result, out, meta: dict, files: dict):
        return export_grid_solver(result.solver, out, meta, files=files)
