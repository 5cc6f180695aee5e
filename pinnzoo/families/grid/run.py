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

from pinnzoo.checkpoint import CheckpointEvery, RunCheckpoint
from pinnzoo.errors import InputError
from pinnzoo.solvers.lbfgs import lbfgs_refine


def run_identity(preset, seed: int, quick: bool, fit, origin) -> dict:
    """What names a grid preset's run in its checkpoint."""
    return {"preset": preset.name, "params": dict(preset.problem_params), "prior": preset.prior.to_dict(),
            "seed": seed, "quick": quick, "fit": dataclasses.asdict(fit), "init": origin}


class GridRun:
    """One grid run's checkpoint (``path``; None: no checkpoints) and, with ``resume``, the state it holds.
    ``identity`` names the run (preset, parameters, seed, fit, warm start): another run's checkpoint is refused."""

    def __init__(self, path, identity: dict, resume: bool = False):
        if path is None:
            if resume:
                raise InputError("resume=True needs the checkpoint path (pinnzoo train ... --resume finds it)")
            self.checkpoint, self.state = None, {}
        else:
            self.checkpoint = RunCheckpoint(path, identity)
            self.state = self.checkpoint.load() if resume else {}
        #: per phase, the logs of every epoch so far (a resumed run starts from the checkpoint's)
        self.logged = {phase: dict(logs) for phase, logs in self.state.get("logged", {}).items()}

    def __bool__(self) -> bool:
        return self.checkpoint is not None

    def restore(self, solver) -> bool:
        """Put the checkpoint's weights and optimiser state into ``solver``; False if there is none to resume."""
        if not self.state:
            return False
        self.checkpoint.restore(solver)
        return True

    def progress(self, adam_epochs: int) -> tuple[int, int]:
        """``(Adam epochs done, L-BFGS iterations done)``."""
        phase, done = self.state.get("phase"), int(self.state.get("done", 0))
        return {"adam": (done, 0), "lbfgs": (adam_epochs, done)}.get(phase, (0, 0))

    def savers(self, phase: str, offset: int = 0, extra=None) -> list:
        """The callbacks that checkpoint a phase (none without a checkpoint); ``extra()`` adds to the state."""
        return [_KeepLogs(self, phase, offset, extra)] if self else []

    def save(self, solver, state: dict, arrays: dict | None = None):
        self.checkpoint.save(solver, state, arrays=arrays)

    def remove(self):
        if self:
            self.checkpoint.remove()


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
