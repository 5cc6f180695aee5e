"""Time-dependent grid presets: march a :class:`~pinnzoo.grids.MarchingGridProblem` step by step with one prior.

Each step is a grid problem (for the heat equation, one implicit Euler step whose
right-hand side is the previous field); the solver fits it, then :meth:`GridSolver.pose`
swaps in the next step *without resetting the weights*: every step starts from the
previous step's solution (a warm start). The score is the error at the final time
against the exact discrete trajectory (and the continuous solution).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import numpy as np

from pinnzoo.distribute import one_device
from pinnzoo.errors import ExportError, PresetError
from pinnzoo.families.grid_marching.figures import marching_figures
from pinnzoo.families.grid.fit import GridResult
from pinnzoo.families.grid.preset import GridPreset
from pinnzoo.families.grid_marching.fit import MarchingTraining, _rel
from pinnzoo.family import register_family
from pinnzoo.grids import MarchingGridProblem
from pinnzoo.lifecycle import run_lifecycle
from pinnzoo.serving import row_signature
from pinnzoo.solvers.lbfgs import lbfgs_refine


@register_family
@dataclasses.dataclass(frozen=True)
class GridMarchingPreset(GridPreset):
    """A grid preset for a time-dependent problem: ``fit`` is the budget of *each* step; the prior's
    weights carry over from step to step (warm start)."""

    family: ClassVar[str] = "grid_marching"
    #: False: every step starts again from the initial weights (the control for the warm start)
    warm_start: bool = True

    def target_text(self) -> str:
        return f"rel. L2 at the final time vs the exact discrete trajectory <= {self.target:g}"

    def build_problem(self):
        problem = super().build_problem()
        if not isinstance(problem, MarchingGridProblem):
            raise PresetError(f"{self.name}: {self.problem} is not a time-dependent (marching) grid problem")
        return problem

    @staticmethod
    def _fit_step(solver, fit, objective):
        """Adam then L-BFGS on the posed step; the compiled functions are built once and reused."""
        if fit.adam_steps:
            solver.optimizer.iterations.assign(0)  # the learning-rate decay spans each step's budget
            solver.fit(solver.dataset(), steps_per_epoch=fit.adam_steps, epochs=1, verbose=0)
        if fit.lbfgs_iterations:
            return lbfgs_refine(solver, {}, maxiter=fit.lbfgs_iterations, log_every=fit.lbfgs_iterations,
                                verbose=0, objective=objective).lbfgs["iterations"]
        return 0

    def train(self, *, seed: int = 0, quick: bool = False, out=None, verbose: int = 1, callbacks=(),
              epochs: int | None = None, lbfgs_iterations: int | None = None, init=None, checkpoint=None,
              resume: bool = False, strategy=None) -> GridResult:
        """March every step (a progress bar over the steps), score the final field, export to ``out``;
        ``epochs``/``lbfgs_iterations`` override each step's budget, ``init`` starts the first step from a
        trained export's prior weights. ``checkpoint`` (a file) is rewritten after every time step and removed
        once exported; ``resume=True`` goes on from the step after the last one it holds."""
        one_device(strategy, f"{self.name} ({self.family} preset)")
        preset = (self.quick() if quick else self).with_fit(epochs, lbfgs_iterations)
        return run_lifecycle(MarchingTraining(preset, seed, quick, verbose, init), out=out, checkpoint=checkpoint,
                             resume=resume, callbacks=callbacks)

    @staticmethod
    def _next_step(solver, preset, u, initial, more: bool):
        """Pose the step after the one that gave ``u`` (if ``more``), from the prior's weights or afresh."""
        if more:
            solver.pose(solver.problem.next(u))
            if not preset.warm_start:
                for v, w in zip(solver.prior.weights, initial):
                    v.assign(w)

    @classmethod
    def serving_signatures(cls, model, meta: dict) -> dict:
        """As a grid export's, and ``step``: the fields after the given time steps (0-based)."""
        return {**super().serving_signatures(model, meta),
                "step": row_signature(lambda: {"u": model.signatures["trajectory"]()["u"]}, name="step")}

    @classmethod
    def evaluate_export(cls, directory, model, meta: dict) -> dict:
        """The final field and every step of the served trajectory against the exact discrete trajectory."""
        problem = cls.rebuild_problem(directory, meta)
        reference = problem.trajectory()
        fields = model.signatures["trajectory"]()["u"].numpy().astype(np.float64)
        u = model.signatures["serving_default"]()["u"].numpy().astype(np.float64)
        if fields.shape != reference.shape:
            raise ExportError(f"{directory}: the served trajectory has shape {fields.shape}, expected {reference.shape}")
        metrics = {"rel_l2": _rel(u, reference[-1]), "max_step_rel_l2": max(_rel(f, r) for f, r in zip(fields, reference)),
                   "final_is_last_step": bool(np.array_equal(u, fields[-1]))}
        exact = problem.final_solution()
        if exact is not None:
            metrics["rel_l2_continuous"] = _rel(u, exact)
        return cls.verdict(directory, meta, metrics)

    @classmethod
    def figures(cls, directory, model, meta: dict) -> list:
        """The final field against the exact discrete trajectory, and the error after every step."""
        u = model.signatures["serving_default"]()["u"].numpy().astype(np.float64)
        return marching_figures(cls.rebuild_problem(directory, meta), u, meta.get("preset") or meta["problem"],
                                meta.get("metrics", {}).get("step_rel_l2"))

    @classmethod
    def score_text(cls, metrics: dict, name: str) -> str:
        return (f"{name}: rel L2 at the final time = {metrics['rel_l2']:.3e} vs the exact discrete trajectory "
                f"(worst step {metrics['max_step_rel_l2']:.3e})")

    @classmethod
    def headline_score(cls, meta: dict) -> str:
        return (f"rel. L2 {meta['metrics']['rel_l2']:.2e} at t = T vs discrete ({meta['prior']['name']}, "
                f"{meta['training']['steps']} steps)")
