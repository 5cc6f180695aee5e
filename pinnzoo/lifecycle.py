"""One run lifecycle for every preset family: log, checkpoint and resume, NaN guard, interrupt, metadata, export
(with its manifest) and clean-up, written once.

A family describes one run by a :class:`Training` — its hooks — and :func:`run_lifecycle` drives it::

    Run opened (history log, clock)   → hooks.build(run)            the solver (a warm start applied)
    checkpoint named and loaded       ← hooks.identity(run, solver)  what names the run (another is refused)
    the fit, interrupt-safe           → hooks.fit(run, solver)       (solver, history): model.fit, L-BFGS, marching
    the score                         → hooks.score(run, solver, history)  a RunResult
    pinnzoo.json + SavedModel         → hooks.metadata(run, result) + hooks.recipe() (pinnzoo.recipe),
                                        hooks.archive(result, out, meta, files)
    checkpoint removed

An interrupt (Ctrl-C, SIGTERM) or a diverged loss (:class:`~pinnzoo.errors.TrainingError`) during the fit leaves
with the solver that holds the latest weights in ``exc.solver`` (the command line saves it); the checkpoint stays
for ``--resume``. Nothing is exported unless the run ends.
"""

from __future__ import annotations

import abc
import contextlib
import time
from typing import ClassVar

from pinnzoo.checkpoint import RunCheckpoint
from pinnzoo.divergence import NaNGuard
from pinnzoo.errors import InputError, TrainingError
from pinnzoo.export import machine
from pinnzoo.family import RunResult
from pinnzoo.recipe import run_recipe
from pinnzoo.run_log import training_log


class Run:
    """The state one run shares with its family's hooks: ``callbacks`` (the user's, with the run's
    :class:`~pinnzoo.run_log.TrainingLog` ``log``), the :class:`~pinnzoo.divergence.NaNGuard` ``guard``, the
    checkpoint (``checkpoint``: a :class:`~pinnzoo.checkpoint.RunCheckpoint` once :meth:`open`, or None) and
    ``state``, what the checkpoint held when the run resumed it (``{}``: a fresh run), and the clock."""

    def __init__(self, callbacks=(), checkpoint=None, resume: bool = False):
        if checkpoint is None and resume:
            raise InputError("resume=True needs the checkpoint path (pinnzoo train ... --resume finds it)")
        self.callbacks, self.log = training_log(callbacks)
        self.guard = NaNGuard()
        self._path, self._resume = checkpoint, resume
        self.checkpoint: RunCheckpoint | None = None
        self.state: dict = {}
        self.start = time.perf_counter()

    def open(self, identity: dict) -> dict:
        """Name the run by ``identity`` in its checkpoint; a resumed run loads the state the checkpoint holds
        (another run's is refused with an InputError). The clock goes on from the state's ``elapsed``."""
        if self._path is not None:
            self.checkpoint = RunCheckpoint(self._path, identity)
            self.state = self.checkpoint.load() if self._resume else {}
        self.restart_clock()
        return self.state

    def __bool__(self) -> bool:
        """Whether the run keeps a checkpoint."""
        return self.checkpoint is not None

    def progress(self, adam_epochs: int) -> tuple[int, int]:
        """``(Adam epochs done, L-BFGS iterations done)`` by the run this one resumes (``(0, 0)``: none)."""
        phase, done = self.state.get("phase"), int(self.state.get("done", 0))
        return {"adam": (done, 0), "lbfgs": (adam_epochs, done)}.get(phase, (0, 0))

    def restart_clock(self) -> None:
        """Time the run from now on (less what a resumed run had already spent)."""
        self.start = time.perf_counter() - float(self.state.get("elapsed", 0.0))

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    def check_guard(self, phase: str = "Adam") -> None:
        """Raise :class:`TrainingError` if the loss stayed NaN/inf through the guard's rollbacks."""
        if self.guard.triggered:
            raise TrainingError(f"the loss became NaN/inf during {phase} ({self.guard.at}) after "
                                f"{len(self.guard.events)} rollbacks with a smaller learning rate; training stopped, "
                                "the last good weights were kept and nothing was exported")

    def training(self, **fields) -> dict:
        """``pinnzoo.json``'s ``training`` record: ``fields`` and the machine the run trained on."""
        return {**fields, "machine": machine()}

    @contextlib.contextmanager
    def interruptible(self, latest):
        """An interrupt or a diverged loss inside leaves with ``exc.solver = latest()`` (unless the fit already
        handed back a solver of its own, such as a float64 continuation's copy)."""
        try:
            yield
        except (KeyboardInterrupt, TrainingError) as exc:
            if getattr(exc, "solver", None) is None:
                exc.solver = latest()
            raise

    def close(self) -> None:
        """The run ended (its export, if any, holds the result): the checkpoint goes."""
        if self.checkpoint is not None:
            self.checkpoint.remove()


class Training(abc.ABC):
    """One run of one family: the hooks :func:`run_lifecycle` calls, in this order (``run_type``: the family's
    :class:`Run`)."""

    run_type: ClassVar[type] = Run

    @abc.abstractmethod
    def build(self, run: Run):
        """The solver, compiled, with a warm start applied (record its source for :meth:`identity`)."""

    @abc.abstractmethod
    def identity(self, run: Run, solver) -> dict:
        """What names this run in its checkpoint (preset, parameters, seed, schedule, warm start)."""

    @abc.abstractmethod
    def fit(self, run: Run, solver) -> tuple:
        """Train ``solver`` (from ``run.state`` if the run resumes one); returns ``(solver, history)``, the
        solver being a new one if the fit replaced it (a float64 continuation)."""

    @abc.abstractmethod
    def score(self, run: Run, solver, history) -> RunResult:
        """The result: scores against the reference, time, steps."""

    @abc.abstractmethod
    def metadata(self, run: Run, result: RunResult) -> dict:
        """What goes into the export's ``pinnzoo.json`` besides what the archive writes itself."""

    @abc.abstractmethod
    def archive(self, result: RunResult, out, meta: dict, files: dict):
        """Write the SavedModel of ``result`` to ``out`` (atomically, with its manifest); returns the folder."""

    def trained_preset(self):
        """The preset as this run trains it, its overrides (a shortened schedule, the quick version) folded in;
        ``None``: the run is not a preset's (:func:`pinnzoo.restoration.restore` on a user's image)."""
        return getattr(self, "preset", None)

    def recipe(self) -> dict | None:
        """The run's recipe and its fingerprint (:mod:`pinnzoo.recipe`), for ``pinnzoo.json["recipe_fingerprint"]``."""
        preset = self.trained_preset()
        if preset is None:
            return None
        return run_recipe(preset, seed=self.seed, quick=self.quick, init=getattr(self, "origin", None))

    def latest(self, solver):
        """The solver holding the latest weights when the fit is interrupted."""
        return solver


def run_lifecycle(training: Training, *, out=None, checkpoint=None, resume: bool = False, callbacks=()) -> RunResult:
    """Drive one run of ``training`` (a family's :class:`Training`) through the lifecycle above: exported to
    ``out`` if given; ``checkpoint`` (a file) rewritten while it trains and removed at its end; ``resume``
    continues the run the checkpoint holds.

    Raises:
        KeyboardInterrupt: ``exc.solver`` holds what was trained so far; the checkpoint stays.
        TrainingError: the loss became NaN/inf; ``exc.solver`` holds the last good weights; nothing is exported.
        InputError: ``resume`` without a checkpoint of this run.
    """
    r = training.run_type(callbacks, checkpoint, resume)
    solver = r.solver = training.build(r)
    r.open(training.identity(r, solver))
    with r.interruptible(lambda: training.latest(r.solver)):
        solver, history = training.fit(r, solver)
    result = training.score(r, solver, history)
    if out is not None:
        meta = {**training.metadata(r, result), "recipe_fingerprint": training.recipe()}
        result.export_dir = training.archive(result, out, meta, r.log.files())
    r.close()
    return result
