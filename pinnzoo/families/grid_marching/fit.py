"""One time-marching grid run (:mod:`pinnzoo.lifecycle`): every step fitted from the previous step's weights,
checkpointed after each step, the final field scored against the exact discrete trajectory."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np

from pinnzoo.families.grid.archive import export_grid_solver
from pinnzoo.families.grid.fit import GridResult, GridTraining
from pinnzoo.solvers.lbfgs import flat_value_and_gradient


def _rel(a, b) -> float:
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


@dataclasses.dataclass
class MarchingTraining(GridTraining):
    """:class:`~pinnzoo.families.grid.fit.GridTraining` whose fit marches: ``preset._fit_step`` on each posed step,
    ``preset._next_step`` to pose the next; the fields of every step are exported as the trajectory."""

    def fit(self, run, solver):
        preset, fit = self.preset, self.preset.fit
        objective = flat_value_and_gradient(solver, {}, jit_compile=True)
        initial = [v.numpy() for v in solver.prior.weights]
        reference = solver.problem.trajectory()
        steps = solver.problem.steps
        bar = keras.utils.Progbar(steps, stateful_metrics=["error"], verbose=self.verbose)
        fields, step_errors, one_step, iterations = [], [], [], 0
        if run.restore(solver):  # the prior's weights and Adam's moments after the last step done
            fields = list(run.checkpoint.arrays()["fields"])
            step_errors, one_step = run.state["step_errors"], run.state["one_step"]
            iterations = run.state["iterations"]
            run.log.rewind(run.state["log_step"])
            for j, u in enumerate(fields):  # the problems of the steps done, then the step after them is posed
                preset._next_step(solver, preset, u, initial, j + 1 < steps)
        run.restart_clock()
        for k in range(len(fields), steps):
            iterations += preset._fit_step(solver, fit, objective)
            u = solver.solution()
            fields.append(u)
            step_errors.append(_rel(u, reference[k]))
            one_step.append(_rel(u, solver.problem.discrete_solution()))
            bar.update(k + 1, [("error", step_errors[-1])])
            run.log.record({"rel_l2": step_errors[-1], "one_step_rel_l2": one_step[-1],
                            "loss": float(solver.total_loss(solver.loss_terms()))}, step=k + 1, phase="march")
            if run:
                run.save(solver, {"phase": "march", "done": k + 1, "step_errors": step_errors, "one_step": one_step,
                                  "iterations": iterations, "log_step": run.log.step, "elapsed": run.elapsed()},
                         arrays={"fields": np.stack(fields)})
            preset._next_step(solver, preset, u, initial, k + 1 < steps)
        self.fields = fields
        return solver, {"reference": reference, "step_errors": step_errors, "one_step": one_step,
                        "iterations": int(iterations)}

    def score(self, run, solver, history) -> GridResult:
        metrics = march_metrics(solver.problem, self.fields, history["reference"], history["step_errors"],
                                history["one_step"], self.preset.fit, history["iterations"])
        return GridResult(solver, self.preset, {}, metrics, run.elapsed(), init=self.origin)

    def metadata(self, run, result) -> dict:
        meta = super().metadata(run, result)
        meta["training"] = run.training(time_s=result.train_time, steps=len(self.fields),
                                        adam_steps=result.metrics["adam_steps"],
                                        lbfgs_iterations=result.metrics["lbfgs_iterations"])
        return meta

    def archive(self, result, out, meta: dict, files: dict):
        return export_grid_solver(result.solver, out, meta, trajectory=np.stack(self.fields),
                                  family=self.preset.family, files=files)


def march_metrics(problem, fields, reference, step_errors, one_step, fit, iterations: int) -> dict:
    """The scores of a march: the final and worst step errors against the reference trajectory, the worst
    one-step error against the discrete step, and (where the problem has one) against the exact solution."""
    steps = len(fields)
    metrics = {"rel_l2": step_errors[-1], "max_step_rel_l2": max(step_errors),
               "max_one_step_rel_l2": max(one_step), "step_rel_l2": step_errors,
               "adam_steps": steps * fit.adam_steps, "lbfgs_iterations": iterations}
    exact = problem.final_solution()
    if exact is not None:
        metrics["rel_l2_continuous"] = _rel(fields[-1], exact)
        metrics["discretisation_error"] = _rel(reference[-1], exact)
    return metrics
